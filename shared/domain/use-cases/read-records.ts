import { LIMITS } from '../../config/limits.js';
import type { ListFilter } from '../../db/keys.js';
import {
  collectionIndex,
  type Page,
  type RecordIndex,
  type StartKey,
  type TimelineEntry,
  timelineIndex,
} from '../../db/record-pages.js';
import { getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canReadRecord } from '../../policy/collaboration.js';
import { canRead, redact } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type RecordOf } from '../collections.js';
import { fail } from '../errors.js';

export async function getRecordUseCase<C extends CollectionName>(
  caller: Caller,
  collection: C,
  id: string,
): Promise<RecordOf<C>> {
  // Not readable is indistinguishable from absent: 404 never tells that a record exists.
  if (!canRead(caller, collection)) throw fail.notFound();
  const record = await getRecord(collection, id);
  if (!record) throw fail.notFound();
  return redact(caller, collection, record);
}

/** A page of a list, as asked: how many, and where to resume (a cursor the list gave out). */
export interface PageQuery {
  limit: number;
  cursor?: string;
}

/** A list of a collection: a page, and at most one filter (a field of listFiltersOf and its value). */
export interface ListQuery extends PageQuery {
  filter?: { field: string; value: string };
}

export interface PageResult<T> {
  items: T[];
  nextCursor: string | null;
}

/** The position a cursor stands for: 400 on `cursor` when it is not one this list gave out. */
export async function startOf<T>(
  index: RecordIndex<T>,
  cursor: string | undefined,
): Promise<StartKey | undefined> {
  if (cursor === undefined) return undefined;
  const start = await index.startAt(cursor);
  if (!start)
    throw fail.invalid(
      [{ path: 'cursor', message: 'is not a cursor this list gave out' }],
      'The query parameters are invalid.',
    );
  return start;
}

/** Each filter is served by its own index: `ownerId`, the collection's state field, its account field. */
function indexFilter(collection: CollectionName, filter: ListQuery['filter']): ListFilter {
  if (!filter) return { by: 'all' };
  const { stateField, accountField } = COLLECTIONS[collection];
  const { field, value } = filter;
  if (field === 'ownerId') return { by: 'owner', value };
  if (field === stateField) return { by: 'state', value };
  if (field === accountField) return { by: 'account', value };
  throw fail.invalid([{ path: field, message: `is not a filter of ${collection}` }]);
}

/** Lists read one page of one index, never a Scan. */
export async function listRecordsUseCase<C extends CollectionName>(
  caller: Caller,
  collection: C,
  query: ListQuery,
): Promise<PageResult<RecordOf<C>>> {
  if (!canRead(caller, collection)) throw fail.forbidden(`You may not read ${collection}.`);
  const index = collectionIndex(collection, indexFilter(collection, query.filter));
  const page = await index.read(query.limit, await startOf(index, query.cursor));
  // Every item of a list is shown, so the cursor is the last one's position.
  const last = page.items.at(-1);
  return {
    items: page.items.map((record) => redact(caller, collection, record)),
    nextCursor: page.lastKey && last ? await index.cursorAfter(last) : null,
  };
}

/** Query calls one timeline page may make: bounds what a run of items hidden from the caller costs. */
export const TIMELINE_MAX_READS = 5;

export interface FilledPage<T> {
  shown: T[];
  /** Where the next page starts: after the last item shown, or (none shown) after the last item read. */
  next?: { after: T; shown: boolean };
}

/**
 * Filter then fill: reads on until `limit` visible items are gathered, the collection ends, or
 * TIMELINE_MAX_READS reads are spent. So a page is not cut short by hidden items, and the next page
 * resumes after the last item shown; only a page that found nothing to show within its reads resumes
 * after a hidden item (sealed in the cursor). Reads after the first take a full page.
 */
export async function fillPage<T>(
  read: (limit: number, startKey?: StartKey) => Promise<Page<T>>,
  opts: { limit: number; firstRead: number; visible: (item: T) => boolean; startKey?: StartKey },
): Promise<FilledPage<T>> {
  const shown: T[] = [];
  const resume = (lastRead?: T): FilledPage<T> => {
    const lastShown = shown.at(-1);
    if (lastShown) return { shown, next: { after: lastShown, shown: true } };
    return { shown, next: lastRead && { after: lastRead, shown: false } };
  };
  let start = opts.startKey;
  let lastRead: T | undefined;
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
  accountId: string,
  query: PageQuery,
): Promise<PageResult<TimelineEntry>> {
  if (!canRead(caller, 'accounts')) throw fail.notFound();
  const index = timelineIndex(accountId);
  const startKey = await startOf(index, query.cursor);
  let headUnchecked = startKey === undefined;
  const read = async (n: number, start?: StartKey) => {
    const page = await index.read(n, start);
    if (headUnchecked && page.items[0]?.collection !== 'accounts') throw fail.notFound();
    headUnchecked = false;
    return page;
  };
  // Per record: a comment is read by whoever reads the record it is on (policy/collaboration.ts).
  const visible = (entry: TimelineEntry) =>
    entry.collection !== 'accounts' && canReadRecord(caller, entry.collection, entry.record);
  const page = await fillPage(read, {
    limit: query.limit,
    firstRead: startKey ? query.limit : query.limit + 1,
    visible,
    startKey,
  });
  const next = page.next;
  return {
    items: page.shown.map(({ collection, record }) => ({
      collection,
      record: redact(caller, collection, record),
    })),
    nextCursor: next ? await index.cursorAfter(next.after, next.shown) : null,
  };
}
