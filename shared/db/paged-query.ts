import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import type { IndexName, Item } from './keys.js';

/**
 * The one Query loop of the repositories: one partition (of the table, or of an index), in sort-key
 * order, a page at a time. Every list and every "read the whole partition" goes through here, so a
 * Query is built the same way everywhere (placeholder names, no key string outside keys.ts).
 */

/** A partition to read: the table's (no index name) or an index's, as keys.ts describes it. */
export interface PartitionRef {
  indexName?: IndexName;
  pkAttr: string;
  pkValue: string;
  skAttr: string;
}

export interface QueryPageOptions {
  /** Newest (highest sort key) first: every list of this table. Default: oldest first. */
  newestFirst?: boolean;
  limit?: number;
  /** DynamoDB's ExclusiveStartKey: where an earlier page stopped. */
  start?: Item;
  /** Only sort keys below this one (newest first) or above it (oldest first): a merge across shards. */
  beyond?: string;
  consistent?: boolean;
}

export interface QueryPage {
  items: Item[];
  /** DynamoDB's LastEvaluatedKey: present when the read stopped at its limit, so more may follow. */
  lastKey?: Item;
}

/** One Query call. */
export async function queryPage(q: PartitionRef, opts: QueryPageOptions = {}): Promise<QueryPage> {
  const beyond = opts.beyond !== undefined;
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: q.indexName,
      KeyConditionExpression: beyond ? `#pk = :pk AND #sk ${opts.newestFirst ? '<' : '>'} :sk` : '#pk = :pk',
      ExpressionAttributeNames: beyond ? { '#pk': q.pkAttr, '#sk': q.skAttr } : { '#pk': q.pkAttr },
      ExpressionAttributeValues: beyond ? { ':pk': q.pkValue, ':sk': opts.beyond } : { ':pk': q.pkValue },
      ScanIndexForward: !opts.newestFirst,
      ConsistentRead: opts.consistent,
      Limit: opts.limit,
      ExclusiveStartKey: opts.start,
    }),
  );
  return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
}

/** Every page of the partition, in order, until it ends (for jobs and consumers, not request paths). */
export async function* queryPages(
  q: PartitionRef,
  opts: Omit<QueryPageOptions, 'start'> = {},
): AsyncGenerator<Item[]> {
  let start: Item | undefined;
  do {
    const page = await queryPage(q, { ...opts, start });
    yield page.items;
    start = page.lastKey;
  } while (start);
}

/** The whole partition, mapped; entries mapped to undefined are left out. */
export async function queryAll<T>(q: PartitionRef, entryOf: (item: Item) => T | undefined): Promise<T[]> {
  const entries: T[] = [];
  for await (const items of queryPages(q)) {
    for (const item of items) {
      const entry = entryOf(item);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return entries;
}
