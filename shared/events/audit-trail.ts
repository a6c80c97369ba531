import {
  auditPartition,
  type DirectoryEntry,
  derivedItem,
  directoryEntryOf,
  type Item,
  isDirectoryItem,
} from '../db/keys.js';
import { toRecord } from '../db/stored-records.js';
import { type ChangeEvent, everyChangedField, isErasure } from './change-events.js';
import type { Action } from './names.js';
import { ROLE_ENTITY, ROLE_PERMISSIONS_CHANGED } from './role-events.js';
import type { ReadChange } from './stream-consumer.js';

/**
 * The audit trail (GET /v1/audit): one entry per change of a record, kept under the record's entity
 * and id (so it outlives the record), keyed by the stream sequence number: a record's entries are in
 * commit order, and a replay overwrites. Subjects are `entity` + `id`, not collections, so that other
 * subjects (a user whose roles change) fit the same entry.
 */
export interface AuditEntry {
  eventId: string;
  entity: string;
  id: string;
  /** When the change was committed. */
  at: string;
  actor: string | null;
  /** The event's detail-type: `opportunity.won`, `account.updated`, … */
  type: string;
  action: Action;
  changedFields: string[];
  /** The changed fields' values before and after (null: not set); the whole record on create and delete. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The department that owned the subject after the change: whose managers may read the entry. */
  ownerDept: string;
}

const valuesOf = (record: Item, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));

/** The subject of a user's trail: their roles (groups, the department they give) and whether they may sign in. */
export const USER_ENTITY = 'user';
const USER_FIELDS = ['groups', 'department', 'enabled'] as const;

const rolesOf = (entry: DirectoryEntry) => ({
  groups: [...entry.groups].sort(),
  department: entry.department,
  enabled: entry.enabled,
});

/**
 * A directory entry's change as an entry of the user's trail: `user.created` when the directory first
 * holds them (an invitation, or a first sign-in), `user.updated` when their roles or their access
 * changed. A sign-in that mirrors what the directory already says changes nothing and writes nothing.
 */
function userAuditItems(read: ReadChange): Item[] {
  const image = read.change.newImage;
  const now = isDirectoryItem(image) ? directoryEntryOf(image) : undefined;
  if (!now) return [];
  const was = directoryEntryOf(read.change.oldImage);
  const after = rolesOf(now);
  const before = was && rolesOf(was);
  const changed = before
    ? USER_FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    : [];
  if (before && changed.length === 0) return [];
  const pick = (values: ReturnType<typeof rolesOf>) => Object.fromEntries(changed.map((f) => [f, values[f]]));
  const audit: AuditEntry = {
    eventId: read.change.eventId,
    entity: USER_ENTITY,
    id: now.userId,
    at: now.updatedAt,
    actor: now.updatedBy,
    type: before ? 'user.updated' : 'user.created',
    action: before ? 'updated' : 'created',
    changedFields: [...changed],
    before: before ? pick(before) : null,
    after: before ? pick(after) : { username: now.username, ...after },
    ownerDept: now.department ?? '',
  };
  return [derivedItem(auditPartition(USER_ENTITY, now.userId), read.sequence, audit)];
}

/** The one trail of every role cell change (GET /v1/admin/roles/audit), newest first like the others. */
export const ROLE_TRAIL_ID = 'matrix';

/** An admin's change of a role cell: who, when, the cell before (null: the code's default) and after. */
function roleAuditItems(read: ReadChange, event: ChangeEvent): Item[] {
  const { detail } = event;
  const { before, ...after } = detail.record;
  const audit: AuditEntry = {
    eventId: detail.eventId,
    entity: ROLE_ENTITY,
    id: detail.id,
    at: detail.occurredAt,
    actor: detail.actor,
    type: event.detailType,
    action: detail.action,
    changedFields: detail.changedFields,
    before: (before as Record<string, unknown> | null) ?? null,
    after,
    ownerDept: '',
  };
  return [derivedItem(auditPartition(ROLE_ENTITY, ROLE_TRAIL_ID), read.sequence, audit)];
}

export function auditItemsOf(read: ReadChange): Item[] {
  const { event } = read;
  if (!event) return userAuditItems(read);
  if (event.detailType === ROLE_PERMISSIONS_CHANGED) return roleAuditItems(read, event);
  const { oldImage, newImage } = read.change;
  const { detail } = event;
  const before = oldImage ? toRecord(oldImage) : undefined;
  const after = newImage ? toRecord(newImage) : undefined;
  let entry: Pick<AuditEntry, 'changedFields' | 'before' | 'after'>;
  if (detail.action === 'created') entry = { changedFields: [], before: null, after: after ?? null };
  else if (detail.action === 'deleted')
    entry = { changedFields: [], before: before ?? after ?? null, after: null };
  else {
    const changed = everyChangedField(before ?? {}, after ?? {});
    entry = {
      changedFields: changed,
      // An erasure's entry must not keep what it erased: which fields, and their erased values only.
      before: isErasure(read.change) ? null : valuesOf(before ?? {}, changed),
      after: valuesOf(after ?? {}, changed),
    };
  }
  const audit: AuditEntry = {
    eventId: detail.eventId,
    entity: detail.entity,
    id: detail.id,
    at: detail.occurredAt,
    actor: detail.actor,
    type: event.detailType,
    action: detail.action,
    ...entry,
    ownerDept: detail.ownerDept,
  };
  return [derivedItem(auditPartition(detail.entity, detail.id), read.sequence, audit)];
}
