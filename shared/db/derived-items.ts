import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import { derivedEntryOf, type Item, type PartitionQuery, startKeyInPartition } from './keys.js';
import { queryPage } from './paged-query.js';

/**
 * The items the stream consumers derive from changes (feed items, audit entries: shared/db/keys.ts):
 * written with deterministic keys, so a replay overwrites, and read one partition page at a time.
 */

/** BatchWriteItem takes at most 25 items a call. */
const BATCH_WRITE_MAX = 25;
const ATTEMPTS = 4;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Puts the items (plain puts: the key makes them idempotent). Items the table leaves unprocessed
 * (throttling) are sent again with backoff; throws when some are still left, so the stream retries.
 */
export async function putDerivedItems(items: readonly Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_WRITE_MAX) {
    let pending = items.slice(start, start + BATCH_WRITE_MAX).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length; attempt++) {
      if (attempt > ATTEMPTS)
        throw new Error(`${pending.length} item(s) left unprocessed after ${ATTEMPTS} tries`);
      if (attempt > 1) await pause(25 * 2 ** attempt);
      const out = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }));
      pending = (out.UnprocessedItems?.[tableName()] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  }
}

export interface DerivedPage {
  entries: { position: string; entry: Item }[];
  /** Present when the read stopped at its limit: more may follow. */
  more: boolean;
}

/**
 * One page of a partition (one Query): oldest first (`forward`) or newest first, after `position`
 * (a sort key from an earlier page). Strongly consistent: a feed reader never sees a later item
 * without the earlier ones of the same partition.
 */
export async function readDerivedPage(
  q: PartitionQuery,
  opts: { limit: number; after?: string; forward: boolean },
): Promise<DerivedPage> {
  const page = await queryPage(q, {
    newestFirst: !opts.forward,
    consistent: true,
    limit: opts.limit,
    start: opts.after === undefined ? undefined : startKeyInPartition(q, opts.after),
  });
  return { entries: page.items.map(derivedEntryOf), more: page.lastKey !== undefined };
}
