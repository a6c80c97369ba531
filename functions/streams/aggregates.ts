// primary adapter (DynamoDB stream) → updatesOfChange (shared/reports) → the report counters (TransactWriteItems)
import { loadEnv } from '../../shared/config/env.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { applyCounterUpdates } from '../../shared/db/counters-repo.js';
import { handleInOrder, readChange, streamHandler } from '../../shared/events/stream-consumer.js';
import { updatesOfChange } from '../../shared/reports/aggregates.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS.aggregates.grants;

loadEnv(USES);

export const handler = streamHandler('aggregates', (event, retryUntil) =>
  handleInOrder(
    event.Records,
    async (record) => {
      const { change } = readChange(record);
      await applyCounterUpdates(change.eventId, updatesOfChange(change));
    },
    retryUntil,
  ),
);
