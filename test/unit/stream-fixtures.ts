import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  type BatchContext,
  deliverBatch,
  type StreamFailureRecord,
} from '../../infra/local/stream-batches.js';
import { STREAM_CONSUMERS, type StreamSourceSettings } from '../../shared/config/streams.js';

/** A fake stream and consumer for the tests of the local event source mapping (stream-batches.ts). */

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const SETTINGS: StreamSourceSettings = { ...STREAM_CONSUMERS['publish-changes'], retryAttempts: 2 };

/** A stream record named by its sequence number, made `ageSeconds` before NOW. */
export const rec = (seq: string, ageSeconds = 5): DynamoDBRecord => ({
  eventID: `ev-${seq}`,
  eventName: 'MODIFY',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: Math.floor((NOW - ageSeconds * 1000) / 1000),
  },
});
export const records = (...seqs: string[]) => seqs.map((s) => rec(s));
export const seqs = (event: DynamoDBStreamEvent) =>
  event.Records.map((r) => r.dynamodb!.SequenceNumber!).join(',');
export const failing = (seq: string): DynamoDBBatchResponse => ({
  batchItemFailures: [{ itemIdentifier: seq }],
});

export type Answer = (event: DynamoDBStreamEvent, call: number) => Promise<DynamoDBBatchResponse | undefined>;

/** Runs a batch through a consumer that answers with `answer`; records every call, settle and discard. */
export async function run(batch: DynamoDBRecord[], answer: Answer, overrides: Partial<BatchContext> = {}) {
  const calls: string[] = [];
  const checkpoints: string[] = [];
  const discarded: StreamFailureRecord[] = [];
  const settled = await deliverBatch(batch, {
    settings: SETTINGS,
    consumer: (event) => {
      calls.push(seqs(event));
      return answer(event, calls.length);
    },
    shardId: 'shardId-1',
    streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/s',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    settled: async (last) => {
      checkpoints.push(last.dynamodb!.SequenceNumber!);
    },
    discard: async (failure) => {
      discarded.push(failure);
    },
    now: () => NOW,
    ...overrides,
  });
  const info = discarded.map((d) => ({
    condition: d.requestContext.condition,
    from: d.DDBStreamBatchInfo.startSequenceNumber,
    to: d.DDBStreamBatchInfo.endSequenceNumber,
    size: d.DDBStreamBatchInfo.batchSize,
    invokes: d.requestContext.approximateInvokeCount,
    functionError: d.responseContext.functionError,
  }));
  return { settled, calls, checkpoints, discarded, info };
}

export const throwsWhenIn =
  (poison: string): Answer =>
  async (event) => {
    if (event.Records.some((r) => r.dynamodb?.SequenceNumber === poison)) throw new Error('poison');
    return undefined;
  };
