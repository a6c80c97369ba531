/**
 * The key design: the only module that knows how keys look. Access patterns first; every key,
 * index and table attribute below is derived from them, and the table (CDK and local) is built
 * from TABLE_DEFINITION.
 *
 * | access pattern                         | where                | key condition                         |
 * |----------------------------------------|----------------------|---------------------------------------|
 * | get a record by collection + id        | table                | PK = <ENTITY>#<id>, SK = RECORD        |
 * | list a collection, newest first        | byCollection         | <collection>                          |
 * | list a collection by owner             | byOwner              | <collection>#OWNER#<ownerId>          |
 * | list a collection by status/stage      | byState              | <collection>#STATE#<value>            |
 * | list a collection by account           | byAccountCollection  | <collection>#ACCOUNT#<accountId>      |
 * | an account's timeline (all collections)| byAccount            | TIMELINE#<accountId>, account first   |
 * | replay a create by Idempotency-Key     | table                | PK = IDEMPOTENCY#<user>#<key>          |
 * | hold one user's role change (lock)     | table                | PK = ROLELOCK#<userId>, SK = ROLELOCK  |
 * Sort keys in the indexes are record ids (ULIDs), so "newest first" is ScanIndexForward = false.
 */
import { COLLECTIONS, type CollectionName, type CrmRecord, isCollection } from '../domain/collections.js';

export const INDEXES = {
  byCollection: { pk: 'GSI1PK', sk: 'GSI1SK' },
  byOwner: { pk: 'GSI2PK', sk: 'GSI2SK' },
  byState: { pk: 'GSI3PK', sk: 'GSI3SK' },
  byAccountCollection: { pk: 'GSI4PK', sk: 'GSI4SK' },
  byAccount: { pk: 'GSI5PK', sk: 'GSI5SK' },
} as const;
export type IndexName = keyof typeof INDEXES;

const COLLECTION_ATTR = '_collection';
const TTL_ATTR = '_expiresAt';
const DELETED_AT = '_deletedAt';
const DELETED_BY = '_deletedBy';
const RECORD_SK = 'RECORD';
const IDEMPOTENCY = 'IDEMPOTENCY';
/** Sorts after every ULID, so that with newest-first reads the account opens its own timeline. */
const TIMELINE_HEAD = '~';

export const TABLE_DEFINITION = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: INDEXES,
  ttlAttribute: TTL_ATTR,
  streamView: 'NEW_AND_OLD_IMAGES',
} as const;

const INTERNAL_ATTRS = new Set<string>([
  TABLE_DEFINITION.partitionKey,
  TABLE_DEFINITION.sortKey,
  COLLECTION_ATTR,
  TTL_ATTR,
  DELETED_AT,
  DELETED_BY,
  ...Object.values(INDEXES).flatMap((i) => [i.pk, i.sk]),
]);

export type Key = { PK: string; SK: string };
export type Item = Record<string, unknown>;

const entityPrefix = (collection: CollectionName) => COLLECTIONS[collection].entity.toUpperCase();

export function recordKey(collection: CollectionName, id: string): Key {
  return { PK: `${entityPrefix(collection)}#${id}`, SK: RECORD_SK };
}

export function idempotencyKey(userId: string, key: string): Key {
  return { PK: `${IDEMPOTENCY}#${userId}#${key}`, SK: IDEMPOTENCY };
}

export function ttlAttributes(expiresAtEpochSeconds: number): Item {
  return { [TTL_ATTR]: expiresAtEpochSeconds };
}

/** The account whose timeline shows a record: the account itself, or the account field of the record. */
function timelineAccountOf(
  collection: CollectionName,
  record: Item,
  linkedAccountId?: string,
): string | undefined {
  if (collection === 'accounts') return record.id as string;
  const field = COLLECTIONS[collection].accountField;
  const value = field ? record[field] : undefined;
  return typeof value === 'string' ? value : linkedAccountId;
}

type IndexValue = { pk: string; sk: string } | null;

function indexValues(
  collection: CollectionName,
  record: Item,
  linkedAccountId?: string,
): Record<IndexName, IndexValue> {
  const id = record.id as string;
  const def = COLLECTIONS[collection];
  const state = def.stateField ? record[def.stateField] : undefined;
  const owner = record.ownerId;
  const account = def.accountField ? record[def.accountField] : undefined;
  const timeline = timelineAccountOf(collection, record, linkedAccountId);
  return {
    byCollection: { pk: collection, sk: id },
    byOwner: typeof owner === 'string' ? { pk: `${collection}#OWNER#${owner}`, sk: id } : null,
    byState: typeof state === 'string' ? { pk: `${collection}#STATE#${state}`, sk: id } : null,
    byAccountCollection:
      typeof account === 'string' ? { pk: `${collection}#ACCOUNT#${account}`, sk: id } : null,
    byAccount: timeline
      ? { pk: `TIMELINE#${timeline}`, sk: collection === 'accounts' ? TIMELINE_HEAD : id }
      : null,
  };
}

/** The whole item to store for a record: the record, its key, and every index key it belongs to. */
export function recordItem(collection: CollectionName, record: CrmRecord, linkedAccountId?: string): Item {
  const item: Item = { ...record, ...recordKey(collection, record.id), [COLLECTION_ATTR]: collection };
  for (const [name, value] of Object.entries(indexValues(collection, record, linkedAccountId))) {
    if (!value) continue;
    const attrs = INDEXES[name as IndexName];
    item[attrs.pk] = value.pk;
    item[attrs.sk] = value.sk;
  }
  return item;
}

/**
 * The index attributes that a merge patch changes: set where the patch sets the field an index reads,
 * removed where the patch removes it (null). Derived from the patch alone, so an update stays one write.
 */
export function indexChangesForPatch(
  collection: CollectionName,
  id: string,
  patch: Item,
): { set: Item; remove: string[] } {
  const touched = indexValues(collection, { ...patch, id });
  const def = COLLECTIONS[collection];
  const readers: Partial<Record<IndexName, string | undefined>> = {
    byOwner: 'ownerId',
    byState: def.stateField,
    byAccountCollection: def.accountField,
    byAccount: collection === 'accounts' || collection === 'activities' ? undefined : def.accountField,
  };
  const set: Item = {};
  const remove: string[] = [];
  for (const [name, field] of Object.entries(readers)) {
    if (!field || !(field in patch)) continue;
    const attrs = INDEXES[name as IndexName];
    const value = touched[name as IndexName];
    if (value && patch[field] !== null) {
      set[attrs.pk] = value.pk;
      set[attrs.sk] = value.sk;
    } else {
      remove.push(attrs.pk, attrs.sk);
    }
  }
  return { set, remove };
}

export interface IndexQuery {
  indexName: IndexName;
  pkAttr: string;
  pkValue: string;
  skAttr: string;
}

const query = (indexName: IndexName, pkValue: string): IndexQuery => ({
  indexName,
  pkAttr: INDEXES[indexName].pk,
  skAttr: INDEXES[indexName].sk,
  pkValue,
});

export type ListFilter = { by: 'all' } | { by: 'owner' | 'state' | 'account'; value: string };

export function listQuery(collection: CollectionName, filter: ListFilter): IndexQuery {
  switch (filter.by) {
    case 'all':
      return query('byCollection', collection);
    case 'owner':
      return query('byOwner', `${collection}#OWNER#${filter.value}`);
    case 'state':
      return query('byState', `${collection}#STATE#${filter.value}`);
    case 'account':
      return query('byAccountCollection', `${collection}#ACCOUNT#${filter.value}`);
  }
}

export function timelineQuery(accountId: string): IndexQuery {
  return query('byAccount', `TIMELINE#${accountId}`);
}

/**
 * Where a page ends, as a cursor holds it: the collection and id of an item, no key names. Index sort
 * keys are record ids, so the ExclusiveStartKey that resumes right after the item is rebuilt from it.
 */
export interface CursorPosition {
  collection: CollectionName;
  id: string;
}

export function positionOf(item: Item): CursorPosition | undefined {
  const collection = collectionOfItem(item);
  return collection && typeof item.id === 'string' ? { collection, id: item.id } : undefined;
}

/** The ExclusiveStartKey of `q` right after the item at `p` (the item need not still exist). */
export function startKeyAfter(q: IndexQuery, p: CursorPosition): Item {
  const head = q.indexName === 'byAccount' && p.collection === 'accounts';
  return { ...recordKey(p.collection, p.id), [q.pkAttr]: q.pkValue, [q.skAttr]: head ? TIMELINE_HEAD : p.id };
}

export function collectionOfItem(item: Item): CollectionName | undefined {
  const value = item[COLLECTION_ATTR];
  return typeof value === 'string' && isCollection(value) ? value : undefined;
}

/**
 * A delete is soft: it marks the item, drops it from every index and lets TTL purge it. So the
 * stream's image of the delete says who deleted it, and reads treat the marked item as absent.
 */
export function deletionChange(actor: string, at: Date): { set: Item; remove: string[] } {
  return {
    set: { [DELETED_AT]: at.toISOString(), [DELETED_BY]: actor, [TTL_ATTR]: Math.floor(at.getTime() / 1000) },
    remove: Object.values(INDEXES).flatMap((i) => [i.pk, i.sk]),
  };
}

export const DELETED_MARK = DELETED_AT;

export function deletionOf(item: Item): { by: string; at: string } | undefined {
  const at = item[DELETED_AT];
  return typeof at === 'string' ? { at, by: String(item[DELETED_BY] ?? '') } : undefined;
}

/** The record as clients see it: the item without keys and internal attributes. */
export function toRecord(item: Item): CrmRecord {
  const record: Item = {};
  for (const [k, v] of Object.entries(item)) if (!INTERNAL_ATTRS.has(k)) record[k] = v;
  return record as CrmRecord;
}

/**
 * A lease on one user's role changes, keyed by the user's id (Cognito `sub`: one per user, whatever
 * alias an admin names them by). Not a record (no collection attribute), so the stream publisher
 * announces nothing for it; TTL purges one that was never released, long after its lease ended.
 */
const ROLE_LOCK = 'ROLELOCK';
export const ROLE_LOCK_ATTRS = { owner: 'lockOwner', leaseUntil: 'leaseUntil' } as const;
/** Every role lock's partition key starts so: IAM confines the role-change function to these items. */
export const ROLE_LOCK_KEY_PREFIX = `${ROLE_LOCK}#`;

export function roleLockKey(userId: string): Key {
  return { PK: `${ROLE_LOCK_KEY_PREFIX}${userId}`, SK: ROLE_LOCK };
}

export function roleLockItem(userId: string, owner: string, leaseUntilMs: number): Item {
  return {
    ...roleLockKey(userId),
    [ROLE_LOCK_ATTRS.owner]: owner,
    [ROLE_LOCK_ATTRS.leaseUntil]: leaseUntilMs,
    ...ttlAttributes(Math.ceil(leaseUntilMs / 1000) + 3600),
  };
}
