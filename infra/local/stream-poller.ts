import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalAwsConfig } from './engines/local-aws.js';

/**
 * The Lambda event source mapping for DynamoDB Streams, locally: reads every shard of the table's
 * stream in order, hands batches to the consumer as DynamoDBStreamEvent, and honours
 * batchItemFailures (resume at the failed record). A record that keeps failing is written to the
 * consumer's dead-letter file after `maxRetries`, and the shard moves on. Checkpoints are kept in a
 * file, so a restart resumes where it stopped.
 */
export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface PollerOptions {
  name: string;
  aws: LocalAwsConfig;
  streamArn: string;
  consumer: StreamConsumer;
  checkpointFile: string;
  deadLetterFile: string;
  batchSize?: number;
  maxRetries?: number;
  intervalMs?: number;
  log?: (msg: string) => void;
}

export interface StreamPoller {
  /** Resolves once every record written so far has been handed over (or dead-lettered). */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type Checkpoints = Record<string, string>;

function toLambdaRecord(r: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
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
  };
}

export async function startStreamPoller(opts: PollerOptions): Promise<StreamPoller> {
  const client = new DynamoDBStreamsClient(opts.aws);
  const batchSize = opts.batchSize ?? 100;
  const maxRetries = opts.maxRetries ?? 3;
  const interval = opts.intervalMs ?? 200;
  const checkpoints: Checkpoints = JSON.parse(await readFile(opts.checkpointFile, 'utf8').catch(() => '{}'));
  const iterators = new Map<string, string | null>();
  const pending = new Map<string, DynamoDBRecord[]>();
  const failures = new Map<string, number>();
  let stopped = false;
  let idle = false;

  async function saveCheckpoints() {
    await mkdir(dirname(opts.checkpointFile), { recursive: true });
    await writeFile(opts.checkpointFile, JSON.stringify(checkpoints));
  }

  async function refreshShards() {
    const out = await client.send(new DescribeStreamCommand({ StreamArn: opts.streamArn }));
    for (const shard of out.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId!;
      if (iterators.has(id)) continue;
      const after = checkpoints[id];
      const it = await client.send(
        new GetShardIteratorCommand({
          StreamArn: opts.streamArn,
          ShardId: id,
          ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
          SequenceNumber: after,
        }),
      );
      iterators.set(id, it.ShardIterator ?? null);
    }
  }

  async function deadLetter(record: DynamoDBRecord, reason: string) {
    await mkdir(dirname(opts.deadLetterFile), { recursive: true });
    const line = { consumer: opts.name, failedAt: new Date().toISOString(), reason, record };
    await appendFile(opts.deadLetterFile, `${JSON.stringify(line)}\n`);
    opts.log?.(`${opts.name}: record ${record.dynamodb?.SequenceNumber} sent to the dead-letter file`);
  }

  /** Hands one batch to the consumer; returns how many records from the front are done with. */
  async function invoke(batch: DynamoDBRecord[]): Promise<number> {
    let failedAt = 0;
    let reason = 'handler error';
    try {
      const response = await opts.consumer({ Records: batch });
      const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
      if (failed === undefined || failed === '') return batch.length;
      failedAt = Math.max(
        0,
        batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed),
      );
      reason = 'reported in batchItemFailures';
    } catch (error) {
      opts.log?.(`${opts.name}: consumer threw: ${(error as Error).message}`);
    }
    const first = batch[failedAt]!;
    const key = first.dynamodb?.SequenceNumber ?? '';
    const count = (failures.get(key) ?? 0) + 1;
    failures.set(key, count);
    if (count <= maxRetries) return failedAt;
    failures.delete(key);
    await deadLetter(first, reason);
    return failedAt + 1;
  }

  async function pollShard(shardId: string): Promise<boolean> {
    let queue = pending.get(shardId) ?? [];
    const iterator = iterators.get(shardId);
    if (queue.length < batchSize && iterator) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
      queue = [
        ...queue,
        ...(out.Records ?? []).map((r) => toLambdaRecord(r, opts.streamArn, opts.aws.region)),
      ];
      iterators.set(shardId, out.NextShardIterator ?? null);
    }
    if (!queue.length) {
      pending.set(shardId, queue);
      return false;
    }
    const batch = queue.slice(0, batchSize);
    const done = await invoke(batch);
    if (done > 0) {
      checkpoints[shardId] = batch[done - 1]!.dynamodb!.SequenceNumber!;
      await saveCheckpoints();
    }
    pending.set(shardId, queue.slice(done));
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
        for (const shardId of iterators.keys()) worked = (await pollShard(shardId)) || worked;
      } catch (error) {
        if (!stopped) opts.log?.(`${opts.name}: poll failed: ${(error as Error).message}`);
      }
      idle = !worked;
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
