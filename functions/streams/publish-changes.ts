// primary adapter (DynamoDB stream) → toChangeEvent (shared/events) → EventBridge PutEvents

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ENV, loadEnv, type Uses } from '../../shared/config/env.js';
import { toChangeEvent } from '../../shared/events/change-events.js';
import { publishAll, type Tagged } from '../../shared/events/publisher.js';
import { logger } from '../../shared/http/logger.js';
import { measureInvocations } from '../../shared/http/metrics.js';
import { observe } from '../../shared/http/observability.js';
import { traceInvocations, tracer } from '../../shared/http/tracer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES: Uses = { bus: true };
const busName = loadEnv(USES)[ENV.busName]!;
const bus = tracer.captureAWSv3Client(new EventBridgeClient({ maxAttempts: 2 }));

const image = (raw: Record<string, unknown> | undefined) =>
  raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;

function toTagged(record: DynamoDBRecord): Tagged | undefined {
  const event = toChangeEvent({
    eventId: record.eventID ?? record.dynamodb?.SequenceNumber ?? '',
    kind: record.eventName ?? 'MODIFY',
    oldImage: image(record.dynamodb?.OldImage),
    newImage: image(record.dynamodb?.NewImage),
  });
  return event && { sequence: record.dynamodb?.SequenceNumber ?? '', event };
}

/**
 * Announces committed changes, in order. A record that cannot be read stops the batch there: what
 * came before it is published, and it is reported failed, so the stream retries it and then sends
 * it to the DLQ.
 */
async function publishChanges(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const tagged: Tagged[] = [];
  let unreadable: string | undefined;
  for (const record of event.Records) {
    try {
      const t = toTagged(record);
      if (t) tagged.push(t);
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

export const handler = middy(publishChanges).use([...observe(), measureInvocations(), traceInvocations()]);
