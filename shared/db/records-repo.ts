import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CollectionName, CrmRecord } from '../domain/collections.js';
import { fail } from '../domain/errors.js';
import type { WriteGuard } from '../policy/policy.js';
import { db, tableName } from './client.js';
import { expression } from './expressions.js';
import {
  DELETED_MARK,
  deletionChange,
  deletionOf,
  type IndexQuery,
  type Item,
  type Key,
  recordItem,
  recordKey,
  toRecord,
} from './keys.js';

/** Secondary adapter for records: each function is exactly one DynamoDB call. */

export async function getRecord(collection: CollectionName, id: string): Promise<CrmRecord | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: recordKey(collection, id) }));
  return out.Item && !deletionOf(out.Item) ? toRecord(out.Item) : undefined;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A record a write points at: it must exist, and hold the expected values (a case's contact: its account). */
export interface ReferenceCheck {
  key: Key;
  expect?: Item;
}

/**
 * A transaction item that holds only while the record exists, is not deleted and has the expected
 * values. On failure it returns the record, so that "absent" can be told from "not as expected".
 */
export function liveRecordCheck(key: Key, expect: Item = {}): TransactItem {
  const names: Record<string, string> = { '#deleted': DELETED_MARK };
  const values: Item = {};
  const parts = ['attribute_exists(PK)', 'attribute_not_exists(#deleted)'];
  Object.entries(expect).forEach(([field, value], i) => {
    parts.push(`#e${i} = :e${i}`);
    names[`#e${i}`] = field;
    values[`:e${i}`] = value;
  });
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: key,
      ConditionExpression: parts.join(' AND '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Which reference check of a cancelled transaction failed, and whether its record exists at all. */
function failedReference(reasons: CancellationReason[], first: number, count: number) {
  const index = reasons.findIndex(
    (r, i) => i >= first && i < first + count && r.Code === 'ConditionalCheckFailed',
  );
  if (index < 0) return undefined;
  const item = reasons[index]?.Item;
  return { index: index - first, exists: Boolean(item && !deletionOf(item)) };
}

/** A transaction item that stores a new record (never over an existing one). */
export function newRecordPut(
  collection: CollectionName,
  record: CrmRecord,
  linkedAccountId?: string,
): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: recordItem(collection, record, linkedAccountId),
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

export type CancellationReason = { Code?: string; Item?: Record<string, unknown> };

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

const CONCURRENT_CHANGE =
  'A concurrent change to the same record got there first; nothing was written. Try again.';

export interface IdempotencyWrite {
  key: Key;
  /** Stored with the record so that a replay can return the first result. */
  attributes: Item;
}

export type CreateOutcome =
  | { ok: true }
  | { ok: false; reason: 'replay'; stored: Item }
  | { ok: false; reason: 'bad-reference'; index: number; exists: boolean };

/**
 * Stores a new record. A plain create is one conditional Put; with an idempotency record or
 * references to check it is one transaction, so that nothing is half-written.
 */
export async function createRecord(
  collection: CollectionName,
  record: CrmRecord,
  opts: { idempotency?: IdempotencyWrite; references?: ReferenceCheck[]; linkedAccountId?: string } = {},
): Promise<CreateOutcome> {
  const Item = recordItem(collection, record, opts.linkedAccountId);
  const references = opts.references ?? [];
  if (!opts.idempotency && references.length === 0) {
    await db().send(
      new PutCommand({ TableName: tableName(), Item, ConditionExpression: 'attribute_not_exists(PK)' }),
    );
    return { ok: true };
  }
  const items: TransactItem[] = [];
  if (opts.idempotency) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: { ...opts.idempotency.key, ...opts.idempotency.attributes },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
  }
  const firstReference = items.length;
  for (const ref of references) items.push(liveRecordCheck(ref.key, ref.expect));
  items.push(newRecordPut(collection, record, opts.linkedAccountId));
  const reasons = await transact(items);
  if (!reasons) return { ok: true };
  if (opts.idempotency && reasons[0]?.Code === 'ConditionalCheckFailed') {
    return { ok: false, reason: 'replay', stored: (reasons[0].Item ?? {}) as Item };
  }
  const failed = failedReference(reasons, firstReference, references.length);
  if (failed) return { ok: false, reason: 'bad-reference', ...failed };
  throw new Error(`create cancelled: ${reasons.map((r) => r.Code).join(',')}`);
}

/** The per-item reasons of a cancelled transaction, unmarshalled; undefined for any other error. */
function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((r) => ({
    Code: r.Code,
    Item: r.Item ? unmarshallLoose(r.Item) : undefined,
  }));
}

function unmarshallLoose(item: Record<string, unknown>): Record<string, unknown> {
  // Cancellation reasons come back in wire format even from the DocumentClient.
  return expression.unmarshall(item);
}

export type WriteOutcome =
  | { ok: true; record: CrmRecord }
  | { ok: false; reason: 'absent' | 'denied' | 'final' | 'stale'; current?: CrmRecord };

export interface WriteConditions {
  guard: WriteGuard;
  /** The versions If-Match lists (any may match); undefined: no version check. */
  expectedVersions?: number[];
  /** Refuse the write while the stored state is one of these (a converted lead is settled). */
  final?: { field: string; states: readonly string[] };
}

/** The condition of every change: the record exists, is not deleted, passes the guard and the version. */
function conditionOf(c: WriteConditions) {
  const names: Record<string, string> = { '#pk': 'PK', '#deleted': DELETED_MARK };
  const values: Item = {};
  const parts = ['attribute_exists(#pk)', 'attribute_not_exists(#deleted)'];
  if ('ownerId' in c.guard) {
    parts.push('#guardOwner = :guardOwner');
    names['#guardOwner'] = 'ownerId';
    values[':guardOwner'] = c.guard.ownerId;
  }
  if ('ownerDept' in c.guard) {
    parts.push('#guardDept = :guardDept');
    names['#guardDept'] = 'ownerDept';
    values[':guardDept'] = c.guard.ownerDept;
  }
  if (c.final) {
    const placeholders = c.final.states.map((state, i) => {
      values[`:final${i}`] = state;
      return `:final${i}`;
    });
    parts.push(`(attribute_not_exists(#finalField) OR NOT (#finalField IN (${placeholders.join(', ')})))`);
    names['#finalField'] = c.final.field;
  }
  if (c.expectedVersions !== undefined) {
    // An empty list (only weak tags) matches nothing: version 0 never exists, and the failed
    // write still tells absent, denied and stale apart.
    const versions = c.expectedVersions.length ? c.expectedVersions : [0];
    const keys = versions.map((v, i) => {
      values[`:expectedVersion${i}`] = v;
      return `:expectedVersion${i}`;
    });
    parts.push(`#expectedVersion IN (${keys.join(', ')})`);
    names['#expectedVersion'] = 'version';
  }
  return { ConditionExpression: parts.join(' AND '), names, values };
}

/** Why a conditional write failed, told from the item DynamoDB returned with the failure. */
function classify(old: Item | undefined, c: WriteConditions): WriteOutcome {
  if (!old || deletionOf(old)) return { ok: false, reason: 'absent' };
  const current = toRecord(old);
  const guardOk =
    ('ownerId' in c.guard ? current.ownerId === c.guard.ownerId : true) &&
    ('ownerDept' in c.guard ? current.ownerDept === c.guard.ownerDept : true);
  if (!guardOk) return { ok: false, reason: 'denied', current };
  const settled = c.final?.states.includes(String(current[c.final.field]));
  return { ok: false, reason: settled ? 'final' : 'stale', current };
}

/**
 * Applies a merge patch in one conditional UpdateItem: the version check, the ownership check and
 * the change itself are one atomic step.
 */
export async function updateRecord(
  collection: CollectionName,
  id: string,
  change: { set: Item; remove: string[] },
  conditions: WriteConditions,
): Promise<WriteOutcome> {
  const update = expression.update(change.set, change.remove, { add: { version: 1 } });
  const condition = conditionOf(conditions);
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: recordKey(collection, id),
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...condition.names },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...condition.values },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, record: toRecord(out.Attributes ?? {}) };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      return classify(error.Item && unmarshallLoose(error.Item), conditions);
    throw error;
  }
}

export type CheckedWriteOutcome =
  | WriteOutcome
  | { ok: false; reason: 'bad-reference'; index: number; exists: boolean };

/**
 * A change that re-points references: ONE TransactWriteItems of the update (first, so that its own
 * refusal wins) and a ConditionCheck per reference, so that a racing delete of a target cannot slip
 * in between. It is conditional on the version read, which is what lets the reply be `before` + change.
 */
export async function updateRecordChecked(
  collection: CollectionName,
  before: CrmRecord,
  change: { set: Item; remove: string[] },
  conditions: WriteConditions,
  references: ReferenceCheck[],
): Promise<CheckedWriteOutcome> {
  if (conditions.expectedVersions && !conditions.expectedVersions.includes(before.version))
    return classify(before, conditions);
  const atRead = { ...conditions, expectedVersions: [before.version] };
  const update = expression.update(change.set, change.remove, { add: { version: 1 } });
  const condition = conditionOf(atRead);
  const reasons = await transact([
    {
      Update: {
        TableName: tableName(),
        Key: recordKey(collection, before.id),
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...condition.names },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...condition.values },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...references.map((r) => liveRecordCheck(r.key, r.expect)),
  ]);
  if (!reasons) {
    const after: Item = { ...before, ...change.set, version: before.version + 1 };
    for (const field of change.remove) delete after[field];
    return { ok: true, record: toRecord(after) };
  }
  if (reasons[0]?.Code === 'ConditionalCheckFailed') return classify(reasons[0].Item, atRead);
  const failed = failedReference(reasons, 1, references.length);
  if (failed) return { ok: false, reason: 'bad-reference', ...failed };
  throw new Error(`update cancelled: ${reasons.map((r) => r.Code).join(',')}`);
}

/** Soft delete (see deletionChange): one conditional UpdateItem, like any other change. */
export async function deleteRecord(
  collection: CollectionName,
  id: string,
  conditions: WriteConditions,
  actor: string,
): Promise<WriteOutcome> {
  return updateRecord(collection, id, deletionChange(actor, new Date()), conditions);
}

export interface Page {
  items: Item[];
  lastKey?: Item;
}

/** One page of an index, newest first. */
export async function queryIndex(q: IndexQuery, limit: number, startKey?: Item): Promise<Page> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: q.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': q.pkAttr },
      ExpressionAttributeValues: { ':pk': q.pkValue },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
}
