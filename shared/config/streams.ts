/**
 * How each consumer of the table's stream is fed: the event source mapping settings, in ONE place.
 * CDK's DynamoEventSource (infra/constructs/fanout.ts) and the local poller (infra/local/stream-poller.ts)
 * both read them, so that locally a batch is retried, bisected, filtered and dead-lettered as Lambda
 * does it in AWS. A new consumer adds an entry to STREAM_CONSUMER_SPECS and its file in functions/streams/.
 */
import {
  AGGREGATE_KEY_PREFIX,
  AUDIT_KEY_PREFIX,
  COLLECTION_ATTRIBUTE,
  COMMENT_KEY_PREFIX,
  DIRECTORY_STREAM_KEYS,
  FEED_KEY_PREFIX,
  NOTIFICATION_KEY_PREFIX,
  ROLE_CELL_STREAM_KEYS,
  USER_KEY_PREFIX,
} from '../db/keys.js';
import type { EventPattern } from '../events/pattern.js';
import type { Grants } from '../http/route-types.js';

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

/** Changes of the user directory's entries: who gave whom which roles (the audit's trail of users). */
const DIRECTORY_CHANGES_FILTER: EventPattern = { dynamodb: { Keys: DIRECTORY_STREAM_KEYS } };

/** Changes of role cells: announced (`role.permissions_changed`) and audited. */
const ROLE_CELL_CHANGES_FILTER: EventPattern = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { Keys: ROLE_CELL_STREAM_KEYS },
};

/** New comments only: the inserts of items of the collection `comments`. */
const NEW_COMMENTS_FILTER: EventPattern = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [COLLECTION_ATTRIBUTE]: { S: ['comments'] } } },
};

/**
 * A consumer of the table's stream: its function (`functions/streams/<name>.ts`), what it may touch
 * (CDK binds exactly these grants and the function parses its environment from them), and how the
 * stream feeds it. Each consumer gets its own event source mapping, filter criteria and on-failure
 * dead-letter queue (CDK) or dead-letter file (local poller). A new consumer is one entry below.
 */
export interface StreamConsumerSpec {
  description: string;
  grants: Grants;
  /** The function's timeout: a whole batch must fit. */
  timeoutSeconds: number;
  settings: StreamSourceSettings;
}

/** What every consumer of record changes shares; an entry changes only what it must. */
const RECORD_CHANGE_SETTINGS: Omit<StreamSourceSettings, 'filters'> = {
  // A batch of 100 is ten PutEvents calls (or 100 small writes); larger batches only lengthen a retry.
  batchSize: 100,
  // Feed items, audit entries and notifications follow the change at once (the publisher waits, below).
  maxBatchingWindowSeconds: 0,
  retryAttempts: 5,
  bisectBatchOnError: true,
  // The failure destination gets the records' sequence numbers, not the records; the stream keeps
  // them 24 h, so an hour's cap leaves most of a day to read them back and replay them.
  maxRecordAgeSeconds: 60 * 60,
  // One batch at a time per shard: a record's changes are handled in commit order, and the change
  // feed is written in sequence order (a reader never resumes past an item written later).
  parallelizationFactor: 1,
  // From the oldest record kept: a new or redeployed consumer misses no change.
  startingPosition: 'TRIM_HORIZON',
  reportBatchItemFailures: true,
};

/**
 * Writes of a consumer's own items only (in batches: BatchWriteItem is its own IAM action, no PutItem
 * needed): IAM's dynamodb:LeadingKeys confines it to `keyPrefix`.
 */
const writesOwnItems = (keyPrefix: string): Grants => ({
  tableItems: { actions: ['dynamodb:BatchWriteItem'], keyPrefix },
});

export const STREAM_CONSUMER_SPECS = {
  'publish-changes': {
    description: 'table stream to EventBridge',
    // The matrix in force decides what the bus may carry (redaction): it reads the role cells.
    grants: { bus: true, roles: true },
    // A batch of 100 records is up to 10 PutEvents calls, each retried on failed entries.
    timeoutSeconds: 60,
    settings: {
      ...RECORD_CHANGE_SETTINGS,
      // Up to a second to fill a batch: a burst of 1,000 changes then takes at most 100 PutEvents calls
      // (test/bench counts them) for at most a second more before its events leave; the change feed,
      // the audit and the notifications have their own mappings and do not wait.
      maxBatchingWindowSeconds: 1,
      filters: [RECORD_CHANGES_FILTER, ROLE_CELL_CHANGES_FILTER],
    },
  },
  'change-feed': {
    description: 'table stream to the change feed (GET /v1/changes)',
    grants: { ...writesOwnItems(FEED_KEY_PREFIX), roles: true },
    timeoutSeconds: 60,
    settings: { ...RECORD_CHANGE_SETTINGS, filters: [RECORD_CHANGES_FILTER] },
  },
  audit: {
    description:
      "table stream to the audit trail (GET /v1/audit), the trail of users' roles and of role cells",
    grants: writesOwnItems(AUDIT_KEY_PREFIX),
    timeoutSeconds: 60,
    settings: {
      ...RECORD_CHANGE_SETTINGS,
      filters: [RECORD_CHANGES_FILTER, DIRECTORY_CHANGES_FILTER, ROLE_CELL_CHANGES_FILTER],
    },
  },
  // Collaboration (docs/events.md "The notify consumer"): reads records, watches and the user directory;
  // writes its users' notifications only (a conditional Put each: never one twice).
  notify: {
    description: "table stream to the users' notifications (GET /v1/notifications)",
    grants: {
      table: 'R',
      tableItems: [
        { actions: ['dynamodb:PutItem'], keyPrefix: NOTIFICATION_KEY_PREFIX },
        // The recipients' directory entries, a batch of them at once.
        { actions: ['dynamodb:BatchGetItem'], keyPrefix: USER_KEY_PREFIX },
      ],
    },
    timeoutSeconds: 60,
    settings: { ...RECORD_CHANGE_SETTINGS, filters: [RECORD_CHANGES_FILTER] },
  },
  // Reads the record a new comment is on and sets the comment's timeline slot (comments' items only).
  'comment-timeline': {
    description: "table stream to the comments' places on account timelines",
    grants: { table: 'R', tableItems: { actions: ['dynamodb:UpdateItem'], keyPrefix: COMMENT_KEY_PREFIX } },
    timeoutSeconds: 60,
    settings: { ...RECORD_CHANGE_SETTINGS, filters: [NEW_COMMENTS_FILTER] },
  },
  // Reports: the counters of each report (shared/reports/aggregates.ts), one transaction per record change.
  aggregates: {
    description: 'table stream to the report counters (docs/reports.md)',
    grants: {
      tableItems: { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], keyPrefix: AGGREGATE_KEY_PREFIX },
    },
    timeoutSeconds: 60,
    settings: { ...RECORD_CHANGE_SETTINGS, filters: [RECORD_CHANGES_FILTER] },
  },
} as const satisfies Record<string, StreamConsumerSpec>;

export type StreamConsumerName = keyof typeof STREAM_CONSUMER_SPECS;
export const STREAM_CONSUMER_NAMES = Object.keys(STREAM_CONSUMER_SPECS) as StreamConsumerName[];

function settingsByName<N extends string>(specs: Record<N, StreamConsumerSpec>) {
  const settings = {} as Record<N, StreamSourceSettings>;
  for (const name of Object.keys(specs) as N[]) settings[name] = specs[name].settings;
  return settings;
}

/** Each consumer's event source mapping settings, by name (what CDK and the local poller apply). */
export const STREAM_CONSUMERS = settingsByName<StreamConsumerName>(STREAM_CONSUMER_SPECS);

/** A consumer's entry file, relative to the project folder: the one place that spells the path. */
export const streamConsumerEntry = (name: StreamConsumerName): string => `functions/streams/${name}.ts`;
