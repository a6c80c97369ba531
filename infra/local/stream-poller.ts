import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamSourceSettings } from '../../shared/config/streams.js';
import type { LocalAwsConfig } from './engines/local-aws.js';
import {
  deliverBatch,
  passesFilters,
  type StreamConsumer,
  type StreamFailureRecord,
} from './stream-batches.js';

export type { StreamConsumer, StreamFailureRecord } from './stream-batches.js';

/**
 * The Lambda event source mapping for DynamoDB Streams, locally: reads every shard of the table's
 * stream in order, drops the records that the consumer's filter criteria leave out, and hands the
 * rest to the consumer in batches as DynamoDBStreamEvent, with Lambda's retries, bisection, maximum
 * record age and batchItemFailures (stream-batches.ts). Discarded records go to the dead-letter file,
 * one JSON line per Lambda on-failure record. Checkpoints are kept in a file, so a restart resumes
 * where it stopped. The settings are the consumer's entry in shared/config/streams.ts, as in AWS.
 */
export interface PollerOptions {
  /** The consumer's name: its function name in failure records and logs. */
  name: string;
  aws: LocalAwsConfig;
  streamArn: string;
  consumer: StreamConsumer;
  settings: StreamSourceSettings;
  checkpointFile: string;
  deadLetterFile: string;
  /** Pause between polls of a shard that had nothing new. */
  intervalMs?: number;
  /** Pause before a retry of a failed batch. */
  retryDelayMs?: number;
  log?: (msg: string) => void;
}

export interface StreamPoller {
  /** Resolves once every record written so far has been handed over (or dead-lettered). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type Checkpoints = Record<string, string>;

interface ShardState {
  iterator: string | null;
  /** Records read and let through by the filters, not yet settled. */
  pending: DynamoDBRecord[];
  /** When the oldest pending record was read: the batching window runs from then. */
  pendingSince: number;
  /** The last sequence number read, filtered out or not. */
  lastRead?: string;
}

/** A stream record as Lambda hands it to a function (epoch seconds, lower-case userIdentity). */
export function toLambdaRecord(r: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: d.Keys as never,
      NewImage: d.NewImage as never,
      OldImage: d.OldImage as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
    // Set by DynamoDB on TTL deletions (type Service, principalId dynamodb.amazonaws.com).
    ...(r.userIdentity
      ? { userIdentity: { type: r.userIdentity.Type, principalId: r.userIdentity.PrincipalId } }
      : {}),
  };
}

export async function startStreamPoller(opts: PollerOptions): Promise<StreamPoller> {
  const { settings } = opts;
  // One batch per shard at a time is all this poller does; a larger factor would reorder in AWS only.
  if (settings.parallelizationFactor !== 1)
    throw new Error(`${opts.name}: the local poller supports parallelizationFactor 1 only`);
  const client = new DynamoDBStreamsClient(opts.aws);
  const interval = opts.intervalMs ?? 200;
  const account = opts.streamArn.split(':')[4] || '000000000000';
  const functionArn = `arn:aws:lambda:${opts.aws.region}:${account}:function:${opts.name}`;
  const checkpoints: Checkpoints = JSON.parse(await readFile(opts.checkpointFile, 'utf8').catch(() => '{}'));
  const shards = new Map<string, ShardState>();
  let stopped = false;
  let idle = false;

  async function checkpoint(shardId: string, sequence: string | undefined) {
    if (!sequence) return;
    checkpoints[shardId] = sequence;
    await mkdir(dirname(opts.checkpointFile), { recursive: true });
    await writeFile(opts.checkpointFile, JSON.stringify(checkpoints));
  }

  async function deadLetter(failure: StreamFailureRecord) {
    await mkdir(dirname(opts.deadLetterFile), { recursive: true });
    await appendFile(opts.deadLetterFile, `${JSON.stringify(failure)}\n`);
  }

  async function refreshShards() {
    const out = await client.send(new DescribeStreamCommand({ StreamArn: opts.streamArn }));
    for (const shard of out.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId!;
      if (shards.has(id)) continue;
      const after = checkpoints[id];
      const it = await client.send(
        new GetShardIteratorCommand({
          StreamArn: opts.streamArn,
          ShardId: id,
          ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : settings.startingPosition,
          SequenceNumber: after,
        }),
      );
      shards.set(id, { iterator: it.ShardIterator ?? null, pending: [], pendingSince: 0 });
    }
  }

  /** Reads what is new in the shard, less what the filters leave out; true when anything was read. */
  async function read(shardId: string, shard: ShardState): Promise<boolean> {
    if (shard.pending.length >= settings.batchSize || !shard.iterator) return false;
    const out = await client.send(
      new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: settings.batchSize }),
    );
    shard.iterator = out.NextShardIterator ?? null;
    const records = (out.Records ?? []).map((r) => toLambdaRecord(r, opts.streamArn, opts.aws.region));
    for (const record of records) {
      shard.lastRead = record.dynamodb?.SequenceNumber;
      if (!passesFilters(record, settings.filters)) continue;
      if (!shard.pending.length) shard.pendingSince = Date.now();
      shard.pending.push(record);
    }
    // Only filtered-out records: nothing to invoke, but the checkpoint moves past them.
    if (records.length && !shard.pending.length) await checkpoint(shardId, shard.lastRead);
    return records.length > 0;
  }

  async function pollShard(shardId: string, shard: ShardState): Promise<boolean> {
    const readAny = await read(shardId, shard);
    if (!shard.pending.length) return readAny;
    const windowOpen = Date.now() - shard.pendingSince < settings.maxBatchingWindowSeconds * 1000;
    if (shard.pending.length < settings.batchSize && windowOpen && shard.iterator) return readAny;
    const batch = shard.pending.slice(0, settings.batchSize);
    const settled = await deliverBatch(batch, {
      settings,
      consumer: opts.consumer,
      shardId,
      streamArn: opts.streamArn,
      functionArn,
      settled: (last) => checkpoint(shardId, last.dynamodb?.SequenceNumber),
      discard: deadLetter,
      retryDelayMs: opts.retryDelayMs ?? 100,
      stopped: () => stopped,
      log: (msg) => opts.log?.(`${opts.name}: ${msg}`),
    });
    shard.pending = shard.pending.slice(settled);
    shard.pendingSince = Date.now();
    // Filtered-out records after the batch's last one are passed too, once nothing is left before them.
    if (!shard.pending.length) await checkpoint(shardId, shard.lastRead);
    return true;
  }

  let lastRefresh = 0;
  const loop = (async () => {
    while (!stopped) {
      let worked = false;
      try {
        if (Date.now() - lastRefresh > 2000) {
          await refreshShards();
          lastRefresh = Date.now();
        }
        for (const [shardId, shard] of shards) worked = (await pollShard(shardId, shard)) || worked;
      } catch (error) {
        if (!stopped) opts.log?.(`${opts.name}: poll failed: ${(error as Error).message}`);
      }
      idle = !worked && [...shards.values()].every((s) => s.pending.length === 0);
      if (!worked) await new Promise((resolve) => setTimeout(resolve, interval));
    }
  })();

  return {
    drain: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      lastRefresh = 0;
      // Two idle rounds in a row: every shard read to its end and every batch handed over.
      let quiet = 0;
      while (quiet < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, interval + 20));
        quiet = idle ? quiet + 1 : 0;
      }
    },
    stop: async () => {
      stopped = true;
      await loop;
      client.destroy();
    },
  };
}
