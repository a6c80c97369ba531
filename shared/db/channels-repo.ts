import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelKind } from '../config/channels.js';
import type { ChannelFailure, StoredChannels } from '../domain/channels/settings.js';
import { db, tableName } from './client.js';
import {
  channelFailurePath,
  channelSettingsItem,
  channelSettingsKey,
  channelSettingsOf,
  deliveriesQuery,
  deliveryItem,
  deliveryKey,
  deliveryOf,
  deliveryStartKey,
  deliveryWriteCondition,
  type StoredDelivery,
} from './keys.js';
import { queryPage } from './paged-query.js';

/** Channel settings and delivery records in the table (keys: shared/db/keys.ts, "Channels"). */

export async function readChannelSettings(department: string): Promise<StoredChannels | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: channelSettingsKey(department), ConsistentRead: true }),
  );
  return channelSettingsOf(out.Item) as StoredChannels | undefined;
}

/** Replaces a department's settings (and so clears its channels' failure marks). */
export async function saveChannelSettings(department: string, settings: StoredChannels): Promise<void> {
  await db().send(
    new PutCommand({ TableName: tableName(), Item: channelSettingsItem(department, settings) }),
  );
}

/** Marks one channel failing (a permanent refusal), or clears the mark (`undefined`). */
export async function markChannel(
  department: string,
  channel: ChannelKind,
  failure: ChannelFailure | undefined,
): Promise<void> {
  const [settings, failing, kind] = channelFailurePath(channel);
  const names = { '#s': settings!, '#f': failing!, '#k': kind! };
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: channelSettingsKey(department),
        ...(failure
          ? { UpdateExpression: 'SET #s.#f.#k = :v', ExpressionAttributeValues: { ':v': failure } }
          : { UpdateExpression: 'REMOVE #s.#f.#k' }),
        ExpressionAttributeNames: names,
        // Only while the settings are there: a mark must not make a settings item out of nothing.
        ConditionExpression: 'attribute_exists(#s.#f)',
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

export async function readDelivery(
  eventId: string,
  department: string,
  channel: string,
): Promise<StoredDelivery | undefined> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: deliveryKey(eventId, department, channel),
      ConsistentRead: true,
    }),
  );
  return deliveryOf(out.Item);
}

/**
 * Writes the next state of a delivery record, if it is still at the revision read (0: absent). Returns
 * false when another writer got there first: the caller must not send.
 */
export async function writeDelivery(next: StoredDelivery, readRevision: number): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: deliveryItem({ ...next, revision: readRevision + 1 }),
        ...deliveryWriteCondition(readRevision),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** One page (one Query) of a department's deliveries, newest first. */
export async function readDeliveries(
  department: string,
  opts: { status?: string; limit: number; after?: StoredDelivery },
): Promise<{ items: StoredDelivery[]; more: boolean }> {
  const q = deliveriesQuery(department, opts.status);
  const page = await queryPage(q, {
    newestFirst: true,
    limit: opts.limit,
    start: opts.after ? deliveryStartKey(q, opts.after) : undefined,
  });
  const items = page.items.flatMap((item) => deliveryOf(item) ?? []);
  return { items, more: page.lastKey !== undefined };
}
