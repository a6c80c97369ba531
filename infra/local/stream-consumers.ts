import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  STREAM_CONSUMER_NAMES,
  STREAM_CONSUMER_SPECS,
  STREAM_CONSUMERS,
  type StreamConsumerName,
  streamConsumerEntry,
} from '../../shared/config/streams.js';
import type { LocalAwsConfig } from './engines/local-aws.js';
import type { Logger } from './engines/processes.js';
import { lambdaContext, loadHandler } from './lambda-runtime.js';
import { type StreamPoller, startStreamPoller } from './stream-poller.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Where a consumer keeps its place in the stream, and where the records it gave up on go. */
export const consumerFiles = (dataDir: string, name: StreamConsumerName) => ({
  checkpointFile: join(dataDir, 'streams', `${name}.json`),
  deadLetterFile: join(dataDir, 'dlq', `${name}.jsonl`),
});

export interface StreamConsumers extends StreamPoller {
  pollers: ReadonlyMap<StreamConsumerName, StreamPoller>;
  deadLetterFiles: Record<StreamConsumerName, string>;
}

/** One poller per consumer, each with its own checkpoint file and dead-letter file under the data folder. */
export async function startConsumerPoller(
  name: StreamConsumerName,
  aws: LocalAwsConfig,
  streamArn: string,
  dataDir: string,
  log?: Logger,
): Promise<StreamPoller> {
  const handler = await loadHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(
    join(root, streamConsumerEntry(name)),
  );
  return startStreamPoller({
    name,
    aws,
    streamArn,
    // The function's own timeout, as in AWS: a consumer retries a record through an outage while time is left.
    consumer: (event) =>
      handler(event, lambdaContext(name, STREAM_CONSUMER_SPECS[name].timeoutSeconds * 1000)),
    settings: STREAM_CONSUMERS[name],
    ...consumerFiles(dataDir, name),
    log,
  });
}

/**
 * Every stream consumer of shared/config/streams.ts, as Lambda's event source mappings run them in
 * AWS: each reads the whole stream on its own, with its own settings, filters and failure destination.
 */
export async function startStreamConsumers(
  aws: LocalAwsConfig,
  streamArn: string,
  dataDir: string,
  log?: Logger,
): Promise<StreamConsumers> {
  const pollers = new Map<StreamConsumerName, StreamPoller>();
  try {
    for (const name of STREAM_CONSUMER_NAMES)
      pollers.set(name, await startConsumerPoller(name, aws, streamArn, dataDir, log));
  } catch (error) {
    for (const poller of pollers.values()) await poller.stop();
    throw error;
  }
  const all = [...pollers.values()];
  return {
    pollers,
    deadLetterFiles: Object.fromEntries(
      STREAM_CONSUMER_NAMES.map((name) => [name, consumerFiles(dataDir, name).deadLetterFile]),
    ) as Record<StreamConsumerName, string>,
    drain: async (timeoutMs) => {
      await Promise.all(all.map((p) => p.drain(timeoutMs)));
    },
    stop: async () => {
      await Promise.all(all.map((p) => p.stop()));
    },
  };
}
