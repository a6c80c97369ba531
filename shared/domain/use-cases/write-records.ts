import { type Item, indexChangesForPatch } from '../../db/keys.js';
import {
  deleteRecord,
  getRecord,
  updateRecord,
  updateRecordChecked,
  type WriteConditions,
  type WriteOutcome,
} from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canRead, redact, writeGuard } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type CrmRecord, finalStatesOf } from '../collections.js';
import { fail } from '../errors.js';
import { validatePatch } from '../validation.js';
import { parseIfMatch, referencesOf, requireId } from './preconditions.js';
import { checkOwnerAssignments, referenceCheck, referenceProblem } from './write-checks.js';

/**
 * Turns a refused conditional write into the answer the contract gives. A version mismatch is the
 * client's stale If-Match (412), or, when it sent none, a change that got in since the read (409).
 */
function unwrap(outcome: WriteOutcome, conditions: WriteConditions): CrmRecord {
  if (outcome.ok) return outcome.record;
  if (outcome.reason === 'absent') throw fail.notFound();
  if (outcome.reason === 'denied')
    throw fail.forbidden('You may only change records you own (or, as a manager, your department’s).');
  if (outcome.reason === 'final') {
    const state = conditions.final ? String(outcome.current?.[conditions.final.field]) : 'final';
    throw fail.conflict(`This record is ${state}, a final state: it can no longer be changed.`);
  }
  if (conditions.expectedVersions === undefined)
    throw fail.conflict('The record changed while this request ran; nothing was written. Try again.');
  throw fail.stale();
}

function guardFor(caller: Caller, collection: CollectionName) {
  if (!canRead(caller, collection)) throw fail.notFound();
  const guard = writeGuard(caller, collection);
  if (!guard) throw fail.forbidden(`You may not change ${collection}.`);
  return guard;
}

/** Whether a patch points the record at another account or contact (which must then be checked). */
function repoints(collection: CollectionName, patch: Item): boolean {
  const { accountField, contactField } = COLLECTIONS[collection];
  return [accountField, contactField].some((f) => f !== undefined && typeof patch[f] === 'string');
}

/**
 * Re-pointing reads the record (a case's contact must belong to the case's account, stored or sent),
 * then writes the change and checks every target in ONE transaction, conditional on the version read.
 */
async function updateWithReferences(
  collection: CollectionName,
  id: string,
  patch: Item,
  change: { set: Item; remove: string[] },
  conditions: WriteConditions,
): Promise<WriteOutcome> {
  const before = await getRecord(collection, id);
  if (!before) return { ok: false, reason: 'absent' };
  const refs = referencesOf(collection, { ...before, ...patch }, patch);
  const outcome = await updateRecordChecked(collection, before, change, conditions, refs.map(referenceCheck));
  if (outcome.ok || outcome.reason !== 'bad-reference') return outcome;
  throw referenceProblem(refs[outcome.index]!, outcome.exists);
}

/**
 * JSON merge patch: one conditional UpdateItem (ownership, version, final state and change in one
 * step), or one transaction with the checks of the records it re-points to.
 */
export async function updateRecordUseCase(
  caller: Caller,
  collection: CollectionName,
  rawId: string | undefined,
  body: unknown,
  ifMatch?: string,
): Promise<CrmRecord> {
  const id = requireId(rawId);
  const guard = guardFor(caller, collection);
  const valid = validatePatch(collection, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const expectedVersions = parseIfMatch(ifMatch);
  await checkOwnerAssignments(caller, [{ collection, ownerId: valid.value.ownerId, path: 'ownerId' }]);

  const set: Item = { updatedAt: new Date().toISOString(), updatedBy: caller.userId };
  const remove: string[] = [];
  for (const [field, value] of Object.entries(valid.value)) {
    if (value === null) remove.push(field);
    else set[field] = value;
  }
  const indexes = indexChangesForPatch(collection, id, valid.value);
  const change = { set: { ...set, ...indexes.set }, remove: [...remove, ...indexes.remove] };
  const conditions: WriteConditions = { guard, expectedVersions, final: finalStatesOf(collection) };
  const outcome = repoints(collection, valid.value)
    ? await updateWithReferences(collection, id, valid.value, change, conditions)
    : await updateRecord(collection, id, change, conditions);
  return redact(caller, collection, unwrap(outcome, conditions));
}

export async function deleteRecordUseCase(
  caller: Caller,
  collection: CollectionName,
  rawId: string | undefined,
  ifMatch?: string,
): Promise<void> {
  const id = requireId(rawId);
  const guard = guardFor(caller, collection);
  const expectedVersions = parseIfMatch(ifMatch);
  // A delete is no change of state: a settled record (a converted lead) may still be deleted.
  const conditions: WriteConditions = { guard, expectedVersions };
  unwrap(await deleteRecord(collection, id, conditions, caller.userId), conditions);
}
