import type { Caller } from '../../policy/caller.js';
import { canAdminister } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, fieldOf } from '../collections.js';
import { fail } from '../errors.js';

/** A record that a write points at. */
export interface Reference {
  /** The body field an error names. */
  path: string;
  collection: CollectionName;
  id: string;
  /** The account the target must belong to (a case's contact belongs to the case's account). */
  accountId?: string;
  /** What to tell the client when the target exists but belongs to another account. */
  mismatch?: string;
}

/**
 * The records a write points at, each of which must exist. `fields` is the record as the write
 * leaves it, `written` what the write sends (on create, the same): a reference is checked when the
 * write sets it, and a contact also when the account it must belong to changes under it.
 */
export function referencesOf(
  collection: CollectionName,
  fields: object,
  written: object = fields,
): Reference[] {
  const refs: Reference[] = [];
  const { accountField, contactField } = COLLECTIONS[collection];
  const account = accountField ? fieldOf(fields, accountField) : undefined;
  const accountWritten = accountField !== undefined && Object.hasOwn(written, accountField);
  if (typeof account === 'string' && accountWritten) {
    refs.push({ path: accountField!, collection: 'accounts', id: account });
  }
  const contact = contactField ? fieldOf(fields, contactField) : undefined;
  const contactWritten = contactField !== undefined && Object.hasOwn(written, contactField);
  if (typeof contact === 'string' && (contactWritten || accountWritten)) {
    refs.push({
      path: contactWritten ? contactField! : accountField!,
      collection: 'contacts',
      id: contact,
      ...(typeof account === 'string' ? { accountId: account } : {}),
      mismatch: contactWritten
        ? `names a contact of another account than ${accountField}`
        : `is not the account of the record's contact (${contactField}): change or remove ${contactField} too`,
    });
  }
  return refs;
}

/** Users, roles and integration settings: the admins' alone. */
export function requireAdmin(caller: Caller): void {
  if (!canAdminister(caller)) throw fail.forbidden('Only admins manage users and roles.');
}
