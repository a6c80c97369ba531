import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CollectionName } from '../domain/collections.js';
import { db, tableName } from './client.js';
import { expression } from './expressions.js';
import { type Item, type JobKind, jobItem, jobKey, jobOf, naturalKeyQuery } from './keys.js';

/** Import and export jobs: one item each (keys.ts), read and written whole or by a few fields. */

/** How long a job (and its files, by the bucket's lifecycle rule) is kept. */
export const JOB_TTL_SECONDS = 7 * 24 * 60 * 60;

export async function putJob(kind: JobKind, job: { readonly id: string } & Item): Promise<void> {
  const expiresAt = Math.floor(Date.now() / 1000) + JOB_TTL_SECONDS;
  await db().send(new PutCommand({ TableName: tableName(), Item: jobItem(kind, job, expiresAt) }));
}

export async function getJob(kind: JobKind, id: string): Promise<Item | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: jobKey(kind, id), ConsistentRead: true }),
  );
  return jobOf(out.Item);
}

/**
 * Sets fields of a job; with `fromStatuses`, only while its status is one of them (false when it was
 * not: another start got there first).
 */
export async function updateJob(
  kind: JobKind,
  id: string,
  set: Item,
  fromStatuses?: readonly string[],
): Promise<boolean> {
  const u = expression.update(set, []);
  const condition = fromStatuses
    ? {
        ConditionExpression: `#jobStatus IN (${fromStatuses.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: { ...u.ExpressionAttributeNames, '#jobStatus': 'status' },
        ExpressionAttributeValues: {
          ...u.ExpressionAttributeValues,
          ...Object.fromEntries(fromStatuses.map((s, i) => [`:from${i}`, s])),
        },
      }
    : {};
  try {
    await db().send(new UpdateCommand({ TableName: tableName(), Key: jobKey(kind, id), ...u, ...condition }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The ids of live records with this natural key, oldest first: one Query of the natural-key index
 * (never a Scan). The index is eventually consistent: a record made a moment ago may be missing.
 */
export async function idsByNaturalKey(collection: CollectionName, key: string): Promise<string[]> {
  const q = naturalKeyQuery(collection, key);
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: q.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': q.pkAttr, '#sk': q.skAttr },
      ExpressionAttributeValues: { ':pk': q.pkValue },
      ProjectionExpression: '#sk',
      Limit: 10,
    }),
  );
  return (out.Items ?? []).map((i) => String(i[q.skAttr]));
}
