import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../config/limits.js';
import { type CollectionName, finalStatesOf, type RecordOf } from '../domain/collections.js';
import type { RecordPatch } from '../domain/validation.js';
import type { WriteGuard } from '../policy/policy.js';
import { db, tableName } from './client.js';
import { absent, classify, type RecordCondition, type Refusal } from './conditions.js';
import { expression } from './expressions.js';
import {
  changeForPatch,
  deletionChange,
  deletionOf,
  type Item,
  type ItemChange,
  idempotencyItem,
  recordItem,
  recordKey,
  replayOf,
} from './keys.js';
import { recordOf } from './stored-records.js';
import {
  failedReference,
  newRecordPut,
  type ReferenceCheck,
  recordUpdate,
  referenceCheckItem,
  type TransactItem,
  transact,
} from './transactions.js';

/**
 * The records repository: every read and write of a record, each exactly one DynamoDB call. The
 * ownership guard, the version, final states, index keys, idempotency entries and soft deletion are
 * all turned into items and conditions here (and in the modules it uses), nowhere else.
 */

export async function getRecord<C extends CollectionName>(
  collection: C,
  id: string,
): Promise<RecordOf<C> | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: recordKey(collection, id) }));
  return out.Item && !deletionOf(out.Item) ? recordOf(collection, out.Item) : undefined;
}

/** A create made idempotent by the caller's key: the same key and request give the first answer back. */
export interface IdempotentCreate {
  userId: string;
  key: string;
  /** What identifies "the same request" (the collection and body, hashed by the use case). */
  requestHash: string;
}

export type CreateOutcome<C extends CollectionName> =
  | { ok: true }
  | { ok: false; reason: 'replay'; requestHash: string; response: RecordOf<C> }
  | { ok: false; reason: 'bad-reference'; index: number; exists: boolean };

/** The entry that answers a repeat of this create until it lapses (LIMITS.idempotencyTtlSeconds). */
function idempotencyPut(idempotency: IdempotentCreate, response: Item): TransactItem {
  const expiresAt = Math.floor(Date.now() / 1000) + LIMITS.idempotencyTtlSeconds;
  const { userId, key, requestHash } = idempotency;
  return {
    Put: {
      TableName: tableName(),
      Item: idempotencyItem(userId, key, { requestHash, response }, expiresAt),
      ...absent(),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Stores a new record. A plain create is one conditional Put; with an idempotency entry or
 * references to check it is one transaction, so that nothing is half-written.
 */
export async function createRecord<C extends CollectionName>(
  collection: C,
  record: RecordOf<C>,
  opts: { idempotency?: IdempotentCreate; references?: ReferenceCheck[]; linkedAccountId?: string } = {},
): Promise<CreateOutcome<C>> {
  const references = opts.references ?? [];
  if (!opts.idempotency && references.length === 0) {
    const Item = recordItem(collection, record, opts.linkedAccountId);
    await db().send(new PutCommand({ TableName: tableName(), Item, ...absent() }));
    return { ok: true };
  }
  const items: TransactItem[] = opts.idempotency ? [idempotencyPut(opts.idempotency, record)] : [];
  const firstReference = items.length;
  for (const ref of references) items.push(referenceCheckItem(ref));
  items.push(newRecordPut(collection, record, opts.linkedAccountId));
  const reasons = await transact(items);
  if (!reasons) return { ok: true };
  const replay = opts.idempotency && reasons[0]?.Code === 'ConditionalCheckFailed' && reasons[0].Item;
  if (replay) return replayOutcome(collection, replay);
  const failed = failedReference(reasons, firstReference, references.length);
  if (failed) return { ok: false, reason: 'bad-reference', ...failed };
  throw new Error(`create cancelled: ${reasons.map((r) => r.Code).join(',')}`);
}

function replayOutcome<C extends CollectionName>(collection: C, entry: Item): CreateOutcome<C> {
  const replay = replayOf(entry);
  const response = replay?.response;
  if (!replay || typeof response !== 'object' || response === null || Array.isArray(response))
    throw new Error('an idempotency entry holds no answer');
  return {
    ok: false,
    reason: 'replay',
    requestHash: replay.requestHash,
    response: recordOf(collection, { ...response }),
  };
}

/** What a change of a record needs besides its fields: whose it must be, and which versions it may replace. */
export interface WritePreconditions {
  guard: WriteGuard;
  /** The versions If-Match lists (any may match); undefined: no version check. */
  expectedVersions?: number[];
}

export type WriteOutcome<C extends CollectionName> =
  | { ok: true; record: RecordOf<C> }
  | ({ ok: false } & Refusal);

/** A change of fields is refused on a settled record (final state); a delete is not a change of state. */
const changeOf = (collection: CollectionName, pre: WritePreconditions): RecordCondition => ({
  guard: pre.guard,
  versions: pre.expectedVersions,
  final: finalStatesOf(collection),
});

/** One conditional UpdateItem: the ownership, version and final-state checks and the change, one atomic step. */
async function conditionalUpdate<C extends CollectionName>(
  collection: C,
  id: string,
  change: ItemChange,
  condition: RecordCondition,
): Promise<WriteOutcome<C>> {
  try {
    const out = await db().send(
      new UpdateCommand({
        ...recordUpdate(collection, id, change, condition),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, record: recordOf(collection, out.Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return { ok: false, ...classify(collection, error.Item && expression.unmarshall(error.Item), condition) };
  }
}

/** Applies a JSON merge patch (index keys kept in step) in one conditional UpdateItem. */
export function updateRecord<C extends CollectionName>(
  collection: C,
  id: string,
  patch: RecordPatch,
  pre: WritePreconditions,
): Promise<WriteOutcome<C>> {
  return conditionalUpdate(collection, id, changeForPatch(collection, id, patch), changeOf(collection, pre));
}

export type CheckedWriteOutcome<C extends CollectionName> =
  | WriteOutcome<C>
  | { ok: false; reason: 'bad-reference'; index: number; exists: boolean };

/**
 * A change that re-points references: ONE TransactWriteItems of the update (first, so that its own
 * refusal wins) and a ConditionCheck per reference, so that a racing delete of a target cannot slip
 * in between. It is conditional on the version read, which is what lets the reply be `before` + change.
 */
export async function updateRecordChecked<C extends CollectionName>(
  collection: C,
  before: RecordOf<C>,
  patch: RecordPatch,
  pre: WritePreconditions,
  references: ReferenceCheck[],
): Promise<CheckedWriteOutcome<C>> {
  const asked = changeOf(collection, pre);
  // If-Match names versions other than the one read: this write could never match.
  if (pre.expectedVersions && !pre.expectedVersions.includes(before.version))
    return { ok: false, ...classify(collection, before, asked) };
  const atRead = { ...asked, versions: [before.version] };
  const change = changeForPatch(collection, before.id, patch);
  const reasons = await transact([
    {
      Update: {
        ...recordUpdate(collection, before.id, change, atRead),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    ...references.map(referenceCheckItem),
  ]);
  if (!reasons) {
    const after: Item = { ...before, ...change.set, version: before.version + 1 };
    for (const field of change.remove) delete after[field];
    return { ok: true, record: recordOf(collection, after) };
  }
  if (reasons[0]?.Code === 'ConditionalCheckFailed')
    return { ok: false, ...classify(collection, reasons[0].Item, atRead) };
  const failed = failedReference(reasons, 1, references.length);
  if (failed) return { ok: false, reason: 'bad-reference', ...failed };
  throw new Error(`update cancelled: ${reasons.map((r) => r.Code).join(',')}`);
}

/** Soft delete (see deletionChange): one conditional UpdateItem, like any other change. */
export async function deleteRecord<C extends CollectionName>(
  collection: C,
  id: string,
  pre: WritePreconditions,
  actor: string,
): Promise<WriteOutcome<C>> {
  const condition = { guard: pre.guard, versions: pre.expectedVersions };
  return conditionalUpdate(collection, id, deletionChange(actor, new Date()), condition);
}
