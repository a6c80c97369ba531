import { createHash } from 'node:crypto';
import { COLLECTIONS, type CollectionName, fieldOf } from './collections.js';
import { mentionsIn, newMentions } from './comments.js';
import { idFrom } from './ids.js';

/**
 * Notifications: an inbox per user, written by the `notify` stream consumer (never by the handler that
 * made the change). This module is the pure part: which users a change concerns and why, and the
 * notification's deterministic id. The consumer (shared/events/notify.ts) looks the users up, asks the
 * policy whether each may read the record, and writes one notification per (event, user).
 */
export const NOTIFICATION_TYPES = ['mention', 'assignment', 'handoff', 'watch'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** A notification as its recipient reads it. `record` is the record as the recipient may see it. */
export interface Notification {
  id: string;
  type: NotificationType;
  at: string;
  read: boolean;
  actor: string | null;
  event: { type: string; entity: string; id: string };
  record: Record<string, unknown>;
}

/** A change, as the selection needs it (the consumer reads it from the stream record). */
export interface ChangeFacts {
  eventType: string;
  collection: CollectionName;
  action: 'created' | 'updated' | 'deleted';
  actor: string | null;
  /** The record before the change ({} for a create). */
  before: Record<string, unknown>;
  /** The record after it (a deleted record's last state). */
  after: Record<string, unknown>;
}

/** What the consumer must look up for a change: mentioned names, a department's members, watchers. */
export interface Lookups {
  mentions: string[];
  department?: string;
  /** The record whose watchers hear of the change (a comment's: the record it is on). */
  watched?: { collection: CollectionName; id: string };
}

/** The fields whose new value hands the record to a user. */
const ASSIGNMENT_FIELDS = ['ownerId', 'assigneeId'] as const;

const str = (record: object, field: string): string | undefined => {
  const value = fieldOf(record, field);
  return typeof value === 'string' ? value : undefined;
};

function parentOf(comment: object): { collection: CollectionName; id: string } | undefined {
  const parent = fieldOf(comment, 'parent');
  if (typeof parent !== 'object' || parent === null) return undefined;
  const collection = str(parent, 'collection');
  const id = str(parent, 'id');
  const known = collection && Object.hasOwn(COLLECTIONS, collection);
  return known && id ? { collection: collection as CollectionName, id } : undefined;
}

/** Handoff events and who they concern: the receiving department, or the requester. */
const HANDOFF_AUDIENCE: Record<string, 'receivers' | 'requester'> = {
  'handoff.requested': 'receivers',
  'handoff.cancelled': 'receivers',
  'handoff.accepted': 'requester',
  'handoff.declined': 'requester',
  'handoff.completed': 'requester',
};

export function lookupsFor(facts: ChangeFacts): Lookups {
  const { collection, action, before, after } = facts;
  const id = str(after, 'id');
  if (collection === 'comments') {
    const body = str(after, 'body') ?? '';
    const mentions =
      action === 'created'
        ? mentionsIn(body)
        : action === 'updated'
          ? newMentions(str(before, 'body'), body)
          : [];
    return { mentions, watched: action === 'deleted' ? undefined : parentOf(after) };
  }
  const department =
    collection === 'handoffs' && HANDOFF_AUDIENCE[facts.eventType] === 'receivers'
      ? str(after, 'toDept')
      : undefined;
  return { mentions: [], department, watched: id ? { collection, id } : undefined };
}

/** The users found for each lookup (mentioned names resolved to user ids; unknown names left out). */
export interface Found {
  mentioned: readonly string[];
  departmentMembers: readonly string[];
  watchers: readonly string[];
}

export interface Candidate {
  userId: string;
  type: NotificationType;
}

/**
 * Who hears of the change, once each, for the strongest reason: a mention, then an assignment, then a
 * handoff, then a watch. Never the actor. Whether each may read the record is the consumer's next step.
 */
export function selectRecipients(facts: ChangeFacts, found: Found): Candidate[] {
  const chosen = new Map<string, NotificationType>();
  const add = (userId: string | undefined, type: NotificationType) => {
    if (userId && userId !== facts.actor && !chosen.has(userId)) chosen.set(userId, type);
  };
  for (const userId of found.mentioned) add(userId, 'mention');
  if (facts.action !== 'deleted' && facts.collection !== 'comments')
    for (const field of ASSIGNMENT_FIELDS) {
      const now = str(facts.after, field);
      if (now !== str(facts.before, field)) add(now, 'assignment');
    }
  if (facts.collection === 'handoffs') {
    const audience = HANDOFF_AUDIENCE[facts.eventType];
    if (audience === 'receivers') for (const userId of found.departmentMembers) add(userId, 'handoff');
    if (audience === 'requester') add(str(facts.after, 'ownerId'), 'handoff');
  }
  for (const userId of found.watchers) add(userId, 'watch');
  return [...chosen].map(([userId, type]) => ({ userId, type }));
}

/**
 * The id of the notification an event makes: a ULID of the event's time and a hash of its id. Each user's
 * notifications are their own partition, so (event, user) is one key, and a replay finds it taken.
 */
export function notificationIdOf(eventId: string, occurredAt: string): string {
  const time = Date.parse(occurredAt);
  return idFrom(Number.isNaN(time) ? 0 : time, createHash('sha256').update(eventId).digest());
}
