import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CollectionName } from '../domain/collections.js';
import type { RecordPatch } from '../domain/validation.js';
import { db, tableName } from './client.js';
import { readDerivedPage } from './derived-items.js';
import {
  activitiesAboutQuery,
  auditPartition,
  commentsQuery,
  erasureChange,
  erasureItem,
  erasureKey,
  erasureOfItem,
  type HeldCopy,
  type HeldRecord,
  handoffQuery,
  heldCopiesQuery,
  heldCopyOf,
  type IndexQuery,
  type Item,
  type Key,
  naturalKeyQuery,
  PARTITION_KEY_ATTRIBUTE,
  startKeyInPartition,
} from './keys.js';
import { recordOf } from './stored-records.js';
import { recordUpdate } from './transactions.js';

/**
 * What a privacy export or erasure reads and rewrites (docs/import-export.md, "Privacy"): every read is
 * a Query of one partition of the table or of an index, never a Scan. Reads follow every page: one
 * person's records and their copies are few, and each is read whole.
 */

async function queryAll(q: IndexQuery): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const out = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: q.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': q.pkAttr },
        ExpressionAttributeValues: { ':pk': q.pkValue },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const recordsOf = async <C extends CollectionName>(collection: C, q: IndexQuery) =>
  (await queryAll(q)).map((item) => recordOf(collection, item));

/** The live records of a collection with this natural key (lowercased email). */
export const recordsByNaturalKey = <C extends CollectionName>(collection: C, key: string) =>
  recordsOf(collection, naturalKeyQuery(collection, key));

export const activitiesAbout = (collection: CollectionName, id: string) =>
  recordsOf('activities', activitiesAboutQuery(collection, id));

export const commentsOn = (collection: CollectionName, id: string) =>
  recordsOf('comments', commentsQuery(collection, id));

export const handoffsAbout = (collection: CollectionName, id: string) =>
  recordsOf('handoffs', handoffQuery({ by: 'about', collection, id }));

/** Every feed item and notification holding a copy of the record. */
export async function heldCopies(holds: HeldRecord): Promise<HeldCopy[]> {
  return (await queryAll(heldCopiesQuery(holds))).flatMap((item) => heldCopyOf(item) ?? []);
}

/** A record's whole audit trail, oldest first, with each entry's key (to rewrite it). */
export async function auditEntries(holds: HeldRecord): Promise<{ key: Key; entry: Item }[]> {
  const q = auditPartition(holds.entity, holds.id);
  const out: { key: Key; entry: Item }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await readDerivedPage(q, { limit: 100, after, forward: true });
    for (const e of page.entries)
      out.push({ key: startKeyInPartition(q, e.position) as Key, entry: e.entry });
    if (!page.more || page.entries.length === 0) return out;
    after = page.entries[page.entries.length - 1]?.position;
  }
}

/** Replaces the entry of a feed item, notification or audit entry, if the item is still there. */
export async function rewriteEntry(key: Key, entryAttribute: string, entry: Item): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #e = :e',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#e': entryAttribute, '#pk': PARTITION_KEY_ATTRIBUTE },
        ExpressionAttributeValues: { ':e': entry },
      }),
    );
    return true;
  } catch (error) {
    // Purged by TTL (or deleted) meanwhile: nothing left to erase.
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Erases a record's personal fields: one conditional UpdateItem on the version read (a change in
 * between makes it false: read again), with a new version and the erasure mark.
 */
export async function eraseRecord(
  collection: CollectionName,
  record: { id: string; version: number },
  patch: RecordPatch,
  actor: string,
  at: string,
): Promise<boolean> {
  try {
    const change = erasureChange(collection, record.id, patch, actor, at);
    await db().send(
      new UpdateCommand(recordUpdate(collection, record.id, change, { versions: [record.version] })),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The erasure of a subject (by the hash of their email), as last written. */
export async function getErasure(subjectHash: string): Promise<Item | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: erasureKey(subjectHash), ConsistentRead: true }),
  );
  return erasureOfItem(out.Item);
}

export async function putErasure(subjectHash: string, erasure: Item): Promise<void> {
  await db().send(new PutCommand({ TableName: tableName(), Item: erasureItem(subjectHash, erasure) }));
}
