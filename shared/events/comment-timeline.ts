import { placeCommentOnTimeline } from '../db/collaboration-repo.js';
import { parentCollectionOf } from '../policy/collaboration.js';
import type { ReadChange } from './stream-consumer.js';

/**
 * The comment-timeline consumer's work for one stream record: a new comment goes on the timeline of the
 * record it is on (read now: the create could not read it, being one call). A record on no timeline (a
 * lead) places nothing. The write leaves the comment's version alone, so it is announced as no change.
 */
export async function placeNewComment(read: ReadChange): Promise<boolean> {
  const detail = read.event?.detail;
  if (detail?.entity !== 'comment' || detail.action !== 'created') return false;
  const collection = parentCollectionOf(detail.record);
  const parent = detail.record.parent;
  const id = typeof parent === 'object' && parent !== null && 'id' in parent ? parent.id : undefined;
  if (!collection || typeof id !== 'string') return false;
  return placeCommentOnTimeline(detail.id, { collection, id });
}
