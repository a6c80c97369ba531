import { feedCursor, feedPositionOf } from '../../db/derived-cursors.js';
import { readDerivedPage } from '../../db/derived-items.js';
import { EVERY_CHANGE, type FeedName, feedPartition } from '../../db/keys.js';
import { entryForDepartment, type FeedEntry } from '../../events/change-feed.js';
import type { Caller } from '../../policy/caller.js';
import { departmentReadsRecord } from '../../policy/collaboration.js';
import { changeFeedOf } from '../../policy/policy.js';
import { COLLECTION_NAMES, COLLECTIONS } from '../collections.js';
import { fail } from '../errors.js';

/** A page of the change feed, as asked: how many, and where the caller's last page ended. */
export interface ChangesQuery {
  limit: number;
  since?: string;
}

export interface ChangesPage {
  items: FeedEntry[];
  /** Always given: resumes right after the last item (the same position when there was none). */
  nextCursor: string;
}

const collectionOfEntity = (entity: string) => COLLECTION_NAMES.find((c) => COLLECTIONS[c].entity === entity);

/**
 * The caller's change feed, in commit order: their department's (what every member of it may read,
 * as the consumer wrote it), or every change for admins. One Query a page. The policy is applied again
 * on reading, so a department never gets what it may no longer read.
 */
export async function listChangesUseCase(caller: Caller, query: ChangesQuery): Promise<ChangesPage> {
  const audience = changeFeedOf(caller);
  if (!audience) throw fail.forbidden('Your account has no department, so it has no change feed.');
  const feed: FeedName = audience.all ? EVERY_CHANGE : audience.department;
  let after = '';
  if (query.since !== undefined) {
    const position = await feedPositionOf(feed, query.since);
    if (position === undefined)
      throw fail.invalid(
        [{ path: 'since', message: 'is not a cursor of your change feed' }],
        'The query parameters are invalid.',
      );
    after = position;
  }
  const page = await readDerivedPage(feedPartition(feed), {
    limit: query.limit,
    after: after || undefined,
    forward: true,
  });
  const items = page.entries.flatMap(({ entry }) => {
    const item = entry as unknown as FeedEntry;
    if (audience.all) return [item];
    const collection = collectionOfEntity(item.entity);
    return collection && departmentReadsRecord(audience.department, collection, item.record)
      ? [entryForDepartment(collection, item, audience.department)]
      : [];
  });
  return { items, nextCursor: await feedCursor(feed, page.entries.at(-1)?.position ?? after) };
}
