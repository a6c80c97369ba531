import { LIMITS } from '../../config/limits.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import {
  collectionOfItem,
  type IndexQuery,
  type Item,
  listQuery,
  timelineQuery,
  toRecord,
} from '../../db/keys.js';
import { getRecord, queryIndex } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canRead, redact } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type CrmRecord } from '../collections.js';
import { fail } from '../errors.js';
import type { FieldError } from '../validation.js';
import { requireId } from './preconditions.js';

export async function getRecordUseCase(
  caller: Caller,
  collection: CollectionName,
  rawId?: string,
): Promise<CrmRecord> {
  const id = requireId(rawId);
  // Not readable is indistinguishable from absent: 404 never tells that a record exists.
  if (!canRead(caller, collection)) throw fail.notFound();
  const record = await getRecord(collection, id);
  if (!record) throw fail.notFound();
  return redact(caller, collection, record);
}

export interface PageResult {
  items: CrmRecord[];
  nextCursor: string | null;
}

type Query = Record<string, string | undefined>;

function parseLimit(raw: string | undefined, errors: FieldError[]): number {
  if (raw === undefined) return LIMITS.pageSizeDefault;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= LIMITS.pageSizeMax)) {
    errors.push({ path: 'limit', message: `must be a whole number from 1 to ${LIMITS.pageSizeMax}` });
  }
  return n;
}

function startKeyOf(raw: string | undefined, q: IndexQuery, errors: FieldError[]): Item | undefined {
  if (raw === undefined) return undefined;
  const key = decodeCursor(raw, q);
  if (!key) errors.push({ path: 'cursor', message: 'is not a cursor this list gave out' });
  return key;
}

/** The list filters a collection serves, each backed by an index: `ownerId`, its state field, `accountId`. */
export function listFiltersOf(collection: CollectionName): string[] {
  const def = COLLECTIONS[collection];
  return ['ownerId', def.stateField, def.accountField].filter((f): f is string => Boolean(f));
}

function filterOf(collection: CollectionName, query: Query, errors: FieldError[]) {
  const def = COLLECTIONS[collection];
  const allowed = new Set(['limit', 'cursor', ...listFiltersOf(collection)]);
  for (const key of Object.keys(query)) {
    if (!allowed.has(key)) errors.push({ path: key, message: `is not a filter of ${collection}` });
  }
  const given = listFiltersOf(collection).filter((f) => query[f] !== undefined);
  if (given.length > 1)
    errors.push({ path: given[1]!, message: 'only one filter at a time (each is an index)' });
  const field = given[0];
  const value = field ? query[field]! : '';
  if (field && (value.length === 0 || value.length > 128))
    errors.push({ path: field, message: 'must be 1–128 characters' });
  if (!field) return listQuery(collection, { by: 'all' });
  if (field === 'ownerId') return listQuery(collection, { by: 'owner', value });
  if (field === def.stateField) return listQuery(collection, { by: 'state', value });
  return listQuery(collection, { by: 'account', value });
}

/** Lists read one page of one index, never a Scan. */
export async function listRecordsUseCase(
  caller: Caller,
  collection: CollectionName,
  query: Query,
): Promise<PageResult> {
  if (!canRead(caller, collection)) throw fail.forbidden(`You may not read ${collection}.`);
  const errors: FieldError[] = [];
  const limit = parseLimit(query.limit, errors);
  const q = filterOf(collection, query, errors);
  const startKey = startKeyOf(query.cursor, q, errors);
  if (errors.length) throw fail.invalid(errors, 'The query parameters are invalid.');
  const page = await queryIndex(q, limit, startKey);
  return {
    items: page.items.map((item) => redact(caller, collection, toRecord(item))),
    nextCursor: encodeCursor(page.lastKey),
  };
}

export interface TimelineItem {
  collection: CollectionName;
  record: CrmRecord;
}

/**
 * The account's 360° view: one Query on the account's item collection. The account sorts first
 * (so page one proves it exists); what the caller may not read is left out, the rest redacted.
 */
export async function timelineUseCase(
  caller: Caller,
  rawId: string | undefined,
  query: Query,
): Promise<{ items: TimelineItem[]; nextCursor: string | null }> {
  const id = requireId(rawId);
  if (!canRead(caller, 'accounts')) throw fail.notFound();
  const errors: FieldError[] = [];
  for (const key of Object.keys(query)) {
    if (key !== 'limit' && key !== 'cursor')
      errors.push({ path: key, message: 'is not a parameter of the timeline' });
  }
  const limit = parseLimit(query.limit, errors);
  const q = timelineQuery(id);
  const startKey = startKeyOf(query.cursor, q, errors);
  if (errors.length) throw fail.invalid(errors, 'The query parameters are invalid.');
  const firstPage = startKey === undefined;
  const page = await queryIndex(q, firstPage ? limit + 1 : limit, startKey);
  const [head, ...rest] = page.items;
  if (firstPage && (!head || collectionOfItem(head) !== 'accounts')) throw fail.notFound();
  const items: TimelineItem[] = [];
  for (const item of firstPage ? rest : page.items) {
    const collection = collectionOfItem(item);
    if (!collection || collection === 'accounts' || !canRead(caller, collection)) continue;
    items.push({ collection, record: redact(caller, collection, toRecord(item)) });
  }
  return { items, nextCursor: encodeCursor(page.lastKey) };
}
