/**
 * `npm run dlq:replay [-- --queue-url <url> --bus <name>] [--apply]`: replays the stream publisher's
 * dead letters (docs/operations.md, "Replay"). Each names a range of stream records that
 * `publish-changes` gave up on; the range is read again from the stream (kept 24 hours) and published
 * through the publisher's own code (infra/dlq-replay-core.ts), and the message is deleted only once all
 * of it is on the bus. Without `--apply`, a dry run: it says what it would replay.
 *
 * Against the local stack (the default) it reads `.local/stack.json` (the poller's dead-letter file, the
 * local bus and stream). With `--queue-url` (PublishChangesDlq's URL) and `--bus` it uses the AWS
 * credentials and region of the environment. Exit code: 0 when nothing was kept, 1 otherwise.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, OBSERVABILITY } from '../shared/config/env.js';
import type { DeadLetterSource, Outcome } from './dlq-replay-core.js';
import { LOCAL_REGION, localAwsConfig } from './local/engines/local-aws.js';
import type { StackInfo } from './local/stack-info.js';

const LOCAL_DIR = process.env.CONCORD_LOCAL_DIR ?? '.local';

export interface ReplayTarget {
  source: DeadLetterSource;
  streams: DynamoDBStreamsClient;
  bus: EventBridgeClient;
  busName: string;
  region: string;
}

/** The local stack's dead-letter file, stream and bus. */
export async function localTarget(info: StackInfo): Promise<ReplayTarget> {
  const { fileSource } = await import('./dlq-replay-core.js');
  return {
    source: fileSource(info.deadLetters),
    streams: new DynamoDBStreamsClient(localAwsConfig(info.dynamodbEndpoint)),
    bus: new EventBridgeClient(localAwsConfig(info.eventBus.endpoint)),
    busName: info.eventBus.name,
    region: LOCAL_REGION,
  };
}

async function awsTarget(queueUrl: string, busName: string): Promise<ReplayTarget> {
  const { sqsSource } = await import('./dlq-replay-core.js');
  const streams = new DynamoDBStreamsClient({});
  return {
    source: sqsSource(new SQSClient({}), queueUrl),
    streams,
    bus: new EventBridgeClient({}),
    busName,
    region: await streams.config.region(),
  };
}

/** What the publisher's modules read at import (logger, metrics): a command line has no Lambda to set it. */
function useCommandLineEnv() {
  process.env[ENV.serviceName] ??= OBSERVABILITY.serviceName;
  process.env[ENV.metricsNamespace] ??= OBSERVABILITY.metricsNamespace;
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}

export async function replay(target: ReplayTarget, apply: boolean): Promise<Outcome[]> {
  useCommandLineEnv();
  // Imported once the environment is set: the publisher's modules read it as they load.
  const { replayDeadLetters } = await import('./dlq-replay-core.js');
  return replayDeadLetters({
    source: target.source,
    streams: target.streams,
    busName: target.busName,
    region: target.region,
    apply,
    send: async (entries) =>
      (await target.bus.send(new PutEventsCommand({ Entries: entries }))).Entries ?? [],
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      'queue-url': { type: 'string' },
      bus: { type: 'string' },
      apply: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const queueUrl = values['queue-url'];
  if (queueUrl && !values.bus) throw new Error('--queue-url needs --bus (the event bus name)');
  const target =
    queueUrl && values.bus
      ? await awsTarget(queueUrl, values.bus)
      : await localTarget(JSON.parse(await readFile(join(LOCAL_DIR, 'stack.json'), 'utf8')) as StackInfo);
  const outcomes = await replay(target, values.apply === true);
  if (!outcomes.length) console.log('No dead letters.');
  for (const o of outcomes)
    console.log(
      o.status === 'kept'
        ? `${o.requestId}: kept (${o.reason})`
        : `${o.requestId}: ${o.status}: ${o.events} event(s) from ${o.records} record(s)`,
    );
  if (!values.apply && outcomes.some((o) => o.status === 'would replay'))
    console.log('Dry run: nothing published or deleted. Run again with --apply.');
  process.exit(outcomes.some((o) => o.status === 'kept') ? 1 : 0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    console.error(`dlq:replay failed: ${(error as Error).message}`);
    process.exit(2);
  });
}
