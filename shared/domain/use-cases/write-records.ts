import { type Item, indexChangesForPatch } from '../../db/keys.js';
import { deleteRecord, getRecord, updateRecord, type WriteOutcome } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canRead, redact, writeGuard } from '../../policy/policy.js';
import type { CollectionName, CrmRecord } from '../collections.js';
import { fail } from '../errors.js';
import { validatePatch } from '../validation.js';
import { parseIfMatch, referencesOf, requireId } from './preconditions.js';

/** Turns a refused conditional write into the answer the contract gives. */
function unwrap(outcome: WriteOutcome): CrmRecord {
  if (outcome.ok) return outcome.record;
  if (outcome.reason === 'absent') throw fail.notFound();
  if (outcome.reason === 'denied')
    throw fail.forbidden('You may only change records you own (or, as a manager, your department’s).');
  throw fail.stale();
}

function guardFor(caller: Caller, collection: CollectionName) {
  if (!canRead(caller, collection)) throw fail.notFound();
  const guard = writeGuard(caller, collection);
  if (!guard) throw fail.forbidden(`You may not change ${collection}.`);
  return guard;
}

/** A patch that re-points a record at another account or contact must name one that exists. */
async function checkReferences(collection: CollectionName, patch: Item): Promise<void> {
  for (const ref of referencesOf(collection, patch)) {
    if (!(await getRecord(ref.collection, ref.id))) {
      throw fail.invalid([{ path: ref.path, message: `names no existing record of ${ref.collection}` }]);
    }
  }
}

/** JSON merge patch as one conditional UpdateItem: ownership, version and change in one step. */
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
  const expectedVersion = parseIfMatch(ifMatch);
  await checkReferences(collection, valid.value);

  const set: Item = { updatedAt: new Date().toISOString(), updatedBy: caller.userId };
  const remove: string[] = [];
  for (const [field, value] of Object.entries(valid.value)) {
    if (value === null) remove.push(field);
    else set[field] = value;
  }
  const indexes = indexChangesForPatch(collection, id, valid.value);
  const outcome = await updateRecord(
    collection,
    id,
    { set: { ...set, ...indexes.set }, remove: [...remove, ...indexes.remove] },
    { guard, expectedVersion },
  );
  return redact(caller, collection, unwrap(outcome));
}

export async function deleteRecordUseCase(
  caller: Caller,
  collection: CollectionName,
  rawId: string | undefined,
  ifMatch?: string,
): Promise<void> {
  const id = requireId(rawId);
  const guard = guardFor(caller, collection);
  const expectedVersion = parseIfMatch(ifMatch);
  unwrap(await deleteRecord(collection, id, { guard, expectedVersion }, caller.userId));
}
