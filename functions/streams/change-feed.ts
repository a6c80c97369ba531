// primary adapter (DynamoDB stream) → feedItemsOf (shared/events) → the feed items (BatchWriteItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { feedItemsOf } from '../../shared/events/change-feed.js';
import { itemWritingConsumer } from '../../shared/events/stream-consumer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS['change-feed'].grants;

export const handler = itemWritingConsumer('change-feed', feedItemsOf);
