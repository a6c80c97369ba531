import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/**
 * The two limits of one PutEvents call: at most 10 entries, and their total size under 256 KB, the size
 * counted as EventBridge counts it ("Calculating PutEvents event entry size", EventBridge user guide):
 * 14 bytes for a Time, and the UTF-8 bytes of Source, DetailType, Detail, each Resources entry and the
 * EventBusName. Counting characters instead of bytes would pass a batch of CJK text three times too big.
 */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** The total of a call's entry sizes must stay strictly below this (262,144 bytes). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const TIME_BYTES = 14;

const utf8 = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

export function entrySize(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time ? TIME_BYTES : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + utf8(r), 0) +
    utf8(entry.EventBusName)
  );
}

export interface Budget {
  entries: number;
  bytes: number;
}

export const PUT_EVENTS_BUDGET: Budget = { entries: PUT_EVENTS_MAX_ENTRIES, bytes: PUT_EVENTS_MAX_BYTES };

export interface Chunks<T> {
  /** In order, each within the budget; they cover the items up to the first oversized one. */
  batches: T[][];
  /** The first item that no call can take (its size alone reaches the byte limit); nothing after it is batched. */
  oversized?: { item: T; index: number; bytes: number };
}

/**
 * Splits items, in order, into the fewest consecutive batches within the budget. Stops at an item that
 * is too big for any call: events are announced in stream order, so nothing after it may go before it
 * (the publisher reports it as the batch's failure: docs/events.md, "Delivery").
 */
export function chunkByBudget<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  budget: Budget = PUT_EVENTS_BUDGET,
): Chunks<T> {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const [index, item] of items.entries()) {
    const size = sizeOf(item);
    if (size >= budget.bytes) {
      if (batch.length) batches.push(batch);
      return { batches, oversized: { item, index, bytes: size } };
    }
    if (batch.length === budget.entries || bytes + size >= budget.bytes) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length) batches.push(batch);
  return { batches };
}
