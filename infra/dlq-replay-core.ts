import { readFile, writeFile } from 'node:fs/promises';
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { STREAM_CONSUMERS } from '../shared/config/streams.js';
import { publishAll, type SendBatch, type Tagged } from '../shared/events/publisher.js';
import { readChange } from '../shared/events/stream-consumer.js';
import { passesFilters, type StreamFailureRecord } from './local/stream-batches.js';
import { toLambdaRecord } from './local/stream-poller.js';

/**
 * The replay of `publish-changes`' dead letters (docs/operations.md, "Replay"). A dead letter is Lambda's
 * on-failure record: the shard and the first and last sequence numbers of the records it gave up on,
 * not the records. So each is read again from the stream (kept 24 hours), let through the publisher's
 * own filter criteria, read with its own readChange and published with its own publishAll, the code
 * the function runs. A message is deleted only once every event of its range is on the bus; any
 * other outcome leaves it where it is, to be tried again or handled by hand.
 */

/** One dead letter, and how to remove it from its queue once it has been replayed. */
export interface DeadLetter {
  failure: StreamFailureRecord;
  remove(): Promise<void>;
}

export interface DeadLetterSource {
  /** The dead letters waiting now (a bounded read: messages that arrive meanwhile wait for a next run). */
  receive(): Promise<DeadLetter[]>;
}

/** Where the local stack's poller writes them: one on-failure record a line (infra/local/stream-poller.ts). */
export function fileSource(file: string): DeadLetterSource {
  return {
    receive: async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => ({
          failure: JSON.parse(line) as StreamFailureRecord,
          // Re-read at removal: the poller may have appended since. Lines are unique by request id.
          remove: async () => {
            const now = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
            const id = (JSON.parse(line) as StreamFailureRecord).requestContext.requestId;
            const kept = now.filter(
              (l) => (JSON.parse(l) as StreamFailureRecord).requestContext.requestId !== id,
            );
            await writeFile(file, kept.map((l) => `${l}\n`).join(''));
          },
        }));
    },
  };
}

/** The consumer's SQS on-failure destination (AWS): messages stay hidden while the run replays them. */
export function sqsSource(sqs: SQSClient, queueUrl: string, visibilitySeconds = 300): DeadLetterSource {
  return {
    receive: async () => {
      const letters: DeadLetter[] = [];
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: visibilitySeconds,
          }),
        );
        const messages = out.Messages ?? [];
        if (!messages.length) return letters;
        for (const m of messages)
          letters.push({
            failure: JSON.parse(m.Body ?? '{}') as StreamFailureRecord,
            remove: async () => {
              await sqs.send(
                new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
              );
            },
          });
      }
    },
  };
}

/** Consecutive empty GetRecords answers after which an open shard is taken to hold nothing more. */
const EMPTY_READS = 10;

/**
 * The records of the range, in order: GetShardIterator AT_SEQUENCE_NUMBER at its first, GetRecords
 * until its last. Throws when the range is not all there (trimmed past the 24 h retention, or a
 * stream that no longer exists): the message must then stay.
 */
export async function readRange(
  streams: DynamoDBStreamsClient,
  batch: StreamFailureRecord['DDBStreamBatchInfo'],
): Promise<StreamRecord[]> {
  const end = BigInt(batch.endSequenceNumber);
  const it = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: batch.startSequenceNumber,
    }),
  );
  const records: StreamRecord[] = [];
  let iterator = it.ShardIterator;
  for (let empty = 0; iterator && empty < EMPTY_READS; ) {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const page = out.Records ?? [];
    empty = page.length ? 0 : empty + 1;
    for (const record of page) {
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '0');
      if (sequence > end) return checked(records, batch);
      records.push(record);
    }
    iterator = out.NextShardIterator;
  }
  return checked(records, batch);
}

function checked(records: StreamRecord[], batch: StreamFailureRecord['DDBStreamBatchInfo']): StreamRecord[] {
  const first = records[0]?.dynamodb?.SequenceNumber;
  const last = records.at(-1)?.dynamodb?.SequenceNumber;
  if (first !== batch.startSequenceNumber || last !== batch.endSequenceNumber)
    throw new Error(
      `the stream no longer holds ${batch.startSequenceNumber}..${batch.endSequenceNumber} (read ${records.length} record(s))`,
    );
  return records;
}

export type Outcome =
  | { requestId: string; status: 'replayed'; events: number; records: number }
  | { requestId: string; status: 'would replay'; events: number; records: number }
  | { requestId: string; status: 'kept'; reason: string };

export interface ReplayOptions {
  source: DeadLetterSource;
  streams: DynamoDBStreamsClient;
  busName: string;
  /** PutEvents, as the publisher's own handler sends it. */
  send: SendBatch;
  /** Without it, a dry run: reads and reports, publishes and deletes nothing. */
  apply: boolean;
  region: string;
}

/** Replays every dead letter waiting now; one outcome each, in the order received. */
export async function replayDeadLetters(opts: ReplayOptions): Promise<Outcome[]> {
  const filters = STREAM_CONSUMERS['publish-changes'].filters;
  const outcomes: Outcome[] = [];
  for (const letter of await opts.source.receive()) {
    const { requestContext, DDBStreamBatchInfo: batch } = letter.failure;
    const requestId = requestContext?.requestId ?? '?';
    try {
      if (!batch?.shardId || !batch.startSequenceNumber || !batch.endSequenceNumber || !batch.streamArn)
        throw new Error('not a DynamoDB stream on-failure record (no DDBStreamBatchInfo)');
      const records = (await readRange(opts.streams, batch))
        .map((r) => toLambdaRecord(r, batch.streamArn, opts.region))
        .filter((r) => passesFilters(r, filters));
      const tagged: Tagged[] = records.flatMap((r) => {
        const read = readChange(r);
        return read.event ? [{ sequence: read.sequence, event: read.event }] : [];
      });
      if (!opts.apply) {
        outcomes.push({ requestId, status: 'would replay', events: tagged.length, records: records.length });
        continue;
      }
      const failed = await publishAll(tagged, opts.busName, opts.send);
      if (failed !== undefined) throw new Error(`the event of sequence ${failed} was not published`);
      await letter.remove();
      outcomes.push({ requestId, status: 'replayed', events: tagged.length, records: records.length });
    } catch (error) {
      outcomes.push({ requestId, status: 'kept', reason: (error as Error).message });
    }
  }
  return outcomes;
}
