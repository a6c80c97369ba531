import { createHash } from 'node:crypto';
import { LIMITS } from '../../config/limits.js';
import { idempotencyKey, ttlAttributes } from '../../db/keys.js';
import { createRecord, getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canCreate, canRead, ownerDeptFor, redact } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type CrmRecord } from '../collections.js';
import { fail } from '../errors.js';
import { newId } from '../ids.js';
import { validateCreate } from '../validation.js';
import { referencesOf } from './preconditions.js';
import { checkOwnerAssignments, referenceCheck, referenceProblem } from './write-checks.js';

export interface CreateResult {
  record: CrmRecord;
  /** True when an Idempotency-Key replay returned the first result. */
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function requestHash(collection: CollectionName, body: unknown): string {
  return createHash('sha256').update(collection).update(JSON.stringify(body)).digest('base64url');
}

export function newRecord(
  caller: Caller,
  collection: CollectionName,
  fields: Record<string, unknown>,
  now = new Date(),
): CrmRecord {
  const at = now.toISOString();
  return {
    ...COLLECTIONS[collection].defaults,
    ...fields,
    id: newId(now.getTime()),
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: caller.userId,
    updatedBy: caller.userId,
    ownerId: typeof fields.ownerId === 'string' ? fields.ownerId : caller.userId,
    ownerDept: ownerDeptFor(caller, collection),
  };
}

/** An activity lands on the timeline of the account it is about, directly or through its record. */
async function linkedAccountOf(caller: Caller, fields: Record<string, unknown>): Promise<string | undefined> {
  const related = fields.relatedTo as { collection: CollectionName; id: string } | undefined;
  if (!related || related.collection === 'accounts') return related?.id;
  const target = canRead(caller, related.collection)
    ? await getRecord(related.collection, related.id)
    : undefined;
  if (!target) throw fail.invalid([{ path: 'relatedTo', message: 'names no record you can see' }]);
  return typeof target.accountId === 'string' ? target.accountId : undefined;
}

/**
 * Primary use case: create a record, once per Idempotency-Key, owned by the caller or by a user within
 * their reach, with its references (and a case's contact's account) checked in the same write.
 */
export async function createRecordUseCase(
  caller: Caller,
  collection: CollectionName,
  body: unknown,
  idempotencyKeyHeader?: string,
): Promise<CreateResult> {
  if (!canCreate(caller, collection)) throw fail.forbidden(`You may not create ${collection}.`);
  if (idempotencyKeyHeader !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKeyHeader)) {
    throw fail.invalid([{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }]);
  }
  const valid = validateCreate(collection, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  await checkOwnerAssignments(caller, [{ collection, ownerId: valid.value.ownerId, path: 'ownerId' }]);

  const record = newRecord(caller, collection, valid.value);
  const refs = referencesOf(collection, valid.value);
  const relatedTo = valid.value.relatedTo as { collection: CollectionName; id: string } | undefined;
  const linkedAccountId =
    collection === 'activities' ? await linkedAccountOf(caller, valid.value) : undefined;
  if (relatedTo?.collection === 'accounts')
    refs.push({ path: 'relatedTo', collection: 'accounts', id: relatedTo.id });

  const hash = requestHash(collection, body);
  const idempotency = idempotencyKeyHeader
    ? {
        key: idempotencyKey(caller.userId, idempotencyKeyHeader),
        attributes: {
          requestHash: hash,
          response: record,
          ...ttlAttributes(Math.floor(Date.now() / 1000) + LIMITS.idempotencyTtlSeconds),
        },
      }
    : undefined;
  const outcome = await createRecord(collection, record, {
    idempotency,
    references: refs.map(referenceCheck),
    linkedAccountId,
  });
  if (outcome.ok) return { record: redact(caller, collection, record), replayed: false };
  if (outcome.reason === 'bad-reference') throw referenceProblem(refs[outcome.index]!, outcome.exists);
  if (outcome.stored.requestHash !== hash) {
    throw fail.conflict('This Idempotency-Key was already used with a different request body.');
  }
  return { record: redact(caller, collection, outcome.stored.response as CrmRecord), replayed: true };
}
