import * as z from 'zod/mini';
import { DEPARTMENTS } from '../config/departments.js';
import { collectionOfItem, deletionOf, erasureOf, type Item } from '../db/keys.js';
import { toRecord } from '../db/stored-records.js';
import { COLLECTIONS, type CollectionName, type CrmRecord, HANDOFF_STATUSES } from '../domain/collections.js';
import { hiddenFromDepartments, redactForDepartments } from '../policy/policy.js';
import { ACTIONS, type Action, detailType, ERASED, EVENT_SOURCE, EVENT_SPEC_VERSION } from './names.js';

/** One committed change, as the stream tells it (images already unmarshalled). */
export interface StreamChange {
  eventId: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Item;
  newImage?: Item;
  approximateCreationTime?: number;
}

/** A change event's detail: what the publisher puts on the bus, and what a consumer parses off it. */
export const changeDetail = z.object({
  specversion: z.number(),
  eventId: z.string(),
  entity: z.string(),
  id: z.string(),
  action: z.enum(ACTIONS),
  changedFields: z.array(z.string()),
  actor: z.nullable(z.string()),
  ownerDept: z.string(),
  occurredAt: z.string(),
  record: z.record(z.string(), z.unknown()),
});
export type ChangeDetail = z.infer<typeof changeDetail>;

/** An EventBridge event carrying a change, as a target (a department's queue) receives it. */
export const deliveredChange = z.object({ 'detail-type': z.string(), detail: changeDetail });

export interface ChangeEvent {
  source: string;
  detailType: string;
  detail: ChangeDetail;
}

/** Fields whose change is bookkeeping, not news. */
const BOOKKEEPING = new Set(['version', 'updatedAt', 'updatedBy']);

/**
 * The fields that changed, less those the bus's audience may not see before or after the change (as
 * `record` leaves them out): that a hidden field changed is already news about it.
 */
function changedFields(collection: CollectionName, before: Item, after: Item): string[] {
  const hidden = new Set([
    ...hiddenFromDepartments(collection, before, DEPARTMENTS),
    ...hiddenFromDepartments(collection, after, DEPARTMENTS),
  ]);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter(
      (k) => !BOOKKEEPING.has(k) && !hidden.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
    )
    .sort();
}

/**
 * Domain events say what a change means. Each change yields ONE event: the most specific type that
 * applies, else `<entity>.<action>`; `detail.action` always keeps created/updated/deleted.
 */
type When = (before: Item, after: Item, action: Action) => boolean;
const movedTo =
  (field: string, to: string): When =>
  (b, a) =>
    a[field] === to && b[field] !== to;

const DOMAIN_EVENTS: Partial<Record<CollectionName, { type: string; when: When }[]>> = {
  leads: [
    { type: 'lead.converted', when: movedTo('status', 'converted') },
    { type: 'lead.qualified', when: movedTo('status', 'qualified') },
  ],
  opportunities: [
    { type: 'opportunity.won', when: movedTo('stage', 'won') },
    {
      type: 'opportunity.stage_changed',
      when: (b, a, action) => action === 'updated' && b.stage !== a.stage,
    },
  ],
  cases: [{ type: 'case.escalated', when: movedTo('priority', 'urgent') }],
  // handoff.requested on create, then handoff.accepted|declined|completed|cancelled on each move.
  handoffs: HANDOFF_STATUSES.map((status) => ({
    type: `handoff.${status}`,
    when: movedTo('status', status),
  })),
};

/** Whether the change is the privacy erasure of the record (the mark appears with it). */
export function isErasure(change: Pick<StreamChange, 'oldImage' | 'newImage'>): boolean {
  return erasureOf(change.newImage) !== undefined && erasureOf(change.oldImage) === undefined;
}

function typeOf(
  collection: CollectionName,
  before: Item,
  after: Item,
  action: Action,
  erased: boolean,
): string {
  if (erased) return detailType(COLLECTIONS[collection].entity, ERASED);
  const domain =
    action === 'deleted' ? undefined : DOMAIN_EVENTS[collection]?.find((d) => d.when(before, after, action));
  return domain?.type ?? detailType(COLLECTIONS[collection].entity, action);
}

/**
 * The bus event for one stream change, or undefined for items that are not records (idempotency
 * entries) and for TTL purges of records whose deletion was already announced.
 */
export function toChangeEvent(change: StreamChange): ChangeEvent | undefined {
  const image = change.newImage ?? change.oldImage;
  const collection = image && collectionOfItem(image);
  if (!collection || change.kind === 'REMOVE') return undefined;
  const deletion = change.newImage ? deletionOf(change.newImage) : undefined;
  if (deletion && change.oldImage && deletionOf(change.oldImage)) return undefined;
  // Every change of a record moves its version; a MODIFY that leaves it alone is a stream consumer's
  // bookkeeping on the item (a comment placed on its account's timeline), not news.
  if (change.kind === 'MODIFY' && !deletion && change.oldImage?.version === change.newImage?.version)
    return undefined;
  const action: Action = deletion ? 'deleted' : change.kind === 'INSERT' ? 'created' : 'updated';
  const before: CrmRecord | Item = change.oldImage && action !== 'deleted' ? toRecord(change.oldImage) : {};
  const after = toRecord(deletion ? (change.oldImage ?? {}) : (change.newImage ?? {}));
  const occurredAt = deletion?.at ?? String(after.updatedAt ?? new Date().toISOString());
  return {
    source: EVENT_SOURCE,
    detailType: typeOf(collection, before, after, action, action === 'updated' && isErasure(change)),
    detail: {
      specversion: EVENT_SPEC_VERSION,
      eventId: change.eventId,
      entity: COLLECTIONS[collection].entity,
      id: after.id,
      action,
      changedFields: action === 'updated' ? changedFields(collection, before, after) : [],
      actor: deletion?.by ?? (action === 'created' ? after.createdBy : after.updatedBy) ?? null,
      ownerDept: after.ownerDept,
      occurredAt,
      record: redactForDepartments(collection, after, DEPARTMENTS),
    },
  };
}

/**
 * Every field a change touched (bookkeeping aside), hidden fields included: for the audiences that
 * are shown each field they may see (the change feed per department, the audit trail), which then
 * leave out what their reader may not see.
 */
export function everyChangedField(before: Item, after: Item): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}
