import { COLLECTIONS, type CollectionName } from '../collections.js';
import { fail } from '../errors.js';
import { isId } from '../ids.js';

/** `If-Match: "3"` (or W/"3", or *) → the version it asks for; undefined when absent or `*`. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,12})"\s*$/.exec(header);
  if (!match)
    throw fail.invalid(
      [{ path: 'If-Match', message: 'must be an ETag like "3"' }],
      'The If-Match header is invalid.',
    );
  return Number(match[1]);
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** A malformed id can name no record: 404, like any id the caller cannot see. */
export function requireId(id: string | undefined): string {
  if (!id || !isId(id)) throw fail.notFound();
  return id;
}

/** The records a new or changed record points at, each of which must exist. */
export function referencesOf(collection: CollectionName, fields: Record<string, unknown>) {
  const refs: { path: string; collection: CollectionName; id: string }[] = [];
  const accountField = COLLECTIONS[collection].accountField;
  if (accountField && typeof fields[accountField] === 'string') {
    refs.push({ path: accountField, collection: 'accounts', id: fields[accountField] as string });
  }
  if (collection === 'cases' && typeof fields.contactId === 'string') {
    refs.push({ path: 'contactId', collection: 'contacts', id: fields.contactId });
  }
  return refs;
}
