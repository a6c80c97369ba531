import { createHash } from 'node:crypto';
import { createRecord, getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canCreate, canRead, ownerDeptFor, redact } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type FieldsOf, fieldOf, type RecordOf } from '../collections.js';
import { fail } from '../errors.js';
import { newId } from '../ids.js';
import { validateCreate } from '../validation.js';
import { referencesOf } from './preconditions.js';
import { checkOwnerAssignments, referenceCheck, referenceProblem } from './write-checks.js';

export interface CreateResult<C extends CollectionName> {
  record: RecordOf<C>;
  /** True when an idempotency key's replay returned the first result. */
  replayed: boolean;
}

/** "The same request" for an idempotency key: the same collection and the same body. */
export function requestHash(collection: CollectionName, body: unknown): string {
  return createHash('sha256').update(collection).update(JSON.stringify(body)).digest('base64url');
}

export function newRecord<C extends CollectionName>(
  caller: Caller,
  collection: C,
  fields: FieldsOf<C>,
  now = new Date(),
  id = newId(now.getTime()),
): RecordOf<C> {
  const at = now.toISOString();
  return {
    ...COLLECTIONS[collection].defaults,
    ...fields,
    id,
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: caller.userId,
    updatedBy: caller.userId,
    ownerId: ownerIdOf(fields) ?? caller.userId,
    ownerDept: ownerDeptFor(caller, collection),
  };
}

/** The owner a body names, in collections that take one (a handoff is always the requester's). */
const ownerIdOf = (fields: FieldsOf<CollectionName>) => ('ownerId' in fields ? fields.ownerId : undefined);

/** The record an activity is about (`relatedTo`); other collections relate through their fields. */
const relatedOf = (fields: FieldsOf<CollectionName>) =>
  'relatedTo' in fields ? fields.relatedTo : undefined;

/** An activity lands on the timeline of the account it is about, directly or through its record. */
async function linkedAccountOf(
  caller: Caller,
  fields: FieldsOf<CollectionName>,
): Promise<string | undefined> {
  const related = relatedOf(fields);
  if (!related || related.collection === 'accounts') return related?.id;
  const target = canRead(caller, related.collection)
    ? await getRecord(related.collection, related.id)
    : undefined;
  if (!target) throw fail.invalid([{ path: 'relatedTo', message: 'names no record you can see' }]);
  const accountId = fieldOf(target, 'accountId');
  return typeof accountId === 'string' ? accountId : undefined;
}

/**
 * Primary use case: create a record, once per idempotency key, owned by the caller or by a user within
 * their reach, with its references (and a case's contact's account) checked in the same write.
 */
export async function createRecordUseCase<C extends CollectionName>(
  caller: Caller,
  collection: C,
  body: unknown,
  idempotencyKey?: string,
  /** An id chosen by the caller (an import's row: the same row always makes the same id). */
  id?: string,
): Promise<CreateResult<C>> {
  if (!canCreate(caller, collection)) throw fail.forbidden(`You may not create ${collection}.`);
  const valid = validateCreate(collection, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const fields = valid.value;
  await checkOwnerAssignments(caller, [{ collection, ownerId: ownerIdOf(fields), path: 'ownerId' }]);

  const record = newRecord(caller, collection, fields, new Date(), id);
  const refs = referencesOf(collection, fields);
  const related = relatedOf(fields);
  const linkedAccountId = related ? await linkedAccountOf(caller, fields) : undefined;
  if (related?.collection === 'accounts')
    refs.push({ path: 'relatedTo', collection: 'accounts', id: related.id });

  const hash = requestHash(collection, body);
  const outcome = await createRecord(collection, record, {
    idempotency: idempotencyKey
      ? { userId: caller.userId, key: idempotencyKey, requestHash: hash }
      : undefined,
    references: refs.map(referenceCheck),
    linkedAccountId,
  });
  if (outcome.ok) return { record: redact(caller, collection, record), replayed: false };
  if (outcome.reason === 'bad-reference') throw referenceProblem(refs[outcome.index]!, outcome.exists);
  if (outcome.requestHash !== hash) {
    throw fail.conflict('This Idempotency-Key was already used with a different request body.');
  }
  return { record: redact(caller, collection, outcome.response), replayed: true };
}
