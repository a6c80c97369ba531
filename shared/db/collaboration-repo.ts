import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CollectionName } from '../domain/collections.js';
import { db, tableName } from './client.js';
import { absent, live } from './conditions.js';
import { openCursor, signCursor } from './cursor.js';
import { serverCursorKeys } from './cursor-secret.js';
import { expression } from './expressions.js';
import {
  deletionOf,
  type HeldRecord,
  type Item,
  type ItemChange,
  type Key,
  notificationEntryOf,
  notificationItem,
  notificationKey,
  notificationReadChange,
  notificationStartKey,
  notificationsQuery,
  recordKey,
  timelinePlacement,
  watcherOf,
  watchersPartition,
  watchItem,
  watchKey,
} from './keys.js';
import { queryAll, queryPage } from './paged-query.js';

/**
 * The collaboration repository: a comment's place on its account's timeline, watches and notifications.
 * Each function is one DynamoDB call, except the reads that page through a partition to its end (a
 * record's watchers, a user's unread notifications for read-all).
 */

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** One UpdateItem of an item that must exist and not be deleted; false when it does not (no throw). */
async function updateLiveItem(key: Key, change: ItemChange): Promise<boolean> {
  const update = expression.update(change.set, change.remove);
  const condition = live();
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: {
          ...update.ExpressionAttributeNames,
          ...condition.ExpressionAttributeNames,
        },
        ExpressionAttributeValues: update.ExpressionAttributeValues,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Puts a comment on the timeline of the record it is on (from the stream, after the create): reads that
 * record's item, then sets the comment's timeline slot, unless the comment was deleted meanwhile.
 * Returns whether it was placed.
 */
export async function placeCommentOnTimeline(
  commentId: string,
  parent: { collection: CollectionName; id: string },
): Promise<boolean> {
  const read = await db().send(
    new GetCommand({ TableName: tableName(), Key: recordKey(parent.collection, parent.id) }),
  );
  const placement = read.Item && !deletionOf(read.Item) ? timelinePlacement(read.Item, commentId) : undefined;
  if (!placement) return false;
  // False: the comment was deleted (or purged) before it was placed.
  return updateLiveItem(recordKey('comments', commentId), { set: placement, remove: [] });
}

/**
 * Starts watching. A repeat changes nothing: the watch keeps the time it began, which decides the
 * changes it hears of (watchersOf), so a second PUT cannot drop the changes between the two.
 */
export async function putWatch(collection: CollectionName, id: string, userId: string): Promise<void> {
  const Item = watchItem(collection, id, userId, new Date().toISOString());
  try {
    await db().send(new PutCommand({ TableName: tableName(), Item, ...absent() }));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Stops watching (a repeat is no error). */
export async function deleteWatch(collection: CollectionName, id: string, userId: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: watchKey(collection, id, userId) }));
}

/**
 * The users who watched a record when a change happened (`asOf`, its time): the notify consumer may
 * run behind, and a watch begun after the change must not hear of it.
 */
export async function watchersOf(collection: CollectionName, id: string, asOf: string): Promise<string[]> {
  return queryAll(watchersPartition(collection, id), (item) => watcherOf(item, asOf));
}

/**
 * Writes a notification unless one of that id is there already: a replayed event writes nothing twice,
 * and a notification already read stays read. Returns whether it was written.
 */
export async function putNotification(
  userId: string,
  id: string,
  entry: object,
  expiresAtEpochSeconds: number,
  holds?: HeldRecord,
): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: notificationItem(userId, id, entry, expiresAtEpochSeconds, holds),
        ...absent(),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export interface StoredNotification {
  id: string;
  entry: Item;
  read: boolean;
}

const cursorScope = (userId: string, unread: boolean) =>
  JSON.stringify(['notifications', userId, unread ? 'unread' : 'all']);

/** The cursor that resumes a user's list right after notification `id` (signed for that user and list). */
export async function notificationsCursor(userId: string, unread: boolean, id: string): Promise<string> {
  return signCursor(await serverCursorKeys(), cursorScope(userId, unread), { after: id });
}

/** The notification id a cursor of this user's list stands for, else undefined. */
export async function notificationsCursorPosition(
  userId: string,
  unread: boolean,
  cursor: string,
): Promise<string | undefined> {
  const data = openCursor(await serverCursorKeys(), cursorScope(userId, unread), cursor);
  return data && Object.keys(data).join() === 'after' ? data.after : undefined;
}

/** One page of a user's notifications (all, or unread only), newest first: one Query. */
export async function notificationsPage(
  userId: string,
  opts: { unread: boolean; limit: number; after?: string },
): Promise<{ items: StoredNotification[]; more: boolean }> {
  const q = notificationsQuery(userId, opts.unread);
  const page = await queryPage(q, {
    newestFirst: true,
    limit: opts.limit,
    start: opts.after === undefined ? undefined : notificationStartKey(q, userId, opts.after),
  });
  return { items: page.items.map(notificationEntryOf), more: page.lastKey !== undefined };
}

/** Marks one notification read: one conditional UpdateItem. False when the user has none of that id. */
export async function markNotificationRead(userId: string, id: string, at: string): Promise<boolean> {
  // A notification is never soft-deleted (TTL purges it): live() holds while it exists.
  return updateLiveItem(notificationKey(userId, id), notificationReadChange(at));
}
