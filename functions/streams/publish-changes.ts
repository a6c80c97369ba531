// primary adapter (DynamoDB stream) → toChangeEvent (shared/events) → EventBridge PutEvents

// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { ENV, loadEnv } from '../../shared/config/env.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { publishAll, type Tagged } from '../../shared/events/publisher.js';
import { readChange, streamHandler } from '../../shared/events/stream-consumer.js';
import { logger } from '../../shared/http/logger.js';
import { tracer } from '../../shared/http/tracer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS['publish-changes'].grants;
const busName = loadEnv(USES)[ENV.busName]!;
const bus = tracer.captureAWSv3Client(new EventBridgeClient({ maxAttempts: 2 }));

/**
 * Announces committed changes, in order. A record that cannot be read stops the batch there: what
 * came before it is published, and it is reported failed, so the stream retries it and then sends
 * it to the DLQ. A replayed record is announced again with the same eventId (delivery is at least
 * once): the bus's consumers dedupe on it.
 */
async function publishChanges(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const tagged: Tagged[] = [];
  let unreadable: string | undefined;
  for (const record of event.Records) {
    try {
      const read = readChange(record);
      if (read.event) tagged.push({ sequence: read.sequence, event: read.event });
    } catch (error) {
      unreadable = record.dynamodb?.SequenceNumber ?? '';
      logger.error('unreadable stream record', { error: error as Error, sequence: unreadable });
      break;
    }
  }
  const failed =
    (await publishAll(tagged, busName, async (entries) => {
      const out = await bus.send(new PutEventsCommand({ Entries: entries }));
      return out.Entries ?? [];
    })) ?? unreadable;
  if (failed !== undefined) logger.warn('stream batch stopped; the stream will retry', { sequence: failed });
  return { batchItemFailures: failed !== undefined ? [{ itemIdentifier: failed }] : [] };
}

export const handler = streamHandler('publish-changes', publishChanges);
