/**
 * How each consumer of the table's stream is fed: the event source mapping settings, in ONE place.
 * CDK's DynamoEventSource (infra/constructs/fanout.ts) and the local poller (infra/local/stream-poller.ts)
 * both read them, so that locally a batch is retried, bisected, filtered and dead-lettered as Lambda
 * does it in AWS. A new consumer adds an entry here.
 */
import { COLLECTION_ATTRIBUTE } from '../db/keys.js';
import type { EventPattern } from '../events/pattern.js';

export interface StreamSourceSettings {
  /** Records per invocation at most (Lambda's BatchSize). */
  batchSize: number;
  /** How long to gather records before invoking with a batch that is not full (0: at once). */
  maxBatchingWindowSeconds: number;
  /** Retries of a failed batch (or of the record it names in batchItemFailures) before it is discarded. */
  retryAttempts: number;
  /** Split a batch whose invocation fails in two halves, recursively, to isolate the bad record. */
  bisectBatchOnError: boolean;
  /** Records older than this are discarded (to the failure destination) instead of being invoked. */
  maxRecordAgeSeconds: number;
  /** Concurrent batches per shard. */
  parallelizationFactor: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** The function may answer `{ batchItemFailures }` to fail part of a batch. */
  reportBatchItemFailures: boolean;
  /**
   * Lambda event filtering: a record reaches the function only when it matches one of these patterns.
   * The grammar is EventBridge's (shared/events/pattern.ts), matched against the record as Lambda
   * hands it over, images in DynamoDB JSON (`dynamodb.NewImage.<attribute>.S`). Filtered-out records
   * are skipped, never invoked: they cost no invocation and cannot fail.
   */
  filters: EventPattern[];
}

/**
 * Inserts and updates of record items only. An item without the collection attribute (an
 * Idempotency-Key entry, a role lock) is no record, so the publisher would drop it anyway. A REMOVE
 * has no NewImage, so every REMOVE is left out: a record's deletion is a soft delete (a MODIFY,
 * announced as `<entity>.deleted`), and the only REMOVE of a record is its TTL purge afterwards, which
 * the publisher must not announce again. In AWS a TTL purge also carries `userIdentity { type:
 * "Service", principalId: "dynamodb.amazonaws.com" }`; DynamoDB Local sets no userIdentity. The
 * missing NewImage catches both, where a pattern on userIdentity could not (`anything-but` fails on
 * the records that have no userIdentity: every user write).
 */
export const RECORD_CHANGES_FILTER: EventPattern = {
  dynamodb: { NewImage: { [COLLECTION_ATTRIBUTE]: { S: [{ exists: true }] } } },
};

export type StreamConsumerName = 'publish-changes';

export const STREAM_CONSUMERS: Record<StreamConsumerName, StreamSourceSettings> = {
  'publish-changes': {
    // A batch of 100 is ten PutEvents calls; larger batches only lengthen a retry.
    batchSize: 100,
    // Events should follow the change at once; waiting to fill batches buys nothing at this volume.
    maxBatchingWindowSeconds: 0,
    retryAttempts: 5,
    bisectBatchOnError: true,
    // The failure destination gets the records' sequence numbers, not the records; the stream keeps
    // them 24 h, so an hour's cap leaves most of a day to read them back and replay them.
    maxRecordAgeSeconds: 60 * 60,
    // One batch at a time per shard: a record's changes are announced in commit order.
    parallelizationFactor: 1,
    // From the oldest record kept: a new or redeployed consumer misses no change.
    startingPosition: 'TRIM_HORIZON',
    reportBatchItemFailures: true,
    filters: [RECORD_CHANGES_FILTER],
  },
};
