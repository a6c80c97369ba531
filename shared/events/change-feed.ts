import { DEPARTMENTS, type Department } from '../config/departments.js';
import { LIMITS } from '../config/limits.js';
import { collectionOfItem, derivedItem, EVERY_CHANGE, feedPartition, type Item } from '../db/keys.js';
import { toRecord } from '../db/stored-records.js';
import type { CollectionName } from '../domain/collections.js';
import { departmentReadsRecord } from '../policy/collaboration.js';
import { hiddenFromDepartments, redactForDepartments } from '../policy/policy.js';
import { type ChangeDetail, everyChangedField } from './change-events.js';
import type { ReadChange } from './stream-consumer.js';

/**
 * The change feed (GET /v1/changes): for each record change, one item in the feed of every department
 * that may read the record's collection, with the record and the changed fields as that department
 * sees them, and one in the admins' feed with everything. Keyed by the stream sequence number, so the
 * feed is in commit order (shared/db/keys.ts says how far that holds) and a replay overwrites.
 */

/** A feed item as a reader gets it: the event's detail plus its detail-type. */
export type FeedEntry = ChangeDetail & { type: string };

/** The record before and after the change (a created record has no before, a deleted one keeps its last state). */
function imagesOf(read: ReadChange, deleted: boolean): { before: Item; after: Item } {
  const { oldImage, newImage } = read.change;
  const before = oldImage && !deleted ? toRecord(oldImage) : {};
  return { before, after: toRecord(deleted ? (oldImage ?? newImage ?? {}) : (newImage ?? {})) };
}

/** The entry as one department may see it: fields hidden from any of its members left out. */
export function entryForDepartment(
  collection: CollectionName,
  entry: FeedEntry,
  department: Department,
  before: Item = {},
): FeedEntry {
  const hidden = new Set([
    ...hiddenFromDepartments(collection, before, [department]),
    ...hiddenFromDepartments(collection, entry.record, [department]),
  ]);
  return {
    ...entry,
    changedFields: entry.changedFields.filter((f) => !hidden.has(f)),
    record: redactForDepartments(collection, entry.record, [department]),
  };
}

export function feedItemsOf(read: ReadChange): Item[] {
  const { event } = read;
  const image = read.change.newImage ?? read.change.oldImage;
  const collection = image && collectionOfItem(image);
  if (!event || !collection) return [];
  const deleted = event.detail.action === 'deleted';
  const { before, after } = imagesOf(read, deleted);
  const whole: FeedEntry = {
    type: event.detailType,
    ...event.detail,
    changedFields: event.detail.action === 'updated' ? everyChangedField(before, after) : [],
    record: after,
  };
  const occurred = Date.parse(event.detail.occurredAt);
  const expiresAt =
    Math.floor((Number.isNaN(occurred) ? Date.now() : occurred) / 1000) + LIMITS.changeFeedRetentionSeconds;
  const item = (feed: Department | typeof EVERY_CHANGE, entry: FeedEntry) =>
    derivedItem(feedPartition(feed), read.sequence, entry, expiresAt, {
      entity: event.detail.entity,
      id: event.detail.id,
    });
  return [
    item(EVERY_CHANGE, whole),
    // Per record: a comment goes where the record it is on may be read, a handoff to its two departments.
    ...DEPARTMENTS.filter((d) => departmentReadsRecord(d, collection, after)).map((d) =>
      item(d, entryForDepartment(collection, whole, d, before)),
    ),
  ];
}
