import { deleteWatch, putWatch } from '../../db/collaboration-repo.js';
import { getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canWatch } from '../../policy/collaboration.js';
import { COMMENTABLE_COLLECTIONS, type CollectionName } from '../collections.js';
import { fail } from '../errors.js';

/**
 * Watching a record (`PUT/DELETE /v1/{collection}/{id}/watch`): the watcher hears of every change to it
 * (and of comments on it) by anyone else, through the notify consumer. Idempotent both ways. A record
 * the caller may not read is absent to them (404): a read of the record, then one write.
 */
export async function setWatchUseCase(
  caller: Caller,
  collection: CollectionName,
  id: string,
  watching: boolean,
): Promise<void> {
  const watchable = COMMENTABLE_COLLECTIONS.find((c) => c === collection);
  if (!watchable || !canWatch(caller, watchable) || !(await getRecord(watchable, id))) throw fail.notFound();
  if (watching) await putWatch(watchable, id, caller.userId);
  else await deleteWatch(watchable, id, caller.userId);
}
