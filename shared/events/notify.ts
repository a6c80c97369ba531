import { LIMITS } from '../config/limits.js';
import { putNotification, watchersOf } from '../db/collaboration-repo.js';
import { collectionOfItem } from '../db/keys.js';
import { toRecord } from '../db/stored-records.js';
import {
  type DirectoryEntry,
  departmentMembers,
  directoryUserByName,
  directoryUsers,
} from '../db/user-directory.js';
import type { CollectionName } from '../domain/collections.js';
import {
  type ChangeFacts,
  lookupsFor,
  type Notification,
  notificationIdOf,
  selectRecipients,
} from '../domain/notifications.js';
import { callerOfUser, recordAsSeenBy } from '../policy/collaboration.js';
import type { ReadChange } from './stream-consumer.js';

/**
 * The notify consumer's work for one stream record: who the change concerns (domain/notifications.ts),
 * looked up in the user directory and judged by the policy as each recipient (a mention of someone who
 * may not read the record notifies nobody), and one notification per (event, user) with the record as
 * that user may see it. The lookups are injected, so the selection can be tested without a table.
 */
export interface NotifyLookups {
  userByName(username: string): Promise<DirectoryEntry | undefined>;
  membersOf(department: string): Promise<DirectoryEntry[]>;
  users(userIds: readonly string[]): Promise<Map<string, DirectoryEntry>>;
  /** Who watched the record at `asOf` (the change's time). */
  watchersOf(collection: CollectionName, id: string, asOf: string): Promise<string[]>;
}

export const DIRECTORY_LOOKUPS: NotifyLookups = {
  userByName: directoryUserByName,
  membersOf: departmentMembers,
  users: directoryUsers,
  watchersOf,
};

export interface NotificationWrite {
  userId: string;
  id: string;
  entry: Omit<Notification, 'id' | 'read'>;
  expiresAtEpochSeconds: number;
}

/** The change as the selection reads it, or undefined for a stream record that is no record change. */
export function factsOf(read: ReadChange): ChangeFacts | undefined {
  const { event, change } = read;
  const image = change.newImage ?? change.oldImage;
  const collection = image && collectionOfItem(image);
  if (!event || !collection) return undefined;
  const { action, actor } = event.detail;
  const deleted = action === 'deleted';
  return {
    eventType: event.detailType,
    collection,
    action,
    actor,
    before: change.oldImage && !deleted ? toRecord(change.oldImage) : {},
    after: toRecord(deleted ? (change.oldImage ?? change.newImage ?? {}) : (change.newImage ?? {})),
  };
}

export async function notificationsOf(
  read: ReadChange,
  lookups: NotifyLookups = DIRECTORY_LOOKUPS,
): Promise<NotificationWrite[]> {
  const facts = factsOf(read);
  const event = read.event;
  if (!facts || !event) return [];
  const wanted = lookupsFor(facts);
  const [mentioned, members, watchers] = await Promise.all([
    Promise.all(wanted.mentions.map((name) => lookups.userByName(name))),
    wanted.department ? lookups.membersOf(wanted.department) : Promise.resolve([]),
    wanted.watched
      ? lookups.watchersOf(wanted.watched.collection, wanted.watched.id, event.detail.occurredAt)
      : Promise.resolve([]),
  ]);
  const candidates = selectRecipients(facts, {
    mentioned: mentioned.flatMap((u) => (u ? [u.userId] : [])),
    departmentMembers: members.map((u) => u.userId),
    watchers,
  });
  if (candidates.length === 0) return [];
  const directory = await lookups.users(candidates.map((c) => c.userId));
  const { detail, detailType } = event;
  const id = notificationIdOf(detail.eventId, detail.occurredAt);
  const expiresAt = Math.floor(Date.now() / 1000) + LIMITS.notificationRetentionSeconds;
  return candidates.flatMap(({ userId, type }) => {
    const user = directory.get(userId);
    const recipient = user && callerOfUser(user);
    const record = recipient && recordAsSeenBy(recipient, facts.collection, facts.after);
    if (!record) return [];
    return [
      {
        userId,
        id,
        entry: {
          type,
          at: detail.occurredAt,
          actor: detail.actor,
          event: { type: detailType, entity: detail.entity, id: detail.id },
          record,
        },
        expiresAtEpochSeconds: expiresAt,
      },
    ];
  });
}

/** Writes them, each once: a replay finds its key taken and writes nothing. Returns how many were new. */
export async function writeNotifications(writes: readonly NotificationWrite[]): Promise<number> {
  const written = await Promise.all(
    writes.map((w) =>
      putNotification(w.userId, w.id, w.entry, w.expiresAtEpochSeconds, {
        entity: w.entry.event.entity,
        id: w.entry.event.id,
      }),
    ),
  );
  return written.filter(Boolean).length;
}
