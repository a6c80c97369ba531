import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CollectionName } from '../domain/collections.js';
import { fail } from '../domain/errors.js';
import { db, tableName } from './client.js';
import { absent, live, type RecordCondition } from './conditions.js';
import { expression } from './expressions.js';
import { deletionOf, type Item, type ItemChange, recordItem, recordKey } from './keys.js';

/** The items of a write that must happen all together, and the refusals a transaction can meet. */

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type CancellationReason = { Code?: string; Item?: Item };

const CONCURRENT_CHANGE =
  'A concurrent change to the same record got there first; nothing was written. Try again.';

/** The per-item reasons of a cancelled transaction, unmarshalled; undefined for any other error. */
function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((r) => ({
    Code: r.Code,
    Item: r.Item ? expression.unmarshall(r.Item) : undefined,
  }));
}

/**
 * Runs one transaction: undefined when it committed, the per-item reasons when a condition cancelled
 * it. A transaction that lost a race with another one on the same item (TransactionConflict) wrote
 * nothing and is the caller's to retry: a conflict, not a server fault.
 */
export async function transact(items: TransactItem[]): Promise<CancellationReason[] | undefined> {
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
    return undefined;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons.some((r) => r.Code === 'TransactionConflict')) throw fail.conflict(CONCURRENT_CHANGE);
    return reasons;
  }
}

/** A transaction item that stores a new record (never over an existing one). */
export function newRecordPut(
  collection: CollectionName,
  record: { readonly id: string } & Item,
  linkedAccountId?: string,
): TransactItem {
  return {
    Put: { TableName: tableName(), Item: recordItem(collection, record, linkedAccountId), ...absent() },
  };
}

/** A record a write points at: it must exist, and hold the expected values (a case's contact: its account). */
export interface ReferenceCheck {
  collection: CollectionName;
  id: string;
  expect?: Readonly<Record<string, string>>;
}

/**
 * A transaction item that holds only while the record exists, is not deleted and has the expected
 * values. On failure it returns the record, so that "absent" can be told from "not as expected".
 */
export function referenceCheckItem(ref: ReferenceCheck): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: recordKey(ref.collection, ref.id),
      ...live({ expect: ref.expect }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Which reference check of a cancelled transaction failed, and whether its record exists at all. */
export function failedReference(reasons: CancellationReason[], first: number, count: number) {
  const index = reasons.findIndex(
    (r, i) => i >= first && i < first + count && r.Code === 'ConditionalCheckFailed',
  );
  if (index < 0) return undefined;
  const item = reasons[index]?.Item;
  return { index: index - first, exists: Boolean(item && !deletionOf(item)) };
}

/**
 * A change to one record under its condition, as UpdateItem (or a transaction's Update) takes it:
 * SET / REMOVE as given, the version + 1, and the condition checked in the same step.
 */
export function recordUpdate(collection: CollectionName, id: string, change: ItemChange, c: RecordCondition) {
  const update = expression.update(change.set, change.remove, { add: { version: 1 } });
  const condition = live(c);
  return {
    TableName: tableName(),
    Key: recordKey(collection, id),
    UpdateExpression: update.UpdateExpression,
    ConditionExpression: condition.ConditionExpression,
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...condition.ExpressionAttributeNames },
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ...condition.ExpressionAttributeValues,
    },
  };
}
