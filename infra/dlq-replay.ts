/**
 * `npm run dlq:replay [-- --consumer <name>] [--queue-url <url> --bus <name> | --table <name>] [--apply]`:
 * replays a stream consumer's dead letters (docs/operations.md, "Replay"); the publisher's by default.
 * Each names a range of stream records that the consumer gave up on; the range is read again from the
 * stream (kept 24 hours) and handed to the consumer's own code (infra/dlq-replay-core.ts): the
 * publisher's publishAll, or the consumer's handler. The message is deleted only once all of it is
 * done. Without `--apply`, a dry run: it says what it would replay.
 *
 * Against the local stack (the default) it reads `.local/stack.json` (the consumer's dead-letter file,
 * the local bus, table and stream). With `--queue-url` (the consumer's DLQ URL) it uses the AWS
 * credentials and region of the environment, and `--bus` (the publisher) or `--table` (the others).
 * Exit code: 0 when nothing was kept, 1 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ENV, OBSERVABILITY } from '../shared/config/env.js';
import {
  STREAM_CONSUMER_NAMES,
  STREAM_CONSUMER_SPECS,
  type StreamConsumerName,
  streamConsumerEntry,
} from '../shared/config/streams.js';
import type { DeadLetterSource, HandleRecords, Outcome } from './dlq-replay-core.js';
import { LOCAL_REGION, localAwsConfig } from './local/engines/local-aws.js';
import { handlerEnv } from './local/handler-env.js';
import { lambdaContext, loadHandler } from './local/lambda-runtime.js';
import type { StackInfo } from './local/stack-info.js';

const LOCAL_DIR = process.env.CONCORD_LOCAL_DIR ?? '.local';
const PUBLISHER: StreamConsumerName = 'publish-changes';
const root = new URL('../', import.meta.url);

/** Where the dead letters are and what their consumer works on: the bus (the publisher) or the table. */
export interface ReplayTarget {
  source: DeadLetterSource;
  streams: DynamoDBStreamsClient;
  region: string;
  /** Whose dead letters; the publisher's when left out. */
  consumer?: StreamConsumerName;
  bus?: EventBridgeClient;
  busName?: string;
}

/** The local stack's dead-letter file of the consumer, its stream and bus, and the table for its handler. */
export async function localTarget(
  info: StackInfo,
  consumer: StreamConsumerName = PUBLISHER,
): Promise<ReplayTarget> {
  const { fileSource } = await import('./dlq-replay-core.js');
  // The environment the stack gives its handlers: the consumer's handler writes to this table.
  const cognito = info.auth.cognitoEndpoint;
  const local = handlerEnv({
    dynamodb: info.dynamodbEndpoint,
    cognito,
    userPoolId: info.auth.userPoolId,
    cursorSecret: '-',
  });
  Object.assign(process.env, local, { [ENV.tableName]: info.tableName });
  return {
    source: fileSource(info.deadLetterFiles[consumer] ?? info.deadLetters),
    streams: new DynamoDBStreamsClient(localAwsConfig(info.dynamodbEndpoint)),
    consumer,
    bus: new EventBridgeClient(localAwsConfig(info.eventBus.endpoint)),
    busName: info.eventBus.name,
    region: LOCAL_REGION,
  };
}

async function awsTarget(
  queueUrl: string,
  consumer: StreamConsumerName,
  where: { bus?: string; table?: string },
): Promise<ReplayTarget> {
  const { sqsSource } = await import('./dlq-replay-core.js');
  if (where.table) process.env[ENV.tableName] = where.table;
  const streams = new DynamoDBStreamsClient({});
  return {
    source: sqsSource(new SQSClient({}), queueUrl),
    streams,
    consumer,
    ...(where.bus ? { bus: new EventBridgeClient({}), busName: where.bus } : {}),
    region: await streams.config.region(),
  };
}

/** What the consumers' modules read at import (logger, metrics): a command line has no Lambda to set it. */
function useCommandLineEnv() {
  process.env[ENV.serviceName] ??= OBSERVABILITY.serviceName;
  process.env[ENV.metricsNamespace] ??= OBSERVABILITY.metricsNamespace;
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}

/** The consumer's own work: the publisher's publishAll on the bus, any other consumer's handler. */
async function workOf(target: ReplayTarget, consumer: StreamConsumerName): Promise<HandleRecords> {
  const { invokeWith, publishWith } = await import('./dlq-replay-core.js');
  if (consumer === PUBLISHER) {
    const { bus, busName } = target;
    if (!bus || !busName) throw new Error('replaying publish-changes needs the bus (--bus)');
    return publishWith(
      busName,
      async (entries) => (await bus.send(new PutEventsCommand({ Entries: entries }))).Entries ?? [],
    );
  }
  const handler = await loadHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(
    new URL(streamConsumerEntry(consumer), root).pathname,
  );
  const timeoutMs = STREAM_CONSUMER_SPECS[consumer].timeoutSeconds * 1000;
  return invokeWith(consumer, (event) =>
    handler(event as DynamoDBStreamEvent, lambdaContext(consumer, timeoutMs)),
  );
}

export async function replay(target: ReplayTarget, apply: boolean): Promise<Outcome[]> {
  useCommandLineEnv();
  const consumer = target.consumer ?? PUBLISHER;
  // Imported once the environment is set: the consumers' modules read it as they load.
  const { replayDeadLetters } = await import('./dlq-replay-core.js');
  return replayDeadLetters({
    source: target.source,
    streams: target.streams,
    consumer,
    region: target.region,
    apply,
    handle: await workOf(target, consumer),
  });
}

function consumerNamed(name: string): StreamConsumerName {
  const found = STREAM_CONSUMER_NAMES.find((n) => n === name);
  if (!found) throw new Error(`--consumer must be one of ${STREAM_CONSUMER_NAMES.join(', ')}`);
  return found;
}

async function main() {
  const { values } = parseArgs({
    options: {
      consumer: { type: 'string', default: PUBLISHER },
      'queue-url': { type: 'string' },
      bus: { type: 'string' },
      table: { type: 'string' },
      apply: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const consumer = consumerNamed(values.consumer ?? PUBLISHER);
  const queueUrl = values['queue-url'];
  if (queueUrl && consumer === PUBLISHER && !values.bus)
    throw new Error('--queue-url needs --bus (the event bus name) for publish-changes');
  if (queueUrl && consumer !== PUBLISHER && !values.table)
    throw new Error(`--queue-url needs --table (the table name) for ${consumer}`);
  const target = queueUrl
    ? await awsTarget(queueUrl, consumer, { bus: values.bus, table: values.table })
    : await localTarget(
        JSON.parse(await readFile(join(LOCAL_DIR, 'stack.json'), 'utf8')) as StackInfo,
        consumer,
      );
  const outcomes = await replay(target, values.apply === true);
  if (!outcomes.length) console.log('No dead letters.');
  for (const o of outcomes)
    console.log(
      o.status === 'kept'
        ? `${o.requestId}: kept (${o.reason})`
        : `${o.requestId}: ${o.status}: ${o.records} record(s), ${o.events} change(s)`,
    );
  if (!values.apply && outcomes.some((o) => o.status === 'would replay'))
    console.log('Dry run: nothing done or deleted. Run again with --apply.');
  process.exit(outcomes.some((o) => o.status === 'kept') ? 1 : 0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    console.error(`dlq:replay failed: ${(error as Error).message}`);
    process.exit(2);
  });
}
