import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RecordOf } from '../domain/collections.js';
import type { Handoff } from '../domain/handoffs.js';
import type { RecordPatch } from '../domain/validation.js';
import { db } from './client.js';
import { expression } from './expressions.js';
import { changeForPatch, deletionOf } from './keys.js';
import { recordOf } from './stored-records.js';
import { recordUpdate } from './transactions.js';

export type MoveOutcome =
  | { ok: true; record: RecordOf<'handoffs'> }
  | { ok: false; reason: 'absent' | 'moved' };

/**
 * A handoff's move: ONE conditional UpdateItem that holds only while the handoff is still in the
 * status it was read in (so of two racing moves one wins, and an illegal move writes nothing), with
 * its index keys kept in step (the status partitions read the handoff's fixed `toDept` too).
 */
export async function moveHandoff(before: Handoff, patch: RecordPatch): Promise<MoveOutcome> {
  const change = changeForPatch('handoffs', before.id, patch, before);
  try {
    const out = await db().send(
      new UpdateCommand({
        ...recordUpdate('handoffs', before.id, change, { expect: { status: before.status } }),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, record: recordOf('handoffs', out.Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const item = error.Item && expression.unmarshall(error.Item);
    return { ok: false, reason: !item || deletionOf(item) ? 'absent' : 'moved' };
  }
}

export type BlindMoveOutcome =
  | { ok: true; record: RecordOf<'handoffs'> }
  | { ok: false; stored: RecordOf<'handoffs'> | undefined };

/**
 * A receiver's move without reading the handoff first: the mover's department is the `toDept` the
 * write must find (and its status partitions are derived from it), so the move is ONE conditional
 * UpdateItem. When it is refused, the handoff as it was (DynamoDB returns it with the failure) tells
 * the caller why: absent, not theirs to move, or in another status.
 */
export async function moveReceivedHandoff(
  id: string,
  expected: { status: string; toDept: string },
  patch: RecordPatch,
): Promise<BlindMoveOutcome> {
  const change = changeForPatch('handoffs', id, patch, expected);
  try {
    const out = await db().send(
      new UpdateCommand({
        ...recordUpdate('handoffs', id, change, { expect: expected }),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, record: recordOf('handoffs', out.Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const item = error.Item && expression.unmarshall(error.Item);
    return { ok: false, stored: !item || deletionOf(item) ? undefined : recordOf('handoffs', item) };
  }
}
