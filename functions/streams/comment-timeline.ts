// primary adapter (DynamoDB stream) → placeNewComment (shared/events) → the comment's timeline slot (GetItem, UpdateItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { loadEnv } from '../../shared/config/env.js';
import { STREAM_CONSUMER_SPECS } from '../../shared/config/streams.js';
import { placeNewComment } from '../../shared/events/comment-timeline.js';
import { handleInOrder, readChange, streamHandler } from '../../shared/events/stream-consumer.js';

/** What this function is granted (infra/constructs/fanout.ts binds it); test/infra checks its environment. */
export const USES = STREAM_CONSUMER_SPECS['comment-timeline'].grants;
loadEnv(USES);

export const handler = streamHandler('comment-timeline', (event, retryUntil) =>
  handleInOrder(
    event.Records,
    async (record) => {
      await placeNewComment(readChange(record));
    },
    retryUntil,
  ),
);
