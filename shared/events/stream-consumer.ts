import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { loadEnv } from '../config/env.js';
import { STREAM_CONSUMER_SPECS, type StreamConsumerName } from '../config/streams.js';
import { putDerivedItems } from '../db/derived-items.js';
import type { Item } from '../db/keys.js';
import { storeFailure } from '../db/store-errors.js';
import { logger } from '../http/logger.js';
import { measureInvocations } from '../http/metrics.js';
import { observe } from '../http/observability.js';
import { rolePermissionsInForce } from '../http/role-freshness.js';
import { traceInvocations } from '../http/tracer.js';
import { type ChangeEvent, type StreamChange, toChangeEvent } from './change-events.js';
import { roleChangeEvent } from './role-events.js';

/**
 * What every consumer of the table's stream shares (functions/streams/*.ts): reading a stream record
 * into a change and its event, handling a batch in stream order with partial batch failures, and the
 * one middy stack. A consumer that derives items of its own from changes (the change feed, the audit
 * trail) is one call: `itemWritingConsumer(name, itemsOf)`.
 */

/** One stream record, read: where it sits in its shard, the change, and its event (none: no record change). */
export interface ReadChange {
  sequence: string;
  change: StreamChange;
  event?: ChangeEvent;
}

const image = (raw: Record<string, unknown> | undefined) =>
  raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;

/** Throws on a record that cannot be read (no sequence number, an image that holds no record). */
export function readChange(record: DynamoDBRecord): ReadChange {
  const sequence = record.dynamodb?.SequenceNumber;
  if (!sequence) throw new Error('a stream record without a sequence number');
  const change: StreamChange = {
    eventId: record.eventID ?? sequence,
    kind: record.eventName ?? 'MODIFY',
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
    approximateCreationTime: record.dynamodb?.ApproximateCreationDateTime,
  };
  return { sequence, change, event: toChangeEvent(change) ?? roleChangeEvent(change) };
}

/**
 * How a record is retried inside one invocation while the store does not answer. Lambda retries a
 * failed batch only `retryAttempts` times, within seconds, then dead-letters it: an outage of the
 * table longer than that (14-22 s in `npm run test:faults`) dead-lettered feed, audit and counter
 * writes that were only waiting for the store. Every consumer is idempotent (deterministic keys, or a
 * marker per event), so a write is simply tried again, with backoff, as long as the invocation has
 * time; `marginMs` is left for the rest of the batch once the store answers again.
 */
export const STORE_RETRY = { firstDelayMs: 100, maxDelayMs: 2000, marginMs: 15_000 } as const;

/** Until when a record may be retried in this invocation (epoch ms). */
export const retryDeadline = (context: Pick<Context, 'getRemainingTimeInMillis'>) =>
  Date.now() + Math.max(0, context.getRemainingTimeInMillis() - STORE_RETRY.marginMs);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential, with half of it jittered so that the consumers do not retry in step. */
const backoff = (attempt: number) => {
  const full = Math.min(STORE_RETRY.maxDelayMs, STORE_RETRY.firstDelayMs * 2 ** attempt);
  return full / 2 + (Math.random() * full) / 2;
};

async function untilTheStoreAnswers(work: () => Promise<void>, sequence: string, retryUntil: number) {
  for (let attempt = 0; ; attempt++) {
    try {
      await work();
      if (attempt) logger.info('the store answered again; the record is done', { sequence, attempt });
      return;
    } catch (error) {
      const delay = backoff(attempt);
      if (!storeFailure(error) || Date.now() + delay > retryUntil) throw error;
      if (!attempt)
        logger.warn('the store did not answer; retrying the record', { error: error as Error, sequence });
      await sleep(delay);
    }
  }
}

/**
 * Handles the records one after the other, in stream order. A record whose store is out is retried
 * until `retryUntil` (above). The first that fails for good stops the batch and is reported in
 * batchItemFailures: what came before it is done, and the stream retries from it (with the rest),
 * then sends it to the consumer's dead-letter destination after its retries and goes on with the rest.
 * Stopping keeps the consumer's writes in sequence order, so a change feed reader never resumes past
 * an item that a retry would write behind it.
 */
export async function handleInOrder(
  records: readonly DynamoDBRecord[],
  handle: (record: DynamoDBRecord) => Promise<void>,
  retryUntil = 0,
): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    const sequence = record.dynamodb?.SequenceNumber ?? '';
    try {
      await untilTheStoreAnswers(() => handle(record), sequence, retryUntil);
    } catch (error) {
      logger.error('stream record failed; the stream will retry from it', {
        error: error as Error,
        sequence,
      });
      return { batchItemFailures: [{ itemIdentifier: sequence }] };
    }
  }
  return { batchItemFailures: [] };
}

/**
 * The middy stack of every stream consumer: logs with the Lambda context, metrics, traces, and the
 * role permissions in force (what the bus, the feeds and the notifications may show).
 */
export function streamHandler(
  name: StreamConsumerName,
  consume: (event: DynamoDBStreamEvent, retryUntil: number) => Promise<DynamoDBBatchResponse>,
) {
  return middy((event: DynamoDBStreamEvent, context: Context) => consume(event, retryDeadline(context))).use([
    ...observe(),
    measureInvocations(),
    traceInvocations(),
    ...rolePermissionsInForce(name, STREAM_CONSUMER_SPECS[name].grants),
  ]);
}

/**
 * A consumer that writes items of its own for each record change (`itemsOf`: none for a stream record
 * that is no record change). Its items have deterministic keys, so a replayed batch overwrites what
 * it wrote and duplicates nothing. Parses the consumer's environment from its grants at init.
 */
export function itemWritingConsumer(name: StreamConsumerName, itemsOf: (read: ReadChange) => Item[]) {
  loadEnv(STREAM_CONSUMER_SPECS[name].grants);
  return streamHandler(name, (event, retryUntil) =>
    handleInOrder(
      event.Records,
      async (record) => {
        const items = itemsOf(readChange(record));
        if (items.length) await putDerivedItems(items);
      },
      retryUntil,
    ),
  );
}
