import type { ReferenceCheck } from '../../db/transactions.js';
import { type DirectoryEntry, directoryUser } from '../../db/user-directory.js';
import type { Caller } from '../../policy/caller.js';
import { canAssignOwner, canAssignToOthers, departmentOfGroups } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName } from '../collections.js';
import { type DomainError, fail } from '../errors.js';
import type { FieldError } from '../validation.js';
import type { Reference } from './preconditions.js';

/** What a write must hold beyond its body's shape: who may own the record, what its references are. */

export interface OwnerAssignment {
  collection: CollectionName;
  /** The `ownerId` the body sends, if any. */
  ownerId: unknown;
  /** Where the error points (`ownerId`, `contact.ownerId`, …). */
  path: string;
}

/**
 * Every `ownerId` must name an existing, enabled user within the caller's reach (policy
 * `canAssignOwner`). The user directory (one GetItem per user) is asked only about users other than the caller, and never for a
 * caller who may not hand records to anyone else: a member learns nothing about who exists.
 * An unknown user is a 400 on the field; a user out of reach is a 403 (a denied write).
 */
export async function checkOwnerAssignments(caller: Caller, assignments: OwnerAssignment[]): Promise<void> {
  const others = assignments.filter(
    (a): a is OwnerAssignment & { ownerId: string } =>
      typeof a.ownerId === 'string' && a.ownerId !== caller.userId,
  );
  const closed = others.find((a) => !canAssignToOthers(caller, a.collection));
  if (closed)
    throw fail.forbidden(
      `${closed.path}: you may not give ${closed.collection} to another user; a manager or an admin can.`,
    );
  if (others.length === 0) return;
  const ids = [...new Set(others.map((a) => a.ownerId))];
  const found = await Promise.all(ids.map((id) => directoryUser(id)));
  const users = new Map<string, DirectoryEntry | undefined>(ids.map((id, i) => [id, found[i]]));

  const errors: FieldError[] = [];
  for (const a of others) {
    const user = users.get(a.ownerId);
    if (!user) errors.push({ path: a.path, message: 'names no existing user' });
    else if (!user.enabled) errors.push({ path: a.path, message: 'names a disabled user' });
  }
  if (errors.length) throw fail.invalid(errors, 'The request body is invalid.');
  for (const a of others) {
    const user = users.get(a.ownerId)!;
    if (
      !canAssignOwner(caller, a.collection, {
        userId: user.userId,
        department: departmentOfGroups(user.groups),
      })
    )
      throw fail.forbidden(`${a.path}: you may hand ${a.collection} only to users of your own department.`);
  }
}

/** The check a reference becomes inside the write: the target exists (and is of the expected account). */
export function referenceCheck(ref: Reference): ReferenceCheck {
  const accountField = COLLECTIONS[ref.collection].accountField;
  return {
    collection: ref.collection,
    id: ref.id,
    expect: ref.accountId && accountField ? { [accountField]: ref.accountId } : undefined,
  };
}

/** The 400 for a reference the write refused: no such record, or one of another account. */
export function referenceProblem(ref: Reference, exists: boolean): DomainError {
  const message = exists && ref.mismatch ? ref.mismatch : `names no existing record of ${ref.collection}`;
  return fail.invalid([{ path: ref.path, message }], 'The request body is invalid.');
}
