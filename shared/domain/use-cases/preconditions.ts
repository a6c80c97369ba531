import type { Caller } from '../../policy/caller.js';
import { canAdminister } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName } from '../collections.js';
import { fail } from '../errors.js';
import { isId } from '../ids.js';

/** Most ETags one If-Match may list: far below DynamoDB's 100 operands of IN, and more than any client needs. */
const MAX_IF_MATCH_TAGS = 20;
/** One of our ETags, strong or weak: `"<version>"`, digits as etagOf writes them (no sign, no leading 0). */
const ETAG = /^(W\/)?"(0|[1-9]\d{0,11})"$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * `If-Match` (RFC 9110 §13.1.1) → the versions the write may replace; undefined when absent or `*`
 * (`*` matches any existing record). A list matches when any member does. The comparison is strong,
 * as the RFC requires: `W/"3"` is well-formed but matches nothing, so weak tags alone always get 412.
 * Anything but a list of our ETags is malformed (400): no version could ever match it.
 */
export function parseIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined || header.replace(OWS, '') === '*') return undefined;
  // RFC 9110 §5.6.1: members are split on commas with optional whitespace; empty members are ignored.
  const members = header
    .split(',')
    .map((m) => m.replace(OWS, ''))
    .filter(Boolean);
  const tags = members.map((m) => ETAG.exec(m));
  if (members.length === 0 || members.length > MAX_IF_MATCH_TAGS || tags.some((t) => !t))
    throw fail.invalid(
      [{ path: 'If-Match', message: `must be * or a list of up to ${MAX_IF_MATCH_TAGS} ETags like "3"` }],
      'The If-Match header is invalid.',
    );
  const strong = tags.flatMap((t) => (t && !t[1] ? [Number(t[2])] : []));
  return [...new Set(strong)];
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** A malformed id can name no record: 404, like any id the caller cannot see. */
export function requireId(id: string | undefined): string {
  if (!id || !isId(id)) throw fail.notFound();
  return id;
}

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
  fields: Record<string, unknown>,
  written: Record<string, unknown> = fields,
): Reference[] {
  const refs: Reference[] = [];
  const { accountField, contactField } = COLLECTIONS[collection];
  const account = accountField ? fields[accountField] : undefined;
  const accountWritten = accountField !== undefined && Object.hasOwn(written, accountField);
  if (typeof account === 'string' && accountWritten) {
    refs.push({ path: accountField!, collection: 'accounts', id: account });
  }
  const contact = contactField ? fields[contactField] : undefined;
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
