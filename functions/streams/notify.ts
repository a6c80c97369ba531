// primary adapter (DynamoDB stream) → notificationsOf (shared/events) → the users' notifications (conditional PutItem each)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import type { DynamoDBRecord } from 'aws-lambda';
import { loadEnv } from '../../shared/config/env.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { type NotificationWrite, notificationsOf, writeNotifications } from '../../shared/events/notify.js';
import { handleInOrder, readChange, streamHandler } from '../../shared/events/stream-consumer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS.notify.grants;
loadEnv(USES);

/**
 * The lookups of a batch's records (mentioned names, department members, watchers, the recipients'
 * directory entries) read only what this consumer never writes, so they run side by side; the writes
 * stay in stream order, so a failure still names its record and what came before it is done.
 */
export const handler = streamHandler('notify', (event, retryUntil) => {
  const planned = new Map<DynamoDBRecord, Promise<NotificationWrite[]>>();
  for (const record of event.Records) {
    const plan = Promise.resolve().then(() => notificationsOf(readChange(record)));
    // Awaited in order below; a rejection is handled there, not left unhandled meanwhile.
    plan.catch(() => undefined);
    planned.set(record, plan);
  }
  return handleInOrder(
    event.Records,
    async (record) => {
      // Planned ahead once; a retry (the store was out) plans afresh.
      const plan = planned.get(record) ?? notificationsOf(readChange(record));
      planned.delete(record);
      await writeNotifications(await plan);
    },
    retryUntil,
  );
});
