import { readFile, writeFile } from 'node:fs/promises';
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { STREAM_CONSUMERS, type StreamConsumerName } from '../shared/config/streams.js';
import { publishAll, type SendBatch, type Tagged } from '../shared/events/publisher.js';
import { readChange } from '../shared/events/stream-consumer.js';
import { passesFilters, type StreamFailureRecord } from './local/stream-batches.js';
import { toLambdaRecord } from './local/stream-poller.js';

/**
 * The replay of a stream consumer's dead letters (docs/operations.md, "Replay"). A dead letter is
 * Lambda's on-failure record: the shard and the first and last sequence numbers of the records it gave
 * up on, not the records. So each is read again from the stream (kept 24 hours), let through the
 * consumer's own filter criteria and handed to the consumer's own code: the publisher's publishAll
 * (`publishWith`), or the consumer's handler itself (the change feed, the audit, …). A message is
 * deleted only once all of its range is done; any other outcome leaves it where it is, to be tried
 * again or handled by hand.
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

/** Does the work of a range's records as the consumer does it; throws when any of it failed. */
export type HandleRecords = (records: DynamoDBRecord[]) => Promise<void>;

export interface ReplayOptions {
  source: DeadLetterSource;
  streams: DynamoDBStreamsClient;
  /** Whose dead letters: its filter criteria pick the records, `handle` does their work. */
  consumer: StreamConsumerName;
  handle: HandleRecords;
  /** Without it, a dry run: reads and reports, does and deletes nothing. */
  apply: boolean;
  region: string;
}

const eventsOf = (records: DynamoDBRecord[]): Tagged[] =>
  records.flatMap((r) => {
    const read = readChange(r);
    return read.event ? [{ sequence: read.sequence, event: read.event }] : [];
  });

/** The publisher's work: every event of the records on the bus, as the function publishes them. */
export const publishWith =
  (busName: string, send: SendBatch): HandleRecords =>
  async (records) => {
    const failed = await publishAll(eventsOf(records), busName, send);
    if (failed !== undefined) throw new Error(`the event of sequence ${failed} was not published`);
  };

/** Any consumer's work: its handler, invoked with the records in batches of its size (a Lambda context of its timeout). */
export const invokeWith =
  (
    consumer: StreamConsumerName,
    invoke: (event: {
      Records: DynamoDBRecord[];
    }) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  ): HandleRecords =>
  async (records) => {
    const size = STREAM_CONSUMERS[consumer].batchSize;
    for (let i = 0; i < records.length; i += size) {
      const out = await invoke({ Records: records.slice(i, i + size) });
      const failed = out.batchItemFailures[0]?.itemIdentifier;
      if (failed !== undefined) throw new Error(`${consumer} failed again at sequence ${failed}`);
    }
  };

/** Replays every dead letter waiting now; one outcome each, in the order received. */
export async function replayDeadLetters(opts: ReplayOptions): Promise<Outcome[]> {
  const filters = STREAM_CONSUMERS[opts.consumer].filters;
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
      // Read first, in a dry run too: a record that cannot be read keeps its message.
      const events = eventsOf(records).length;
      if (!opts.apply) {
        outcomes.push({ requestId, status: 'would replay', events, records: records.length });
        continue;
      }
      await opts.handle(records);
      await letter.remove();
      outcomes.push({ requestId, status: 'replayed', events, records: records.length });
    } catch (error) {
      outcomes.push({ requestId, status: 'kept', reason: (error as Error).message });
    }
  }
  return outcomes;
}
