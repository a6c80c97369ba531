import { randomUUID } from 'node:crypto';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamSourceSettings } from '../../shared/config/streams.js';
import { matchesPattern } from '../../shared/events/pattern.js';

/**
 * What Lambda's event source mapping does with one batch of a DynamoDB stream, for the local poller
 * (stream-poller.ts reads the shards; this decides). The settings are the consumer's entry in
 * shared/config/streams.ts, the same that CDK deploys. Per Lambda's documentation:
 * - success (no answer, or empty `batchItemFailures`): the whole batch is done;
 * - `batchItemFailures` (when reportBatchItemFailures is on): done up to the failed record with the
 *   lowest sequence number; the batch is retried from it. An empty, missing or unknown
 *   `itemIdentifier` fails the whole batch;
 * - an error (a throw, or such a bad answer): with bisectBatchOnError, a batch of 2+ records is split
 *   in two halves, each retried on its own, down to single records; splitting uses no retry;
 * - retries are counted on what failed: the record named in batchItemFailures, else the batch; after
 *   `retryAttempts` retries it is discarded and the shard goes on past it;
 * - a record older than `maxRecordAgeSeconds` is discarded instead of being invoked.
 * A discarded record goes to the failure destination as Lambda's on-failure record: metadata naming
 * the records (shard and sequence numbers), not the records themselves.
 */
export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

/** The on-failure destination record of a stream event source mapping, as Lambda sends it to SQS. */
export interface StreamFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface BatchContext {
  settings: StreamSourceSettings;
  consumer: StreamConsumer;
  shardId: string;
  streamArn: string;
  functionArn: string;
  /** Records from the front of the batch are settled (done or discarded): checkpoint after the last. */
  settled: (last: DynamoDBRecord) => Promise<void>;
  discard: (failure: StreamFailureRecord) => Promise<void>;
  now?: () => number;
  /** Pause before a retry, so that a failing consumer is not called in a tight loop. */
  retryDelayMs?: number;
  /** Checked between invocations: a stopping poller leaves the rest of the batch unsettled. */
  stopped?: () => boolean;
  log?: (msg: string) => void;
}

/** Whether Lambda's filter criteria let the record through: no filters, or any one matches. */
export function passesFilters(record: DynamoDBRecord, filters: StreamSourceSettings['filters']): boolean {
  return filters.length === 0 || filters.some((pattern) => matchesPattern(pattern, record));
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'partial'; index: number }
  | { kind: 'error'; functionError?: string };

/** One invocation: what the consumer's answer means under the settings. */
async function invoke(records: DynamoDBRecord[], ctx: BatchContext): Promise<Outcome> {
  let response: DynamoDBBatchResponse | undefined;
  try {
    response = await ctx.consumer({ Records: records });
  } catch (error) {
    ctx.log?.(`consumer threw: ${(error as Error).message}`);
    return { kind: 'error', functionError: 'Unhandled' };
  }
  const failures = response?.batchItemFailures;
  if (!ctx.settings.reportBatchItemFailures || !failures || failures.length === 0) return { kind: 'ok' };
  const indexes = failures.map((f) => {
    const id: unknown = f?.itemIdentifier;
    return typeof id === 'string' && id !== ''
      ? records.findIndex((r) => r.dynamodb?.SequenceNumber === id)
      : -1;
  });
  if (indexes.some((i) => i < 0)) return { kind: 'error' };
  return { kind: 'partial', index: Math.min(...indexes) };
}

/** Records still to settle, with what they have been through together. */
interface Unit {
  records: DynamoDBRecord[];
  /** Failed invocations charged to this unit (its first record, after a partial failure). */
  failures: number;
  invocations: number;
  lastError?: string;
}

const arrival = (r: DynamoDBRecord) =>
  new Date((r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function failureRecord(
  records: DynamoDBRecord[],
  condition: StreamFailureRecord['requestContext']['condition'],
  unit: Unit,
  ctx: BatchContext,
  at: number,
): StreamFailureRecord {
  const first = records[0]!;
  const last = records[records.length - 1]!;
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: ctx.functionArn,
      condition,
      approximateInvokeCount: unit.invocations,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(unit.lastError ? { functionError: unit.lastError } : {}),
    },
    version: '1.0',
    timestamp: new Date(at).toISOString(),
    DDBStreamBatchInfo: {
      shardId: ctx.shardId,
      startSequenceNumber: first.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: last.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: records.length,
      streamArn: ctx.streamArn,
    },
  };
}

/** How many records at the front are past the maximum age (a negative maximum: none ever are). */
function countExpired(records: DynamoDBRecord[], maxAgeSeconds: number, now: number): number {
  if (maxAgeSeconds < 0) return 0;
  const expired = (r: DynamoDBRecord) => {
    const created = r.dynamodb?.ApproximateCreationDateTime;
    return created !== undefined && now - created * 1000 > maxAgeSeconds * 1000;
  };
  const fresh = records.findIndex((r) => !expired(r));
  return fresh < 0 ? records.length : fresh;
}

/**
 * Delivers one batch until every record is done or discarded (or the poller stops); returns how many
 * records from its front are settled. Units are worked in stream order, so a shard stays ordered.
 */
export async function deliverBatch(batch: DynamoDBRecord[], ctx: BatchContext): Promise<number> {
  const now = ctx.now ?? Date.now;
  const { settings } = ctx;
  const units: Unit[] = batch.length ? [{ records: batch, failures: 0, invocations: 0 }] : [];
  let settledCount = 0;
  const settle = async (records: DynamoDBRecord[]) => {
    if (!records.length) return;
    settledCount += records.length;
    await ctx.settled(records[records.length - 1]!);
  };
  const discard = async (
    records: DynamoDBRecord[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    unit: Unit,
  ) => {
    await ctx.discard(failureRecord(records, condition, unit, ctx, now()));
    ctx.log?.(
      `${records.length} record(s) from ${records[0]?.dynamodb?.SequenceNumber} discarded: ${condition}`,
    );
    await settle(records);
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, ctx.retryDelayMs ?? 0));

  while (units.length > 0 && !ctx.stopped?.()) {
    const unit = units[0]!;
    const expiredCount = countExpired(unit.records, settings.maxRecordAgeSeconds, now());
    if (expiredCount > 0) {
      await discard(unit.records.slice(0, expiredCount), 'RecordAgeExceeded', unit);
      unit.records = unit.records.slice(expiredCount);
      if (!unit.records.length) units.shift();
      continue;
    }

    const outcome = await invoke(unit.records, ctx);
    unit.invocations++;
    if (outcome.kind === 'ok') {
      await settle(unit.records);
      units.shift();
      continue;
    }
    if (outcome.kind === 'partial') {
      // Done up to the failed record; the failures are charged to it, fresh when it is a new one.
      await settle(unit.records.slice(0, outcome.index));
      unit.failures = outcome.index === 0 ? unit.failures + 1 : 1;
      unit.records = unit.records.slice(outcome.index);
      unit.lastError = undefined;
      if (unit.failures > settings.retryAttempts) {
        const [named, ...rest] = unit.records;
        await discard([named!], 'RetryAttemptsExhausted', unit);
        if (rest.length) units[0] = { records: rest, failures: 0, invocations: unit.invocations };
        else units.shift();
        continue;
      }
      await pause();
      continue;
    }
    unit.lastError = outcome.functionError;
    if (settings.bisectBatchOnError && unit.records.length > 1) {
      const half = Math.ceil(unit.records.length / 2);
      const halves = [unit.records.slice(0, half), unit.records.slice(half)].map((records) => ({
        ...unit,
        records,
      }));
      units.splice(0, 1, ...halves);
      continue;
    }
    unit.failures++;
    if (unit.failures > settings.retryAttempts) {
      await discard(unit.records, 'RetryAttemptsExhausted', unit);
      units.shift();
      continue;
    }
    await pause();
  }
  return settledCount;
}
