// primary adapter (DynamoDB stream) → notificationsOf (shared/events) → the users' notifications (conditional PutItem each)
import { loadEnv } from '../../shared/config/env.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { notificationsOf, writeNotifications } from '../../shared/events/notify.js';
import { handleInOrder, readChange, streamHandler } from '../../shared/events/stream-consumer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS.notify.grants;
loadEnv(USES);

export const handler = streamHandler((event) =>
  handleInOrder(event.Records, async (record) => {
    await writeNotifications(await notificationsOf(readChange(record)));
  }),
);
