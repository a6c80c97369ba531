import type { CollectionName, CrmRecord, RecordOf } from '../domain/collections.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { serverCursorKeys } from './cursor-secret.js';
import {
  type CursorPosition,
  collectionOfItem,
  commentsQuery,
  type HandoffFilter,
  handoffQuery,
  type IndexQuery,
  type Item,
  type ListFilter,
  listQuery,
  partitionsOf,
  timelineQuery,
} from './keys.js';
import { type QueryPage, queryPage } from './paged-query.js';
import { recordOf, toRecord } from './stored-records.js';

/** Where a read resumes (DynamoDB's ExclusiveStartKey): opaque to the use cases, which only hand it back. */
export type StartKey = Item;

export interface Page<T> {
  items: T[];
  /** Present when the read stopped at its limit: more may follow. */
  lastKey?: StartKey;
}

/**
 * One list of records (a collection, by one filter, or an account's timeline), read page by page
 * from its index, newest first (never a Scan). Its cursors are signed for it alone (shared/db/cursor.ts).
 */
export interface RecordIndex<T> {
  /** The position a cursor stands for; undefined when it is not a cursor this list gave out. */
  startAt(cursor: string): Promise<StartKey | undefined>;
  read(limit: number, start?: StartKey): Promise<Page<T>>;
  /** The cursor that resumes right after this entry; sealed when the caller was not shown it. */
  cursorAfter(entry: T, shown?: boolean): Promise<string>;
}

/** An entry of a timeline, which mixes collections. */
export interface TimelineEntry {
  collection: CollectionName;
  record: CrmRecord;
}

/**
 * One page of a sharded list: the first `limit` items of every shard (in parallel), merged newest first,
 * cut at `limit`. Each shard resumes below the sort key of the last item the previous page took (sort
 * keys are record ids, unique), so the page is exactly what one partition holding them all would give.
 * More may follow when an item was cut or a shard stopped at its limit.
 */
async function readMerged(q: IndexQuery, limit: number, start?: StartKey): Promise<QueryPage> {
  const beyond = start === undefined ? undefined : String(start[q.skAttr]);
  const pages = await Promise.all(
    partitionsOf(q).map((shard) => queryPage(shard, { newestFirst: true, limit, beyond })),
  );
  const sortKey = (item: Item) => String(item[q.skAttr]);
  const merged = pages
    .flatMap((page) => page.items)
    .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0));
  const items = merged.slice(0, limit);
  const last = items.at(-1);
  const more = merged.length > limit || pages.some((page) => page.lastKey !== undefined);
  return { items, lastKey: more && last ? { [q.skAttr]: sortKey(last) } : undefined };
}

function indexOf<T>(
  q: IndexQuery,
  entryOf: (item: Item) => T,
  positionOf: (entry: T) => CursorPosition,
): RecordIndex<T> {
  return {
    startAt: async (cursor) => decodeCursor(await serverCursorKeys(), q, cursor),
    read: async (limit, start) => {
      const page = q.shards
        ? await readMerged(q, limit, start)
        : await queryPage(q, { newestFirst: true, limit, start });
      return { items: page.items.map(entryOf), lastKey: page.lastKey };
    },
    cursorAfter: async (entry, shown = true) =>
      encodeCursor(await serverCursorKeys(), q, positionOf(entry), shown),
  };
}

export function collectionIndex<C extends CollectionName>(
  collection: C,
  filter: ListFilter,
): RecordIndex<RecordOf<C>> {
  return indexOf(
    listQuery(collection, filter),
    (item) => recordOf(collection, item),
    (record) => ({ collection, id: record.id }),
  );
}

export function handoffIndex(filter: HandoffFilter): RecordIndex<RecordOf<'handoffs'>> {
  return indexOf(
    handoffQuery(filter),
    (item) => recordOf('handoffs', item),
    (record) => ({ collection: 'handoffs', id: record.id }),
  );
}

function timelineEntry(item: Item): TimelineEntry {
  const collection = collectionOfItem(item);
  if (!collection) throw new Error('an item on a timeline holds no record');
  return { collection, record: toRecord(item) };
}

export function timelineIndex(accountId: string): RecordIndex<TimelineEntry> {
  return indexOf(timelineQuery(accountId), timelineEntry, (entry) => ({
    collection: entry.collection,
    id: entry.record.id,
  }));
}

/** The comments on one record, newest first (collaboration: shared/domain/use-cases/comments.ts). */
export function commentIndex(collection: CollectionName, id: string): RecordIndex<RecordOf<'comments'>> {
  return indexOf(
    commentsQuery(collection, id),
    (item) => recordOf('comments', item),
    (record) => ({ collection: 'comments', id: record.id }),
  );
}
