import { REPORT_SETTINGS, type ReportName } from '../config/reports.js';
import { collectionOfItem, deletionOf, type Item } from '../db/keys.js';
import { toRecord } from '../db/stored-records.js';
import type { StreamChange } from '../events/change-events.js';
import { type Contribution, reportsOf } from './definitions.js';

/**
 * The counters' arithmetic, free of storage: what one committed change does to each report's buckets.
 * The record before the change (none for a create, or when it was deleted already) leaves its bucket,
 * the record after it (none for a delete) enters its own; a change that leaves a report's bucket and
 * amount as they were touches nothing of that report (no write at all).
 */

/** Adds (or, negative, takes away) records and amount in one bucket. */
export interface BucketDelta {
  dims: readonly string[];
  count: bigint;
  amount: bigint;
}

/** What a change writes to one counter item: one report's shard, for one day or all time. */
export interface CounterUpdate {
  report: ReportName;
  day?: string;
  shard: number;
  deltas: BucketDelta[];
}

/** FNV-1a over the record id: a record's changes always land in the same shard. */
export function shardOf(recordId: string, shards: number = REPORT_SETTINGS.counterShards): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < recordId.length; i++) {
    hash ^= recordId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

const sameBucket = (a: Contribution, b: Contribution) =>
  a.day === b.day && JSON.stringify(a.dims) === JSON.stringify(b.dims);

/** The record an image holds, unless there is none or it was deleted (a deleted record counts nowhere). */
function liveRecord(image: Item | undefined): Item | undefined {
  if (!image || !collectionOfItem(image) || deletionOf(image)) return undefined;
  return toRecord(image);
}

/** The counter updates of a record that goes from `before` to `after` (either may be absent). */
export function updatesOf(
  collection: Parameters<typeof reportsOf>[0],
  recordId: string,
  before: Item | undefined,
  after: Item | undefined,
): CounterUpdate[] {
  const shard = shardOf(recordId);
  const updates: CounterUpdate[] = [];
  for (const report of reportsOf(collection)) {
    const out = before ? report.contribute(before) : undefined;
    const into = after ? report.contribute(after) : undefined;
    if (out && into && sameBucket(out, into) && out.amount === into.amount) continue;
    const byDay = new Map<string | undefined, BucketDelta[]>();
    const add = (c: Contribution, sign: bigint) => {
      const deltas = byDay.get(c.day) ?? [];
      deltas.push({ dims: c.dims, count: sign, amount: sign * (c.amount ?? 0n) });
      byDay.set(c.day, deltas);
    };
    if (out) add(out, -1n);
    if (into) add(into, 1n);
    for (const [day, deltas] of byDay)
      updates.push({ report: report.name, day, shard, deltas: merge(deltas) });
  }
  return updates;
}

/** Deltas of one bucket merged (a record that only changes amount stays in its bucket). */
function merge(deltas: BucketDelta[]): BucketDelta[] {
  const out = new Map<string, BucketDelta>();
  for (const d of deltas) {
    const key = JSON.stringify(d.dims);
    const prior = out.get(key);
    out.set(key, prior ? { dims: d.dims, count: prior.count + d.count, amount: prior.amount + d.amount } : d);
  }
  return [...out.values()].filter((d) => d.count !== 0n || d.amount !== 0n);
}

/** The counter updates of one stream change (none for items that are not records). */
export function updatesOfChange(change: StreamChange): CounterUpdate[] {
  const image = change.newImage ?? change.oldImage;
  const collection = image && collectionOfItem(image);
  if (!collection) return [];
  const before = liveRecord(change.oldImage);
  const after = liveRecord(change.newImage);
  const id = String((after ?? before)?.id ?? '');
  if (!id) return [];
  return updatesOf(collection, id, before, after);
}
