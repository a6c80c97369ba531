import { auditPartition, derivedItem, type Item } from '../db/keys.js';
import { toRecord } from '../db/stored-records.js';
import { everyChangedField } from './change-events.js';
import type { Action } from './names.js';
import type { ReadChange } from './stream-consumer.js';

/**
 * The audit trail (GET /v1/audit): one entry per change of a record, kept under the record's entity
 * and id (so it outlives the record), keyed by the stream sequence number: a record's entries are in
 * commit order, and a replay overwrites. Subjects are `entity` + `id`, not collections, so that other
 * subjects (a user whose roles change) fit the same entry.
 */
export interface AuditEntry {
  eventId: string;
  entity: string;
  id: string;
  /** When the change was committed. */
  at: string;
  actor: string | null;
  /** The event's detail-type: `opportunity.won`, `account.updated`, … */
  type: string;
  action: Action;
  changedFields: string[];
  /** The changed fields' values before and after (null: not set); the whole record on create and delete. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The department that owned the subject after the change: whose managers may read the entry. */
  ownerDept: string;
}

const valuesOf = (record: Item, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));

export function auditItemsOf(read: ReadChange): Item[] {
  const { event } = read;
  if (!event) return [];
  const { oldImage, newImage } = read.change;
  const { detail } = event;
  const before = oldImage ? toRecord(oldImage) : undefined;
  const after = newImage ? toRecord(newImage) : undefined;
  let entry: Pick<AuditEntry, 'changedFields' | 'before' | 'after'>;
  if (detail.action === 'created') entry = { changedFields: [], before: null, after: after ?? null };
  else if (detail.action === 'deleted')
    entry = { changedFields: [], before: before ?? after ?? null, after: null };
  else {
    const changed = everyChangedField(before ?? {}, after ?? {});
    entry = {
      changedFields: changed,
      before: valuesOf(before ?? {}, changed),
      after: valuesOf(after ?? {}, changed),
    };
  }
  const audit: AuditEntry = {
    eventId: detail.eventId,
    entity: detail.entity,
    id: detail.id,
    at: detail.occurredAt,
    actor: detail.actor,
    type: event.detailType,
    action: detail.action,
    ...entry,
    ownerDept: detail.ownerDept,
  };
  return [derivedItem(auditPartition(detail.entity, detail.id), read.sequence, audit)];
}
