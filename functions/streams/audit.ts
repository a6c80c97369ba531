// primary adapter (DynamoDB stream) → auditItemsOf (shared/events) → the audit entries (BatchWriteItem)
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { auditItemsOf } from '../../shared/events/audit-trail.js';
import { itemWritingConsumer } from '../../shared/events/stream-consumer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS.audit.grants;

export const handler = itemWritingConsumer('audit', auditItemsOf);
