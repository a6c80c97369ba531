// primary adapter (SQS: a department's queue) → deliverEvent → Slack / WeChat Work webhooks, SES, table
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deadLetter, retryLater } from '../../shared/channels/queue-control.js';
import { SENDERS } from '../../shared/channels/senders.js';
import { DELIVERY_CONSUMER } from '../../shared/config/channels.js';
import { isDepartment } from '../../shared/config/departments.js';
import { ENV, envValue, loadEnv } from '../../shared/config/env.js';
import {
  markChannel,
  readChannelSettings,
  readDelivery,
  writeDelivery,
} from '../../shared/db/channels-repo.js';
import { type DeliveryPorts, deliverEvent } from '../../shared/domain/channels/delivery.js';
import { Pacer, systemClock } from '../../shared/domain/channels/pacing.js';
import { deliveredChange } from '../../shared/events/change-events.js';
import { logger } from '../../shared/http/logger.js';
import { refreshCells } from '../../shared/policy/role-cells.js';

/**
 * The channel delivery: consumes every department's queue (SQS → Lambda, partial batch responses). Each
 * message is one bus event; it goes to the department's channels whose patterns match (deliverEvent).
 * A channel to try again hands the message back with the visibility its retry needs and reports it
 * failed; a channel given up on is dead-lettered at once with the reason. Records go one after another,
 * so that pacing holds within the batch.
 */
loadEnv(DELIVERY_CONSUMER.grants);

interface QueueOfDepartment {
  department: string;
  url: string;
  deadLetterUrl: string;
}
const QUEUES = JSON.parse(envValue(ENV.channelQueues)) as Record<string, QueueOfDepartment>;
const LINK_BASE = envValue(ENV.recordLinkBase);
/** Time kept back from pacing waits, for one channel's send (DELIVERY.requestTimeoutMs) and the writes after it. */
const RESERVE_MS = 8_000;

const pacer = new Pacer(systemClock);
const ports: DeliveryPorts = {
  settings: readChannelSettings,
  read: readDelivery,
  write: writeDelivery,
  markFailing: markChannel,
  webhook: SENDERS.webhook,
  email: SENDERS.email,
  pacer,
  clock: systemClock,
};

async function deliverRecord(record: SQSRecord, context: Context): Promise<boolean> {
  const queue = QUEUES[record.eventSourceARN];
  if (!queue || !isDepartment(queue.department))
    throw new Error(`no department for the queue ${record.eventSourceARN}`);
  const event = deliveredChange.parse(JSON.parse(record.body));
  const results = await deliverEvent(
    { detailType: event['detail-type'], detail: event.detail },
    queue.department,
    ports,
    { linkBase: LINK_BASE, maxWaitMs: () => context.getRemainingTimeInMillis() - RESERVE_MS },
  );
  const base = {
    eventId: event.detail.eventId,
    detailType: event['detail-type'],
    department: queue.department,
  };
  for (const r of results) {
    if (r.result === 'dead') {
      logger.warn('channel delivery dead-lettered', { ...base, channel: r.channel, error: r.error });
      await deadLetter(queue.deadLetterUrl, record.body, { channel: r.channel, error: r.error });
    } else logger.info('channel delivery', { ...base, channel: r.channel, result: r.result });
  }
  const later = results.flatMap((r) => (r.result === 'later' ? [r.afterSeconds] : []));
  if (later.length === 0) return true;
  await retryLater(queue.url, record.receiptHandle, Math.min(...later));
  return false;
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  // What a message may show follows the role permissions in force (a failed check fails the batch: retried).
  await refreshCells();
  const failed: string[] = [];
  for (const record of event.Records) {
    const done = await deliverRecord(record, context).catch((error: unknown) => {
      logger.error('channel delivery failed', { messageId: record.messageId, error: error as Error });
      return false;
    });
    if (!done) failed.push(record.messageId);
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
