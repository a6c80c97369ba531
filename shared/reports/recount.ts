import { readCounters } from '../db/counters-repo.js';
import { type Item, listQuery, partitionsOf } from '../db/keys.js';
import { queryPages } from '../db/paged-query.js';
import type { CollectionName } from '../domain/collections.js';
import { updatesOf } from './aggregates.js';
import { type Bucket, REPORT_LIST, reportCollections } from './definitions.js';

/**
 * The counters recomputed from the records themselves, and compared with the live ones: what
 * `npm run reports:rebuild` does. Records are read a page at a time by a Query of each collection's
 * index (byCollection: a deleted record has left it), never a Scan.
 */

/** Buckets by report, keyed by day and dimensions. */
export type CounterTotals = Map<string, Map<string, Bucket>>;

const bucketKey = (day: string | undefined, dims: readonly string[]) => JSON.stringify([day ?? null, dims]);

function add(totals: CounterTotals, report: string, b: Bucket) {
  const buckets = totals.get(report) ?? new Map<string, Bucket>();
  const key = bucketKey(b.day, b.dims);
  const sum = buckets.get(key) ?? { day: b.day, dims: b.dims, count: 0n, amount: 0n };
  buckets.set(key, { ...sum, count: sum.count + b.count, amount: sum.amount + b.amount });
  totals.set(report, buckets);
}

/** Reads every record of a collection, page by page; `onPage` hears how many were read so far. */
async function* recordsOf(collection: CollectionName): AsyncGenerator<Item[]> {
  for (const shard of partitionsOf(listQuery(collection, { by: 'all' }))) yield* queryPages(shard);
}

export interface RecountProgress {
  collection: CollectionName;
  collectionsDone: number;
  collections: number;
  records: number;
}

/** The counters as the records say they should be (every day, for dated reports). */
export async function recountFromRecords(progress?: (p: RecountProgress) => void): Promise<CounterTotals> {
  const totals: CounterTotals = new Map();
  const collections = reportCollections();
  let records = 0;
  for (const [done, collection] of collections.entries()) {
    for await (const page of recordsOf(collection)) {
      for (const item of page) {
        for (const update of updatesOf(collection, String(item.id), undefined, item))
          for (const d of update.deltas) add(totals, update.report, { day: update.day, ...d });
      }
      records += page.length;
      progress?.({ collection, collectionsDone: done, collections: collections.length, records });
    }
    progress?.({ collection, collectionsDone: done + 1, collections: collections.length, records });
  }
  return totals;
}

/** Every day a dated report's counters may hold. */
const ALL_DAYS = { from: '0000-00-00', to: '9999-99-99' };

/** The live counters, every shard and every day summed. */
export async function liveCounters(): Promise<CounterTotals> {
  const totals: CounterTotals = new Map();
  for (const report of REPORT_LIST) {
    for (const b of await readCounters(report.name, report.windowDays ? ALL_DAYS : undefined))
      add(totals, report.name, b);
  }
  return totals;
}

export interface CounterDifference {
  report: string;
  day?: string;
  dims: readonly string[];
  live: { count: string; amount: string };
  recounted: { count: string; amount: string };
}

/** Buckets where the live counters and the recount differ (empty buckets count as absent). */
export function differences(live: CounterTotals, recounted: CounterTotals): CounterDifference[] {
  const out: CounterDifference[] = [];
  const zero = { count: 0n, amount: 0n };
  for (const report of REPORT_LIST.map((r) => r.name)) {
    const a = live.get(report) ?? new Map<string, Bucket>();
    const b = recounted.get(report) ?? new Map<string, Bucket>();
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(key) ?? b.get(key)!;
      const l = a.get(key) ?? zero;
      const r = b.get(key) ?? zero;
      if (l.count === r.count && l.amount === r.amount) continue;
      out.push({
        report,
        ...(x.day ? { day: x.day } : {}),
        dims: x.dims,
        live: { count: String(l.count), amount: String(l.amount) },
        recounted: { count: String(r.count), amount: String(r.amount) },
      });
    }
  }
  return out;
}
