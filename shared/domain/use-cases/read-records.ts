import { LIMITS } from '../../config/limits.js';
import { decodeCursor, encodeCursor } from '../../db/cursor.js';
import { serverCursorKeys } from '../../db/cursor-secret.js';
import {
  collectionOfItem,
  type IndexQuery,
  type Item,
  listQuery,
  timelineQuery,
  toRecord,
} from '../../db/keys.js';
import { getRecord, type Page, queryIndex } from '../../db/records-repo.js';
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

async function startKeyOf(raw: string | undefined, q: IndexQuery, errors: FieldError[]) {
  if (raw === undefined) return undefined;
  const key = decodeCursor(await serverCursorKeys(), q, raw);
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
  const startKey = await startKeyOf(query.cursor, q, errors);
  if (errors.length) throw fail.invalid(errors, 'The query parameters are invalid.');
  const page = await queryIndex(q, limit, startKey);
  // Every item of a list is shown, so the cursor is the last one's position.
  const last = page.items.at(-1);
  return {
    items: page.items.map((item) => redact(caller, collection, toRecord(item))),
    nextCursor: page.lastKey && last ? encodeCursor(await serverCursorKeys(), q, last) : null,
  };
}

export interface TimelineItem {
  collection: CollectionName;
  record: CrmRecord;
}

/** Query calls one timeline page may make: bounds what a run of items hidden from the caller costs. */
export const TIMELINE_MAX_READS = 5;

export interface FilledPage {
  shown: Item[];
  /** Where the next page starts: after the last item shown, or (none shown) after the last item read. */
  next?: { after: Item; shown: boolean };
}

/**
 * Filter then fill: reads on until `limit` visible items are gathered, the collection ends, or
 * TIMELINE_MAX_READS reads are spent. So a page is not cut short by hidden items, and the next page
 * resumes after the last item shown; only a page that found nothing to show within its reads resumes
 * after a hidden item (sealed in the cursor). Reads after the first take a full page.
 */
export async function fillPage(
  read: (limit: number, startKey?: Item) => Promise<Page>,
  opts: { limit: number; firstRead: number; visible: (item: Item) => boolean; startKey?: Item },
): Promise<FilledPage> {
  const shown: Item[] = [];
  const resume = (lastRead?: Item): FilledPage => {
    const lastShown = shown.at(-1);
    if (lastShown) return { shown, next: { after: lastShown, shown: true } };
    return { shown, next: lastRead && { after: lastRead, shown: false } };
  };
  let start = opts.startKey;
  let lastRead: Item | undefined;
  for (let reads = 0; reads < TIMELINE_MAX_READS; reads++) {
    const page = await read(reads === 0 ? opts.firstRead : LIMITS.pageSizeMax, start);
    for (const item of page.items) {
      if (!opts.visible(item)) continue;
      if (shown.length === opts.limit) return resume(); // one more to show: the page is full
      shown.push(item);
    }
    lastRead = page.items.at(-1) ?? lastRead;
    if (!page.lastKey) return { shown };
    if (shown.length === opts.limit) return resume();
    start = page.lastKey;
  }
  return resume(lastRead);
}

/**
 * The account's 360° view: Queries on the account's item collection (one, unless hidden items must be
 * read past; see fillPage). The account sorts first (so page one proves it exists); what the caller may
 * not read is left out, the rest redacted.
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
  const startKey = await startKeyOf(query.cursor, q, errors);
  if (errors.length) throw fail.invalid(errors, 'The query parameters are invalid.');
  let headUnchecked = startKey === undefined;
  const read = async (n: number, start?: Item) => {
    const page = await queryIndex(q, n, start);
    const head = page.items[0];
    if (headUnchecked && (!head || collectionOfItem(head) !== 'accounts')) throw fail.notFound();
    headUnchecked = false;
    return page;
  };
  const visible = (item: Item) => {
    const collection = collectionOfItem(item);
    return collection !== undefined && collection !== 'accounts' && canRead(caller, collection);
  };
  const page = await fillPage(read, {
    limit,
    firstRead: startKey ? limit : limit + 1,
    visible,
    startKey,
  });
  const items = page.shown.map((item) => {
    const collection = collectionOfItem(item)!;
    return { collection, record: redact(caller, collection, toRecord(item)) };
  });
  const next = page.next;
  return {
    items,
    nextCursor: next ? encodeCursor(await serverCursorKeys(), q, next.after, next.shown) : null,
  };
}
