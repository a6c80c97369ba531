import {
  deleteRecord,
  getRecord,
  updateRecord,
  updateRecordChecked,
  type WriteOutcome,
  type WritePreconditions,
} from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canRead, redact, type WriteAction, writeGuard } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type RecordOf } from '../collections.js';
import { fail } from '../errors.js';
import { type RecordPatch, validatePatch } from '../validation.js';
import { referencesOf } from './preconditions.js';
import { checkOwnerAssignments, referenceCheck, referenceProblem } from './write-checks.js';

/**
 * Turns a refused conditional write into the answer the contract gives. A version mismatch is the
 * client's stale If-Match (412), or, when it sent none, a change that got in since the read (409).
 */
function unwrap<C extends CollectionName>(outcome: WriteOutcome<C>, pre: WritePreconditions): RecordOf<C> {
  if (outcome.ok) return outcome.record;
  switch (outcome.reason) {
    case 'absent':
      throw fail.notFound();
    case 'denied':
      throw fail.forbidden('You may only change records you own (or, as a manager, your department’s).');
    case 'final':
      throw fail.conflict(`This record is ${outcome.state}, a final state: it can no longer be changed.`);
    case 'stale':
      if (pre.expectedVersions === undefined)
        throw fail.conflict('The record changed while this request ran; nothing was written. Try again.');
      throw fail.stale();
  }
}

function guardFor(caller: Caller, collection: CollectionName, action: WriteAction) {
  if (!canRead(caller, collection)) throw fail.notFound();
  const guard = writeGuard(caller, collection, action);
  if (!guard) throw fail.forbidden(`You may not change ${collection}.`);
  return guard;
}

/** Whether a patch points the record at another account or contact (which must then be checked). */
function repoints(collection: CollectionName, patch: RecordPatch): boolean {
  const { accountField, contactField } = COLLECTIONS[collection];
  return [accountField, contactField].some((f) => f !== undefined && typeof patch[f] === 'string');
}

/**
 * Re-pointing reads the record (a case's contact must belong to the case's account, stored or sent),
 * then writes the change and checks every target in ONE transaction, conditional on the version read.
 */
async function updateWithReferences<C extends CollectionName>(
  collection: C,
  id: string,
  patch: RecordPatch,
  pre: WritePreconditions,
): Promise<WriteOutcome<C>> {
  const before = await getRecord(collection, id);
  if (!before) return { ok: false, reason: 'absent' };
  const refs = referencesOf(collection, { ...before, ...patch }, patch);
  const outcome = await updateRecordChecked(collection, before, patch, pre, refs.map(referenceCheck));
  if (outcome.ok || outcome.reason !== 'bad-reference') return outcome;
  throw referenceProblem(refs[outcome.index]!, outcome.exists);
}

/**
 * JSON merge patch: one conditional UpdateItem (ownership, version, final state and change in one
 * step), or one transaction with the checks of the records it re-points to. `expectedVersions`: the
 * versions the change may replace (If-Match), undefined for any.
 */
export async function updateRecordUseCase<C extends CollectionName>(
  caller: Caller,
  collection: C,
  id: string,
  body: unknown,
  expectedVersions?: number[],
): Promise<RecordOf<C>> {
  const guard = guardFor(caller, collection, 'update');
  const valid = validatePatch(collection, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  await checkOwnerAssignments(caller, [{ collection, ownerId: valid.value.ownerId, path: 'ownerId' }]);

  const patch = { ...valid.value, updatedAt: new Date().toISOString(), updatedBy: caller.userId };
  const pre: WritePreconditions = { guard, expectedVersions };
  const outcome = repoints(collection, valid.value)
    ? await updateWithReferences(collection, id, patch, pre)
    : await updateRecord(collection, id, patch, pre);
  return redact(caller, collection, unwrap(outcome, pre));
}

/** A delete is no change of state: a settled record (a converted lead) may still be deleted. */
export async function deleteRecordUseCase(
  caller: Caller,
  collection: CollectionName,
  id: string,
  expectedVersions?: number[],
): Promise<void> {
  const pre: WritePreconditions = { guard: guardFor(caller, collection, 'delete'), expectedVersions };
  unwrap(await deleteRecord(collection, id, pre, caller.userId), pre);
}
