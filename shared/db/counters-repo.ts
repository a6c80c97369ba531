import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { REPORT_SETTINGS } from '../config/reports.js';
import { instrumentClient } from '../http/observability.js';
import type { CounterUpdate } from '../reports/aggregates.js';
import type { Bucket } from '../reports/definitions.js';
import { tableName } from './client.js';
import {
  appliedMarkerItem,
  bucketAttribute,
  bucketOfAttribute,
  counterDayOf,
  counterKey,
  counterQuery,
  PARTITION_KEY_ATTRIBUTE,
} from './keys.js';

/**
 * The reports' counters in the table (keys: shared/db/keys.ts, "Reports"). Numbers travel as the
 * low-level client's decimal strings both ways: the DocumentClient would turn a sum of micro-units
 * into a float, and a sum of money must stay exact.
 */
let client: DynamoDBClient | undefined;
const low = () => {
  client ??= instrumentClient(
    new DynamoDBClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 } }),
  );
  return client;
};

const key = (k: Record<string, string>) => marshall(k);

/** One counter item's update: ADD each bucket's deltas (ADD creates the item and attributes at 0). */
function counterUpdateItem(update: CounterUpdate): TransactWriteItem {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const adds: string[] = [];
  update.deltas.forEach((d, i) => {
    const measures = [['count', d.count] as const, ['amount', d.amount] as const].filter(([, v]) => v !== 0n);
    for (const [measure, value] of measures) {
      const ref = `${measure[0]}${i}`;
      names[`#${ref}`] = bucketAttribute(measure, d.dims);
      values[`:${ref}`] = { N: value.toString() };
      adds.push(`#${ref} :${ref}`);
    }
  });
  return {
    Update: {
      TableName: tableName(),
      Key: key(counterKey(update.report, update.day, update.shard)),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Applies one stream record's counter updates exactly once: the updates and a marker keyed by the
 * stream record's eventID go in ONE transaction, the marker's Put on condition that it is not there.
 * A replayed record finds its marker, the transaction is cancelled and nothing is counted twice.
 * Returns false when the record had been counted already. No updates: no write, no marker.
 */
export async function applyCounterUpdates(
  eventId: string,
  updates: readonly CounterUpdate[],
  now: Date = new Date(),
): Promise<boolean> {
  if (!updates.length) return true;
  const expiresAt = Math.floor(now.getTime() / 1000) + REPORT_SETTINGS.appliedMarkerTtlSeconds;
  const marker: TransactWriteItem = {
    Put: {
      TableName: tableName(),
      Item: marshall(appliedMarkerItem(eventId, expiresAt)),
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY_ATTRIBUTE },
    },
  };
  try {
    await low().send(
      new TransactWriteItemsCommand({ TransactItems: [marker, ...updates.map(counterUpdateItem)] }),
    );
    return true;
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
    // Only the marker has a condition: its failure means "counted already". A conflict (contention, in
    // store-errors.ts) is retried within the invocation, then by the stream.
    if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

const SORT_KEY = counterQuery('').skAttr;

/** The buckets held by counter items, per day for dated reports. */
export function bucketsOfItems(items: readonly Record<string, AttributeValue>[]): Bucket[] {
  const out = new Map<string, Bucket>();
  for (const raw of items) {
    const day = counterDayOf({ [SORT_KEY]: raw[SORT_KEY]?.S });
    for (const [name, value] of Object.entries(raw)) {
      const bucket = bucketOfAttribute(name);
      if (!bucket || value.N === undefined) continue;
      const id = JSON.stringify([day, bucket.dims]);
      const sum = out.get(id) ?? { day, dims: bucket.dims, count: 0n, amount: 0n };
      out.set(id, { ...sum, [bucket.measure]: sum[bucket.measure] + BigInt(value.N) });
    }
  }
  return [...out.values()];
}

/**
 * A report's counters: every shard (and, for a dated report, every day from..to), summed into buckets.
 * A Query of one partition, page by page: a handful of items whatever the table holds.
 */
export async function readCounters(report: string, days?: { from: string; to: string }): Promise<Bucket[]> {
  const q = counterQuery(report, days);
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await low().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': q.pkAttr, '#sk': q.skAttr },
        ExpressionAttributeValues: {
          ':pk': { S: q.pkValue },
          ':from': { S: q.skFrom },
          ':to': { S: q.skTo },
        },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return bucketsOfItems(items);
}

/**
 * Sets one report's counters for one day (or all time) to `buckets`: all of them in shard 0, the other
 * shards emptied. For `npm run reports:rebuild -- --apply`, while nothing writes (docs/reports.md).
 */
export async function replaceCounters(report: string, day: string | undefined, buckets: readonly Bucket[]) {
  const item: Record<string, AttributeValue> = marshall(counterKey(report, day, 0));
  for (const b of buckets) {
    item[bucketAttribute('count', b.dims)] = { N: b.count.toString() };
    item[bucketAttribute('amount', b.dims)] = { N: b.amount.toString() };
  }
  await low().send(new PutItemCommand({ TableName: tableName(), Item: item }));
  for (let shard = 1; shard < REPORT_SETTINGS.counterShards; shard++)
    await low().send(
      new DeleteItemCommand({ TableName: tableName(), Key: key(counterKey(report, day, shard)) }),
    );
}
