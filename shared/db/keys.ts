/**
 * The key design: the only module that knows how keys look and what the table's attributes are
 * called. Access patterns first; every key, index and table attribute below is derived from them,
 * and the table (CDK and local) is built from TABLE_DEFINITION.
 *
 * | access pattern                         | where                | key condition                         |
 * |----------------------------------------|----------------------|---------------------------------------|
 * | get a record by collection + id        | table                | PK = <ENTITY>#<id>, SK = RECORD        |
 * | list a collection, newest first        | byCollection         | <collection>#<shard>, every shard     |
 * | list a collection by owner             | byOwner              | <collection>#OWNER#<ownerId>#<shard>  |
 * | list a collection by status/stage      | byState              | <collection>#STATE#<value>#<shard>    |
 * | list a collection by account           | byAccountCollection  | <collection>#ACCOUNT#<accountId>      |
 * | an account's timeline (all collections)| byAccount            | TIMELINE#<accountId>, account first   |
 * | handoffs to a department               | byAccountCollection  | handoffs#TO#<toDept>                  |
 * | handoffs to a department in a status   | byOwner              | handoffs#TO#<toDept>#STATE#<status>   |
 * | handoffs about one record              | byAccount            | handoffs#ABOUT#<collection>#<id>      |
 * | replay a create by Idempotency-Key     | table                | PK = IDEMPOTENCY#<user>#<key>          |
 * | hold one user's role change (lock)     | table                | PK = USER#<userId>, SK = ROLELOCK      |
 * | a user of the directory, by id         | table                | PK = USER#<userId>, SK = PROFILE       |
 * | a user of the directory, by name       | byOwner              | users#NAME#<lowercased username>      |
 * | the enabled members of a department    | byState              | users#DEPT#<department>               |
 * | a record by natural key (email, domain) | byNaturalKey         | <collection>#KEY#<lowercased value>   |
 * | an import or export job                | table                | PK = IMPORT#<id> / EXPORT#<id>, SK = JOB |
 * | the activities related to one record   | byAccountCollection  | activities#ABOUT#<collection>#<id>    |
 * | feed items and notifications holding a record | byNaturalKey  | HOLDS#<entity>#<id> (privacy)         |
 * | a privacy erasure, by subject          | table                | PK = ERASURE#<sha-256 of the email>, SK = ERASURE |
 * Sort keys in the indexes are record ids (ULIDs), so "newest first" is ScanIndexForward = false.
 * The lists of a collection (byCollection, and a record's byOwner and byState entries) are write-sharded:
 * an entry goes to one of LIST_SHARDS partitions, `<partition>#<shard>`, the shard chosen from the record
 * id (collectionShard), so a bulk write is spread over them; such a list reads every shard and merges
 * them by sort key (shared/db/record-pages.ts). Handoff inboxes, deliveries and the directory are not.
 */
import type { Department } from '../config/departments.js';
import { LIST_SHARDS } from '../config/partitions.js';
import { COLLECTIONS, type CollectionName, isCollection, naturalKeyOf } from '../domain/collections.js';
import type { RecordPatch } from '../domain/validation.js';

export const INDEXES = {
  byCollection: { pk: 'GSI1PK', sk: 'GSI1SK' },
  byOwner: { pk: 'GSI2PK', sk: 'GSI2SK' },
  byState: { pk: 'GSI3PK', sk: 'GSI3SK' },
  byAccountCollection: { pk: 'GSI4PK', sk: 'GSI4SK' },
  byAccount: { pk: 'GSI5PK', sk: 'GSI5SK' },
  byNaturalKey: { pk: 'GSI6PK', sk: 'GSI6SK' },
} as const;
export type IndexName = keyof typeof INDEXES;
const isIndexName = (name: string): name is IndexName => Object.hasOwn(INDEXES, name);
const INDEX_ATTRS: readonly string[] = Object.values(INDEXES).flatMap((i) => [i.pk, i.sk]);

const COLLECTION_ATTR = '_collection';
const TTL_ATTR = '_expiresAt';
const DELETED_AT = '_deletedAt';
const DELETED_BY = '_deletedBy';
/** Set on a record whose personal fields a privacy erasure removed (docs/import-export.md, Privacy). */
const ERASED_AT = '_erasedAt';
const ERASED_BY = '_erasedBy';
const RECORD_SK = 'RECORD';
const IDEMPOTENCY = 'IDEMPOTENCY';
/** What an idempotency entry keeps besides its key: the request it answered, and the answer. */
const REPLAY_ATTRS = { requestHash: 'requestHash', response: 'response' } as const;
/** Sorts after every ULID, so that with newest-first reads the account opens its own timeline. */
const TIMELINE_HEAD = '~';

/** Only record items carry it (not idempotency entries, not role locks): stream consumers filter on it. */
export const COLLECTION_ATTRIBUTE = COLLECTION_ATTR;

export const TABLE_DEFINITION = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: INDEXES,
  ttlAttribute: TTL_ATTR,
  streamView: 'NEW_AND_OLD_IMAGES',
} as const;
const PK = TABLE_DEFINITION.partitionKey;
const SK = TABLE_DEFINITION.sortKey;

const INTERNAL_ATTRS = new Set<string>([
  PK,
  SK,
  COLLECTION_ATTR,
  TTL_ATTR,
  DELETED_AT,
  DELETED_BY,
  ERASED_AT,
  ERASED_BY,
  ...INDEX_ATTRS,
]);

export type Key = { [A in typeof PK | typeof SK]: string };
export type Item = Record<string, unknown>;
const keyOf = (pk: string, sk: string): Key => ({ [PK]: pk, [SK]: sk });

const entityPrefix = (collection: CollectionName) => COLLECTIONS[collection].entity.toUpperCase();

export function recordKey(collection: CollectionName, id: string): Key {
  return keyOf(`${entityPrefix(collection)}#${id}`, RECORD_SK);
}

export function idempotencyKey(userId: string, key: string): Key {
  return keyOf(`${IDEMPOTENCY}#${userId}#${key}`, IDEMPOTENCY);
}

export function ttlAttributes(expiresAtEpochSeconds: number): Item {
  return { [TTL_ATTR]: expiresAtEpochSeconds };
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The account whose timeline shows a record: the account itself, or the account field of the record. */
function timelineAccountOf(collection: CollectionName, id: string, fields: Item, linked?: string) {
  if (collection === 'accounts') return id;
  const field = COLLECTIONS[collection].accountField;
  return (field ? text(fields[field]) : undefined) ?? linked;
}

/**
 * The shard of a record id: FNV-1a (32 bits) of its characters, modulo the shard count. Deterministic
 * (a record's entry never moves), and spread evenly whatever the ids (a ULID's first ten characters are
 * its time: taking those would put a burst of writes on one shard).
 */
export function collectionShard(id: string, shards = LIST_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** A sharded partition: the list's partition and the shard. */
const shardKey = (partition: string, shard: number) => `${partition}#${String(shard).padStart(2, '0')}`;
/** A record's entry in a sharded list. */
const shardedEntry = (partition: string, id: string) => ({
  pk: shardKey(partition, collectionShard(id)),
  sk: id,
});

/** Each index's partition key, written once: the writes (indexValues) and the reads (queries) share it. */
const partitionOf = {
  byOwner: (collection: CollectionName, ownerId: string) => `${collection}#OWNER#${ownerId}`,
  byState: (collection: CollectionName, state: string) => `${collection}#STATE#${state}`,
  byAccountCollection: (collection: CollectionName, accountId: string) =>
    `${collection}#ACCOUNT#${accountId}`,
  byAccount: (accountId: string) => `TIMELINE#${accountId}`,
  handoffsTo: (toDept: string) => `handoffs#TO#${toDept}`,
  handoffsToInState: (toDept: string, state: string) => `handoffs#TO#${toDept}#STATE#${state}`,
  handoffsAbout: (collection: string, id: string) => `handoffs#ABOUT#${collection}#${id}`,
  byNaturalKey: (collection: CollectionName, key: string) => `${collection}#KEY#${key}`,
  activitiesAbout: (collection: string, id: string) => `activities#ABOUT#${collection}#${id}`,
  holding: (entity: string, id: string) => `HOLDS#${entity}#${id}`,
};

/**
 * An activity has no account field, so its byAccountCollection slot serves the activities related to
 * one record (`relatedTo`, fixed at create): what a privacy export or erasure of a contact or lead reads.
 */
function activityIndexValues(id: string, fields: Item): Partial<Record<IndexName, IndexValue>> {
  const about = fields.relatedTo;
  if (typeof about !== 'object' || about === null || !('collection' in about) || !('id' in about)) return {};
  return {
    byAccountCollection: {
      pk: partitionOf.activitiesAbout(String(about.collection), String(about.id)),
      sk: id,
    },
  };
}

/**
 * Handoffs have no owner filter, no account and no place on a timeline: those three index slots serve
 * their own access patterns instead (a department's inbox, by status too, and a record's handoffs), so
 * that each of their lists is one Query on one partition.
 */
function handoffIndexValues(id: string, fields: Item): Partial<Record<IndexName, IndexValue>> {
  const toDept = text(fields.toDept);
  const state = text(fields.status);
  const about = fields.record;
  const aboutKey =
    typeof about === 'object' && about !== null && 'collection' in about && 'id' in about
      ? partitionOf.handoffsAbout(String(about.collection), String(about.id))
      : undefined;
  return {
    byOwner: toDept && state ? { pk: partitionOf.handoffsToInState(toDept, state), sk: id } : undefined,
    byAccountCollection: toDept ? { pk: partitionOf.handoffsTo(toDept), sk: id } : undefined,
    byAccount: aboutKey ? { pk: aboutKey, sk: id } : undefined,
  };
}
/** The field whose change moves a handoff in each of those slots (the others are fixed at create). */
const HANDOFF_READERS = {
  byOwner: 'status',
  byState: 'status',
  byAccountCollection: 'toDept',
  byAccount: 'record',
  byNaturalKey: undefined,
};

type IndexValue = { pk: string; sk: string } | undefined;

function indexValues(
  collection: CollectionName,
  id: string,
  fields: Item,
  linkedAccountId?: string,
): Record<IndexName, IndexValue> {
  const def = COLLECTIONS[collection];
  const state = def.stateField ? text(fields[def.stateField]) : undefined;
  const owner = text(fields.ownerId);
  const account = def.accountField ? text(fields[def.accountField]) : undefined;
  const timeline = timelineAccountOf(collection, id, fields, linkedAccountId);
  const natural = naturalKeyOf(collection, fields);
  const values: Record<IndexName, IndexValue> = {
    byCollection: shardedEntry(collection, id),
    byOwner: owner === undefined ? undefined : shardedEntry(partitionOf.byOwner(collection, owner), id),
    byState: state === undefined ? undefined : shardedEntry(partitionOf.byState(collection, state), id),
    byAccountCollection:
      account === undefined
        ? undefined
        : { pk: partitionOf.byAccountCollection(collection, account), sk: id },
    byAccount: timeline
      ? { pk: partitionOf.byAccount(timeline), sk: collection === 'accounts' ? TIMELINE_HEAD : id }
      : undefined,
    byNaturalKey: natural ? { pk: partitionOf.byNaturalKey(collection, natural), sk: id } : undefined,
  };
  if (collection === 'comments') return { ...values, ...commentIndexValues(id, fields) };
  if (collection === 'activities') return { ...values, ...activityIndexValues(id, fields) };
  return collection === 'handoffs' ? { ...values, ...handoffIndexValues(id, fields) } : values;
}

/** The whole item to store for a record: the record, its key, and every index key it belongs to. */
export function recordItem(
  collection: CollectionName,
  record: { readonly id: string } & Item,
  linkedAccountId?: string,
): Item {
  const item: Item = { ...record, ...recordKey(collection, record.id), [COLLECTION_ATTR]: collection };
  for (const [name, value] of Object.entries(indexValues(collection, record.id, record, linkedAccountId))) {
    if (!value || !isIndexName(name)) continue;
    item[INDEXES[name].pk] = value.pk;
    item[INDEXES[name].sk] = value.sk;
  }
  return item;
}

export interface ItemChange {
  set: Item;
  remove: string[];
}

/**
 * The index attributes that a merge patch changes: set where the patch sets the field an index reads,
 * removed where the patch removes it (null). Derived from the patch (and, where an index also reads a
 * field fixed at create, such as a handoff's `toDept`, from the record as read), so an update stays one write.
 */
export function indexChangesForPatch(
  collection: CollectionName,
  id: string,
  patch: RecordPatch,
  stored: Item = {},
): ItemChange {
  const touched = indexValues(collection, id, { ...stored, ...patch });
  const def = COLLECTIONS[collection];
  const readers: Record<Exclude<IndexName, 'byCollection'>, string | undefined> = collection === 'handoffs'
    ? HANDOFF_READERS
    : {
        byOwner: 'ownerId',
        byState: def.stateField,
        byAccountCollection: def.accountField,
        byAccount: collection === 'accounts' || collection === 'activities' ? undefined : def.accountField,
        byNaturalKey: def.naturalKey,
      };
  const change: ItemChange = { set: {}, remove: [] };
  for (const [name, field] of Object.entries(readers)) {
    if (!field || !(field in patch) || !isIndexName(name)) continue;
    const attrs = INDEXES[name];
    const value = touched[name];
    if (value && patch[field] !== null) {
      change.set[attrs.pk] = value.pk;
      change.set[attrs.sk] = value.sk;
    } else {
      change.remove.push(attrs.pk, attrs.sk);
    }
  }
  return change;
}

/**
 * What a merge patch does to the stored item, index keys included: the one function every change of
 * a record's fields goes through (a PATCH, a conversion's lead), so no index is ever left behind.
 */
export function changeForPatch(
  collection: CollectionName,
  id: string,
  patch: RecordPatch,
  stored?: Item,
): ItemChange {
  const indexes = indexChangesForPatch(collection, id, patch, stored);
  const set: Item = {};
  const remove: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) remove.push(field);
    else set[field] = value;
  }
  return { set: { ...set, ...indexes.set }, remove: [...remove, ...indexes.remove] };
}

export interface IndexQuery {
  indexName: IndexName;
  pkAttr: string;
  /** The partition; for a sharded list, the list's name (its cursors' scope), not a key. */
  pkValue: string;
  skAttr: string;
  /** A sharded list's partitions, shard i at index i: the list is all of them, merged by sort key. */
  shards?: readonly string[];
}

const query = (indexName: IndexName, pkValue: string): IndexQuery => ({
  indexName,
  pkAttr: INDEXES[indexName].pk,
  skAttr: INDEXES[indexName].sk,
  pkValue,
});

/** Every shard of a sharded list; `pkValue` is the list's own partition name (its cursors' scope). */
const shardedQuery = (indexName: IndexName, partition: string): IndexQuery => ({
  ...query(indexName, partition),
  shards: Array.from({ length: LIST_SHARDS }, (_, i) => shardKey(partition, i)),
});

export type ListFilter = { by: 'all' } | { by: 'owner' | 'state' | 'account'; value: string };

export function listQuery(collection: CollectionName, filter: ListFilter): IndexQuery {
  switch (filter.by) {
    case 'all':
      return shardedQuery('byCollection', collection);
    case 'owner':
      return shardedQuery('byOwner', partitionOf.byOwner(collection, filter.value));
    case 'state':
      return shardedQuery('byState', partitionOf.byState(collection, filter.value));
    case 'account':
      return query('byAccountCollection', partitionOf.byAccountCollection(collection, filter.value));
  }
}

/** The records of a collection with this natural key (normally one; oldest first). */
export function naturalKeyQuery(collection: CollectionName, key: string): IndexQuery {
  return query('byNaturalKey', partitionOf.byNaturalKey(collection, key));
}

/** The activities related to one record (any age, newest first). */
export function activitiesAboutQuery(collection: CollectionName, id: string): IndexQuery {
  return query('byAccountCollection', partitionOf.activitiesAbout(collection, id));
}

export function timelineQuery(accountId: string): IndexQuery {
  return query('byAccount', partitionOf.byAccount(accountId));
}

/** The lists of handoffs: all, by status, a department's inbox (by status too), and one record's. */
export type HandoffFilter =
  | { by: 'all' }
  | { by: 'state'; status: string }
  | { by: 'to'; toDept: string; status?: string }
  | { by: 'about'; collection: CollectionName; id: string };

export function handoffQuery(filter: HandoffFilter): IndexQuery {
  switch (filter.by) {
    case 'all':
      return listQuery('handoffs', { by: 'all' });
    case 'state':
      return listQuery('handoffs', { by: 'state', value: filter.status });
    case 'to':
      return filter.status === undefined
        ? query('byAccountCollection', partitionOf.handoffsTo(filter.toDept))
        : query('byOwner', partitionOf.handoffsToInState(filter.toDept, filter.status));
    case 'about':
      return query('byAccount', partitionOf.handoffsAbout(filter.collection, filter.id));
  }
}

/**
 * Where a page ends, as a cursor holds it: the collection and id of an item, no key names. Index sort
 * keys are record ids, so the ExclusiveStartKey that resumes right after the item is rebuilt from it.
 */
export interface CursorPosition {
  collection: CollectionName;
  id: string;
}

/**
 * The ExclusiveStartKey of `q` right after the item at `p` (the item need not still exist); of a sharded
 * list, the key in the item's own shard (its sort key is where every shard resumes).
 */
export function startKeyAfter(q: IndexQuery, p: CursorPosition): Item {
  const head = q.indexName === 'byAccount' && p.collection === 'accounts';
  const pk = q.shards ? q.shards[collectionShard(p.id, q.shards.length)] : q.pkValue;
  return { ...recordKey(p.collection, p.id), [q.pkAttr]: pk, [q.skAttr]: head ? TIMELINE_HEAD : p.id };
}

/**
 * The sharded list keys a stored record item lacks (written before sharding, or with another
 * LIST_SHARDS): the partition key attributes to set, or undefined when it has them right. For the
 * one-off backfill (docs/operations.md, "Backfill"); a deleted item has left the indexes and is skipped.
 */
export function listShardBackfill(item: Item): Item | undefined {
  const collection = collectionOfItem(item);
  if (!collection || deletionOf(item) || typeof item.id !== 'string') return undefined;
  const values = indexValues(collection, item.id, item);
  const set: Item = {};
  for (const name of ['byCollection', 'byOwner', 'byState'] as const) {
    const attr = INDEXES[name].pk;
    const want = values[name]?.pk;
    if (want !== undefined && item[attr] !== undefined && item[attr] !== want) set[attr] = want;
  }
  return Object.keys(set).length ? set : undefined;
}

/** Every partition a list reads: its shards, or its one partition. */
export function partitionsOf(q: IndexQuery): IndexQuery[] {
  return q.shards ? q.shards.map((pkValue) => ({ ...q, pkValue, shards: undefined })) : [q];
}

export function collectionOfItem(item: Item): CollectionName | undefined {
  const value = item[COLLECTION_ATTR];
  return typeof value === 'string' && isCollection(value) ? value : undefined;
}

/** Keys, index keys and bookkeeping: what an item holds besides its record. */
export const isInternalAttribute = (name: string): boolean => INTERNAL_ATTRS.has(name);

/**
 * A delete is soft: it marks the item, drops it from every index and lets TTL purge it. So the
 * stream's image of the delete says who deleted it, and reads treat the marked item as absent.
 */
export function deletionChange(actor: string, at: Date): ItemChange {
  return {
    set: { [DELETED_AT]: at.toISOString(), [DELETED_BY]: actor, [TTL_ATTR]: Math.floor(at.getTime() / 1000) },
    remove: [...INDEX_ATTRS],
  };
}

export const DELETED_MARK = DELETED_AT;

export function deletionOf(item: Item): { by: string; at: string } | undefined {
  const at = item[DELETED_AT];
  return typeof at === 'string' ? { at, by: String(item[DELETED_BY] ?? '') } : undefined;
}

/**
 * A privacy erasure of a record: the erased fields (a patch, like every change: index keys follow), a new
 * version, and the mark that says who erased it and when, which the stream reads to announce
 * `<entity>.erased` instead of an update (shared/events/change-events.ts).
 */
export function erasureChange(
  collection: CollectionName,
  id: string,
  patch: RecordPatch,
  actor: string,
  at: string,
): ItemChange {
  const change = changeForPatch(collection, id, patch);
  return {
    set: { ...change.set, updatedAt: at, updatedBy: actor, [ERASED_AT]: at, [ERASED_BY]: actor },
    remove: change.remove,
  };
}

export function erasureOf(item: Item | undefined): { by: string; at: string } | undefined {
  const at = item?.[ERASED_AT];
  return typeof at === 'string' ? { at, by: String(item?.[ERASED_BY] ?? '') } : undefined;
}

/** What an idempotency entry answered: the hash of the first request and the record it created. */
export interface Replay {
  requestHash: string;
  response: unknown;
}

/** The entry that makes a create idempotent: kept until its TTL, then purged. */
export function idempotencyItem(
  userId: string,
  key: string,
  replay: Replay,
  expiresAtEpochSeconds: number,
): Item {
  return {
    ...idempotencyKey(userId, key),
    [REPLAY_ATTRS.requestHash]: replay.requestHash,
    [REPLAY_ATTRS.response]: replay.response,
    ...ttlAttributes(expiresAtEpochSeconds),
  };
}

export function replayOf(item: Item): Replay | undefined {
  const requestHash = item[REPLAY_ATTRS.requestHash];
  return typeof requestHash === 'string' ? { requestHash, response: item[REPLAY_ATTRS.response] } : undefined;
}

/**
 * The user directory: one item per user, keyed by the user's id (Cognito `sub`), so that writes can check
 * an `ownerId` with one GetItem instead of asking Cognito. Found by name through byOwner and by department
 * through byState, under partition values no collection uses. Not a record (no collection attribute): the
 * publisher announces nothing for it.
 */
const USER = 'USER';
const USER_SK = 'PROFILE';
const DIRECTORY = 'users';
/** Every directory item's partition key starts so: IAM confines the directory's writers to these items. */
export const USER_KEY_PREFIX = `${USER}#`;

export interface DirectoryEntry {
  userId: string;
  username: string;
  email: string | null;
  groups: string[];
  /** The department group among `groups`, if any (derived by the policy, stored for the index). */
  department: string | null;
  enabled: boolean;
  updatedAt: string;
  /** Who made the change: an admin's user id; null when it was mirrored from Cognito at sign-in. */
  updatedBy: string | null;
}

export function userKey(userId: string): Key {
  return keyOf(`${USER_KEY_PREFIX}${userId}`, USER_SK);
}

const directoryPartition = {
  byName: (username: string) => `${DIRECTORY}#NAME#${username.toLowerCase()}`,
  byDepartment: (department: string) => `${DIRECTORY}#DEPT#${department}`,
};

export function directoryItem(entry: DirectoryEntry): Item {
  const item: Item = {
    ...entry,
    ...userKey(entry.userId),
    [INDEXES.byOwner.pk]: directoryPartition.byName(entry.username),
    [INDEXES.byOwner.sk]: entry.userId,
  };
  if (entry.department && entry.enabled) {
    item[INDEXES.byState.pk] = directoryPartition.byDepartment(entry.department);
    item[INDEXES.byState.sk] = entry.userId;
  }
  return item;
}

export function directoryEntryOf(item: Item | undefined): DirectoryEntry | undefined {
  if (!item || typeof item.userId !== 'string' || typeof item.username !== 'string') return undefined;
  return {
    userId: item.userId,
    username: item.username,
    email: typeof item.email === 'string' ? item.email : null,
    groups: Array.isArray(item.groups) ? item.groups.filter((g): g is string => typeof g === 'string') : [],
    department: typeof item.department === 'string' ? item.department : null,
    enabled: item.enabled !== false,
    updatedAt: String(item.updatedAt ?? ''),
    updatedBy: typeof item.updatedBy === 'string' ? item.updatedBy : null,
  };
}

/** Whether a stream image is a directory entry (a role lock is not). */
export const isDirectoryItem = (item: Item | undefined): boolean =>
  item !== undefined && String(item[PK]).startsWith(USER_KEY_PREFIX) && item[SK] === USER_SK;

/**
 * The stream records of directory entries (role locks left out), as a Lambda filter matches the keys:
 * the audit consumer reads them for the trail of each user's roles.
 */
export const DIRECTORY_STREAM_KEYS = {
  [PK]: { S: [{ prefix: USER_KEY_PREFIX }] },
  [SK]: { S: [USER_SK] },
};

/** The directory entry of a username (case-insensitive, as Cognito usernames are). */
export const usernameQuery = (username: string): IndexQuery =>
  query('byOwner', directoryPartition.byName(username));

/** The enabled members of a department. */
export const departmentMembersQuery = (department: string): IndexQuery =>
  query('byState', directoryPartition.byDepartment(department));

/**
 * A lease on one user's role changes, in the user's own partition (keyed by the user's id, Cognito
 * `sub`: one per user, whatever alias an admin names them by), beside their directory entry: so the
 * role-change function is confined to `USER#` items. Not a record, so the stream publisher announces
 * nothing for it; TTL purges one that was never released, long after its lease ended.
 */
const ROLE_LOCK = 'ROLELOCK';
export const ROLE_LOCK_ATTRS = { owner: 'lockOwner', leaseUntil: 'leaseUntil' } as const;

export function roleLockKey(userId: string): Key {
  return keyOf(`${USER_KEY_PREFIX}${userId}`, ROLE_LOCK);
}

export function roleLockItem(userId: string, owner: string, leaseUntilMs: number): Item {
  return {
    ...roleLockKey(userId),
    [ROLE_LOCK_ATTRS.owner]: owner,
    [ROLE_LOCK_ATTRS.leaseUntil]: leaseUntilMs,
    ...ttlAttributes(Math.ceil(leaseUntilMs / 1000) + 3600),
  };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// The change feed and the audit trail: items the stream consumers `change-feed` and `audit` write
// (functions/streams/), never a handler. Neither carries the collection attribute, so no stream
// consumer takes them for records.
//
// | access pattern                               | where | key condition                              |
// |----------------------------------------------|-------|--------------------------------------------|
// | a department's change feed, in commit order  | table | PK = FEED#<department>, SK > <sequence>    |
// | every change (the admins' feed)              | table | PK = FEED#*, SK > <sequence>               |
// | a record's audit trail, newest first         | table | PK = AUDIT#<entity>#<id>, SK = <sequence>  |
//
// The sort key is the stream record's SequenceNumber, zero-padded to 40 digits so that text order is
// number order. It is deterministic: a replayed stream record writes the same key and overwrites.
// Ordering: within a shard sequence numbers follow commit order, and all changes of one item are in
// one shard (a parent shard is read before its children), so a record's feed items and its audit
// trail are in commit order. Across shards (a table split into partitions) sequence numbers grow with
// time but are not a global commit order: a change in a lagging shard can sort before items already
// read. One feed partition per department takes every write of that department (well within a
// partition's 1,000 writes a second at a CRM's pace).

const FEED = 'FEED';
const AUDIT = 'AUDIT';
/** The payload of a feed item or audit entry: one map attribute, the rest of the item is key and TTL. */
const ENTRY_ATTR = 'entry';
/** Stream sequence numbers are decimal strings of 21 to 40 digits. */
const SEQUENCE_DIGITS = 40;

/** Every feed item's partition key starts so: IAM confines the change-feed consumer to these items. */
export const FEED_KEY_PREFIX = `${FEED}#`;
/** Every audit entry's partition key starts so: IAM confines the audit consumer to these items. */
export const AUDIT_KEY_PREFIX = `${AUDIT}#`;

/** The admins' feed: every change. `*` is no department name, so it cannot clash with one. */
export const EVERY_CHANGE = '*';
export type FeedName = Department | typeof EVERY_CHANGE;

/** The sort key of a stream record's item: its sequence number, zero-padded. */
export function sequenceKey(sequence: string): string {
  if (!/^\d{1,40}$/.test(sequence)) throw new Error(`not a stream sequence number: ${sequence}`);
  return sequence.padStart(SEQUENCE_DIGITS, '0');
}

/** Whether a position from a cursor is a sort key that sequenceKey made. */
export const isSequenceKey = (value: string): boolean => /^\d{40}$/.test(value);

/** One partition read in sort-key order: a feed or one record's audit trail. */
export interface PartitionQuery {
  pkAttr: string;
  pkValue: string;
  skAttr: string;
}

const partition = (pkValue: string): PartitionQuery => ({ pkAttr: PK, pkValue, skAttr: SK });

export const feedPartition = (feed: FeedName): PartitionQuery => partition(`${FEED_KEY_PREFIX}${feed}`);

export const auditPartition = (entity: string, id: string): PartitionQuery =>
  partition(`${AUDIT_KEY_PREFIX}${entity}#${id}`);

/** The ExclusiveStartKey that resumes the partition right after the sort key `position`. */
export function startKeyInPartition(q: PartitionQuery, position: string): Item {
  return { [q.pkAttr]: q.pkValue, [q.skAttr]: position };
}

/** A feed item or audit entry: its partition, its sequence key and its entry (and a TTL, for the feed). */
export function derivedItem(
  q: PartitionQuery,
  sequence: string,
  entry: object,
  expiresAtEpochSeconds?: number,
  holds?: HeldRecord,
): Item {
  return {
    [q.pkAttr]: q.pkValue,
    [q.skAttr]: sequenceKey(sequence),
    [ENTRY_ATTR]: entry,
    ...(expiresAtEpochSeconds === undefined ? {} : ttlAttributes(expiresAtEpochSeconds)),
    ...(holds ? holdingSlot(holds, sequenceKey(sequence)) : {}),
  };
}

/**
 * The record a feed item or a notification holds a copy of (its entity and id). Such items sit in the
 * byNaturalKey slot under `HOLDS#<entity>#<id>` (no record's natural key starts so), so that a privacy
 * export or erasure finds every copy of a record with one Query, never a Scan. Audit entries need no
 * slot: their partition is the record's own (`AUDIT#<entity>#<id>`).
 */
export interface HeldRecord {
  entity: string;
  id: string;
}

const holdingSlot = (holds: HeldRecord, sk: string): Item => ({
  [INDEXES.byNaturalKey.pk]: partitionOf.holding(holds.entity, holds.id),
  [INDEXES.byNaturalKey.sk]: sk,
});

/** Every feed item and notification that holds a copy of this record. */
export const heldCopiesQuery = (holds: HeldRecord): IndexQuery =>
  query('byNaturalKey', partitionOf.holding(holds.entity, holds.id));

/** A copy found by heldCopiesQuery: its key, the attribute holding its entry, and the entry. */
export interface HeldCopy {
  key: Key;
  kind: 'change' | 'notification';
  entryAttribute: string;
  entry: Item;
}

export function heldCopyOf(item: Item): HeldCopy | undefined {
  const pk = item[PK];
  const sk = item[SK];
  if (typeof pk !== 'string' || typeof sk !== 'string') return undefined;
  const kind = pk.startsWith(FEED_KEY_PREFIX)
    ? 'change'
    : pk.startsWith(NOTIFICATION_KEY_PREFIX)
      ? 'notification'
      : undefined;
  const entryAttribute = kind === 'change' ? ENTRY_ATTR : NOTIFICATION_ATTRS.entry;
  const entry = item[entryAttribute];
  if (!kind || typeof entry !== 'object' || entry === null) return undefined;
  return { key: keyOf(pk, sk), kind, entryAttribute, entry: entry as Item };
}

/** Whether a feed item sits in the admins' feed (every change): a subject export reads those only. */
export const isEveryChangeFeedKey = (key: Key): boolean => key[PK] === `${FEED_KEY_PREFIX}${EVERY_CHANGE}`;

/** What a feed item or audit entry holds, and where it sits (its sort key, for cursors). */
export function derivedEntryOf(item: Item): { position: string; entry: Item } {
  const entry = item[ENTRY_ATTR];
  const position = item[SK];
  if (typeof entry !== 'object' || entry === null || typeof position !== 'string')
    throw new Error('an item of a feed or audit trail holds no entry');
  return { position, entry: entry as Item };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Collaboration: comments, watches and notifications. A comment is a record (collection `comments`);
// a watch and a notification are not (no collection attribute: no event announces them, no feed
// carries them). Notifications are written by the `notify` stream consumer only, and a comment's place
// on its account's timeline by the `comment-timeline` consumer (the create is one call that cannot
// read the record the comment is on).
//
// | access pattern                              | where               | key condition                        |
// |---------------------------------------------|---------------------|--------------------------------------|
// | the comments on a record, newest first      | byAccountCollection | comments#ON#<collection>#<id>        |
// | comments on an account's timeline           | byAccount           | TIMELINE#<accountId> (from the stream)|
// | the watchers of a record                    | table               | PK = WATCH#<collection>#<id>         |
// | one user's watch of one record (put/delete) | table               | PK = WATCH#<collection>#<id>, SK = <userId> |
// | a user's notifications, newest first        | table               | PK = NOTIFY#<userId>, SK = <notification id> |
// | a user's unread notifications, newest first | byState             | NOTIFY#<userId>#UNREAD               |
//
// A notification's id is a ULID made from the event's time and a hash of its id (domain/notifications.ts),
// so it sorts newest first and a replayed event writes the same key (its Put is conditional: never twice).

const COMMENTS_ON = (collection: string, id: string) => `comments#ON#${collection}#${id}`;
const WATCH = 'WATCH';
const NOTIFY = 'NOTIFY';
/** What a notification item keeps besides its key: the notification, and when it was read. */
const NOTIFICATION_ATTRS = { entry: 'notification', readAt: 'readAt' } as const;

/** Every comment's partition key starts so: IAM confines the comment-timeline consumer to these items. */
export const COMMENT_KEY_PREFIX = `${entityPrefix('comments')}#`;
/** Every watch's partition key starts so: IAM confines the watch routes' writes to these items. */
export const WATCH_KEY_PREFIX = `${WATCH}#`;
/** Every notification's partition key starts so: IAM confines the notify consumer's writes to these. */
export const NOTIFICATION_KEY_PREFIX = `${NOTIFY}#`;

/** A comment's slots: the list of the comments on its record (its timeline slot is set from the stream). */
function commentIndexValues(id: string, fields: Item): Partial<Record<IndexName, IndexValue>> {
  const parent = fields.parent;
  if (typeof parent !== 'object' || parent === null || !('collection' in parent) || !('id' in parent))
    return {};
  return { byAccountCollection: { pk: COMMENTS_ON(String(parent.collection), String(parent.id)), sk: id } };
}

/** The comments on one record, newest first. */
export const commentsQuery = (collection: CollectionName, id: string): IndexQuery =>
  query('byAccountCollection', COMMENTS_ON(collection, id));

/**
 * Where a comment goes on a timeline: the timeline its record is on (an account's own, or the account
 * its record belongs to, an activity's linked one), read from the record's item; none for a record on
 * no timeline (a lead). Returns the index attributes to set on the comment's item.
 */
export function timelinePlacement(recordItemRead: Item, commentId: string): Item | undefined {
  const { pk, sk } = INDEXES.byAccount;
  const timeline = recordItemRead[pk];
  if (typeof timeline !== 'string' || !timeline.startsWith(partitionOf.byAccount(''))) return undefined;
  return { [pk]: timeline, [sk]: commentId };
}

export function watchKey(collection: CollectionName, id: string, userId: string): Key {
  return keyOf(`${WATCH_KEY_PREFIX}${collection}#${id}`, userId);
}

export function watchItem(collection: CollectionName, id: string, userId: string, since: string): Item {
  return { ...watchKey(collection, id, userId), userId, since };
}

/** The watchers of one record: one partition, read whole by the notify consumer. */
export const watchersPartition = (collection: CollectionName, id: string): PartitionQuery =>
  partition(`${WATCH_KEY_PREFIX}${collection}#${id}`);

/** The watcher of a watch item, when the watch had begun by `asOf` (ISO times compare as strings). */
export const watcherOf = (item: Item, asOf: string): string | undefined =>
  typeof item.userId === 'string' && typeof item.since === 'string' && item.since <= asOf
    ? item.userId
    : undefined;

const notificationPartition = (userId: string) => `${NOTIFICATION_KEY_PREFIX}${userId}`;
const unreadPartition = (userId: string) => `${NOTIFICATION_KEY_PREFIX}${userId}#UNREAD`;

export function notificationKey(userId: string, id: string): Key {
  return keyOf(notificationPartition(userId), id);
}

/** A new (unread) notification: its key, its entry, the unread index's slot and its TTL. */
export function notificationItem(
  userId: string,
  id: string,
  entry: object,
  expiresAtEpochSeconds: number,
  holds?: HeldRecord,
): Item {
  return {
    ...notificationKey(userId, id),
    [NOTIFICATION_ATTRS.entry]: entry,
    [INDEXES.byState.pk]: unreadPartition(userId),
    [INDEXES.byState.sk]: id,
    ...ttlAttributes(expiresAtEpochSeconds),
    ...(holds ? holdingSlot(holds, `${id}#${userId}`) : {}),
  };
}

/** Marking read: the time it was read, and out of the unread index. */
export function notificationReadChange(at: string): ItemChange {
  return { set: { [NOTIFICATION_ATTRS.readAt]: at }, remove: [INDEXES.byState.pk, INDEXES.byState.sk] };
}

/** What a notification item holds: its entry, whether it was read, and its id (the sort key). */
export function notificationEntryOf(item: Item): { id: string; entry: Item; read: boolean } {
  const entry = item[NOTIFICATION_ATTRS.entry];
  const id = item[SK];
  if (typeof entry !== 'object' || entry === null || typeof id !== 'string')
    throw new Error('a notification item holds no notification');
  return { id, entry: entry as Item, read: typeof item[NOTIFICATION_ATTRS.readAt] === 'string' };
}

/** A user's notifications (all, or unread only): one partition of the table or of the unread index. */
export interface NotificationsQuery {
  indexName?: IndexName;
  pkAttr: string;
  pkValue: string;
  skAttr: string;
}

export function notificationsQuery(userId: string, unread: boolean): NotificationsQuery {
  return unread
    ? {
        indexName: 'byState',
        pkAttr: INDEXES.byState.pk,
        pkValue: unreadPartition(userId),
        skAttr: INDEXES.byState.sk,
      }
    : { pkAttr: PK, pkValue: notificationPartition(userId), skAttr: SK };
}

/** The ExclusiveStartKey that resumes a user's notifications right after the notification `id`. */
export function notificationStartKey(q: NotificationsQuery, userId: string, id: string): Item {
  return { ...notificationKey(userId, id), [q.pkAttr]: q.pkValue, [q.skAttr]: id };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Reports: the counters that the `aggregates` stream consumer keeps (shared/reports/aggregates.ts) and
// the snapshots read, and the marker that makes each stream record count once. Neither carries the
// collection attribute, so no stream consumer takes them for records.
//
// | access pattern                                  | where | key condition                                  |
// |-------------------------------------------------|-------|------------------------------------------------|
// | a report's counters (every shard)               | table | PK = AGG#<report>, SK begins_with ALL#         |
// | a dated report's counters over a range of days  | table | PK = AGG#<report>, SK BETWEEN <day># AND <day>#~ |
// | one shard of one report (one day)               | table | PK = AGG#<report>, SK = <ALL|day>#<shard>      |
// | has this stream record been counted?            | table | PK = AGG#APPLIED#<eventID>, SK = APPLIED       |
//
// A counter item holds one top-level Number attribute per bucket and measure: `n|<dims>` (records) and
// `a|<dims>` (amount in micro-units), dims URI-encoded and joined by `|`. Top-level, because UpdateItem's
// ADD works on top-level attributes only: one ADD moves a record between two buckets of one report.

const AGGREGATE = 'AGG';
const APPLIED = 'APPLIED';
const UNDATED = 'ALL';
const BUCKET_MEASURES = { count: 'n', amount: 'a' } as const;
export type BucketMeasure = keyof typeof BUCKET_MEASURES;

/** Every counter's and marker's partition key starts so: IAM confines the aggregates consumer to them. */
export const AGGREGATE_KEY_PREFIX = `${AGGREGATE}#`;

const counterPartition = (report: string) => `${AGGREGATE_KEY_PREFIX}${report}`;

/** One shard of a report's counters, for one day (dated reports) or for all time. */
export function counterKey(report: string, day: string | undefined, shard: number): Key {
  return keyOf(counterPartition(report), `${day ?? UNDATED}#${String(shard).padStart(3, '0')}`);
}

/** The day a counter item is for (undefined: an undated report's), from its sort key. */
export function counterDayOf(item: Item): string | undefined {
  const period = String(item[SK] ?? '').split('#')[0];
  return period === UNDATED || !period ? undefined : period;
}

/** The counter items of a report: all of them, or (dated reports) the days from..to, inclusive. */
export interface CounterQuery {
  pkAttr: string;
  pkValue: string;
  skAttr: string;
  skFrom: string;
  skTo: string;
}

export function counterQuery(report: string, days?: { from: string; to: string }): CounterQuery {
  const [from, to] = days ? [days.from, days.to] : [UNDATED, UNDATED];
  return { pkAttr: PK, pkValue: counterPartition(report), skAttr: SK, skFrom: `${from}#`, skTo: `${to}#~` };
}

/** The attribute of a bucket's measure on a counter item. */
export function bucketAttribute(measure: BucketMeasure, dims: readonly string[]): string {
  return `${BUCKET_MEASURES[measure]}|${dims.map(encodeURIComponent).join('|')}`;
}

/** Which bucket and measure an attribute of a counter item holds; undefined for its key attributes. */
export function bucketOfAttribute(name: string): { measure: BucketMeasure; dims: string[] } | undefined {
  const [tag, ...dims] = name.split('|');
  const measure = (Object.keys(BUCKET_MEASURES) as BucketMeasure[]).find((m) => BUCKET_MEASURES[m] === tag);
  return measure && dims.length ? { measure, dims: dims.map(decodeURIComponent) } : undefined;
}

/** The marker that a stream record was counted: written in the counters' own transaction. */
export function appliedMarkerKey(eventId: string): Key {
  return keyOf(`${AGGREGATE_KEY_PREFIX}${APPLIED}#${eventId}`, APPLIED);
}

export function appliedMarkerItem(eventId: string, expiresAtEpochSeconds: number): Item {
  return { ...appliedMarkerKey(eventId), ...ttlAttributes(expiresAtEpochSeconds) };
}

/** The partition key attribute, for a write's `attribute_not_exists` condition. */
export const PARTITION_KEY_ATTRIBUTE = PK;

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Channels (Slack, WeChat Work, email): each department's settings, and one delivery record per
// (event, department, channel), written conditionally before anything is sent, so that a redelivered
// event finds it and sends nothing twice. Neither carries the collection attribute: no stream consumer
// takes them for records, and no event announces them.
//
// | access pattern                                  | where        | key condition                                  |
// |-------------------------------------------------|--------------|------------------------------------------------|
// | a department's channel settings                 | table        | PK = CHANNELS#<dept>, SK = SETTINGS            |
// | one delivery (claim before sending)             | table        | PK = DELIVERY#<eventId>, SK = <dept>#<channel> |
// | a department's deliveries, newest first         | byCollection | deliveries#<dept>, SK = <at>#<eventId>#<ch>    |
// | a department's deliveries in a status           | byState      | deliveries#<dept>#STATE#<status>               |

const CHANNELS = 'CHANNELS';
const CHANNELS_SK = 'SETTINGS';
const DELIVERY = 'DELIVERY';
const DELIVERIES = 'deliveries';
/** The settings of a department: one map attribute. */
const CHANNEL_SETTINGS_ATTR = 'settings';
/** Every write of a delivery record names the revision it replaces (0: none yet). */
const DELIVERY_REVISION_ATTR = 'revision';

/** Every settings item's partition key starts so: IAM confines the settings routes to these items. */
export const CHANNELS_KEY_PREFIX = `${CHANNELS}#`;
/** Every delivery record's partition key starts so: IAM confines the delivery consumer's writes to them. */
export const DELIVERY_KEY_PREFIX = `${DELIVERY}#`;

export function channelSettingsKey(department: string): Key {
  return keyOf(`${CHANNELS_KEY_PREFIX}${department}`, CHANNELS_SK);
}

export function channelSettingsItem(department: string, settings: object): Item {
  return { ...channelSettingsKey(department), [CHANNEL_SETTINGS_ATTR]: settings };
}

export function channelSettingsOf(item: Item | undefined): Item | undefined {
  const settings = item?.[CHANNEL_SETTINGS_ATTR];
  return typeof settings === 'object' && settings !== null ? (settings as Item) : undefined;
}

/** The attribute path (names) of one channel's failure mark inside the settings. */
export const channelFailurePath = (channel: string): readonly string[] => [
  CHANNEL_SETTINGS_ATTR,
  'failing',
  channel,
];

/** A delivery record as the consumer and the deliveries route read it (no key names). */
export interface StoredDelivery {
  eventId: string;
  department: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  /** When the record last changed. */
  at: string;
  detailType: string;
  /** Not before then (epoch ms): the receiver asked for a pause, or backoff. */
  nextAttemptAt?: number;
  /** A claim ("sending") holds until then (epoch ms); after it, the send is taken for lost. */
  claimedUntil?: number;
  revision: number;
}

export function deliveryKey(eventId: string, department: string, channel: string): Key {
  return keyOf(`${DELIVERY_KEY_PREFIX}${eventId}`, `${department}#${channel}`);
}

const deliveryPartitions = {
  all: (department: string) => `${DELIVERIES}#${department}`,
  inState: (department: string, status: string) => `${DELIVERIES}#${department}#STATE#${status}`,
};
const deliverySortKey = (d: Pick<StoredDelivery, 'at' | 'eventId' | 'channel'>) =>
  `${d.at}#${d.eventId}#${d.channel}`;

/** The whole item of a delivery record: its key, its fields, and its place in the department's lists. */
export function deliveryItem(d: StoredDelivery): Item {
  return {
    ...d,
    ...deliveryKey(d.eventId, d.department, d.channel),
    [DELIVERY_REVISION_ATTR]: d.revision,
    [INDEXES.byCollection.pk]: deliveryPartitions.all(d.department),
    [INDEXES.byCollection.sk]: deliverySortKey(d),
    [INDEXES.byState.pk]: deliveryPartitions.inState(d.department, d.status),
    [INDEXES.byState.sk]: deliverySortKey(d),
  };
}

/** The condition of a delivery record's write: none there yet (revision 0), or still the one read. */
export function deliveryWriteCondition(readRevision: number): ConditionExpressionParts {
  return readRevision === 0
    ? { ConditionExpression: 'attribute_not_exists(#dpk)', ExpressionAttributeNames: { '#dpk': PK } }
    : {
        ConditionExpression: '#drev = :drev',
        ExpressionAttributeNames: { '#drev': DELIVERY_REVISION_ATTR },
        ExpressionAttributeValues: { ':drev': readRevision },
      };
}

export interface ConditionExpressionParts {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

export function deliveryOf(item: Item | undefined): StoredDelivery | undefined {
  if (!item || typeof item.eventId !== 'string' || typeof item.status !== 'string') return undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    eventId: item.eventId,
    department: String(item.department ?? ''),
    channel: String(item.channel ?? ''),
    status: item.status,
    attempts: num(item.attempts) ?? 0,
    lastError: typeof item.lastError === 'string' ? item.lastError : null,
    at: String(item.at ?? ''),
    detailType: String(item.detailType ?? ''),
    nextAttemptAt: num(item.nextAttemptAt),
    claimedUntil: num(item.claimedUntil),
    revision: num(item[DELIVERY_REVISION_ATTR]) ?? 0,
  };
}

/** A department's deliveries, newest first: all of them, or those in one status. */
export function deliveriesQuery(department: string, status?: string): IndexQuery {
  return status === undefined
    ? query('byCollection', deliveryPartitions.all(department))
    : query('byState', deliveryPartitions.inState(department, status));
}

/** The ExclusiveStartKey that resumes a deliveries list right after this record. */
export function deliveryStartKey(
  q: IndexQuery,
  at: Pick<StoredDelivery, 'at' | 'eventId' | 'channel' | 'department'>,
): Item {
  return {
    ...deliveryKey(at.eventId, at.department, at.channel),
    [q.pkAttr]: q.pkValue,
    [q.skAttr]: deliverySortKey(at),
  };
}

/**
 * Partition key prefixes of what the stream and queue consumers write after a change (not records):
 * feed items, audit entries, notifications, report counters, channel deliveries.
 */
export const DERIVED_KEY_PREFIXES: readonly string[] = [
  FEED_KEY_PREFIX,
  AUDIT_KEY_PREFIX,
  NOTIFICATION_KEY_PREFIX,
  AGGREGATE_KEY_PREFIX,
  DELIVERY_KEY_PREFIX,
];

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Import and export jobs (docs/import-export.md): one item per job, its status and counts. No
// collection attribute: no stream consumer takes it for a record, and no event announces it.
//
// | access pattern             | where | key condition                    |
// |----------------------------|-------|----------------------------------|
// | an import job, by id       | table | PK = IMPORT#<id>, SK = JOB       |
// | an export job, by id       | table | PK = EXPORT#<id>, SK = JOB       |

const JOB_SK = 'JOB';
export type JobKind = 'import' | 'export';
const JOB_PREFIXES: Record<JobKind, string> = { import: 'IMPORT#', export: 'EXPORT#' };
/** Every job item's partition key starts so: IAM confines the job routes to these items. */
export const IMPORT_KEY_PREFIX = JOB_PREFIXES.import;
export const EXPORT_KEY_PREFIX = JOB_PREFIXES.export;

export function jobKey(kind: JobKind, id: string): Key {
  return keyOf(`${JOB_PREFIXES[kind]}${id}`, JOB_SK);
}

/** A job's item: its fields and its key, kept until its TTL (the job's files expire with it). */
export function jobItem(
  kind: JobKind,
  job: { readonly id: string } & Item,
  expiresAtEpochSeconds: number,
): Item {
  return { ...job, ...jobKey(kind, job.id), ...ttlAttributes(expiresAtEpochSeconds) };
}

/** A job item's fields, without its key and bookkeeping. */
export function jobOf(item: Item | undefined): Item | undefined {
  if (!item) return undefined;
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!isInternalAttribute(k)) out[k] = v;
  return out;
}

// ── Role permissions in force ────────────────────────────────────────────────────────────────────
/*
 * | the role cells admins changed         | table                | PK = ROLES, SK = CELL#<group>#<collection> |
 * | the matrix's version (freshness check) | table                | PK = ROLES, SK = VERSION              |
 * One small partition: every function reads the version item (one GetItem) at most every refresh
 * interval, and the cells (one Query) only when it moved. Not records: no collection attribute.
 */
const ROLES = 'ROLES';
const ROLE_CELL = 'CELL';
const ROLES_VERSION_SK = 'VERSION';
/** The partition of the role cells: IAM confines the functions that only read them to it. */
export const ROLES_KEY_PREFIX = ROLES;
/** The counter attribute of the version item. */
export const ROLES_VERSION_ATTR = 'version';

export const roleCellKey = (group: string, collection: string): Key =>
  keyOf(ROLES, `${ROLE_CELL}#${group}#${collection}`);
export const rolesVersionKey = (): Key => keyOf(ROLES, ROLES_VERSION_SK);
/** Every stored cell, in one Query. */
export const roleCellsPartition = (): PartitionQuery & { skPrefix: string } => ({
  ...partition(ROLES),
  skPrefix: `${ROLE_CELL}#`,
});

/** The cell's item: its key, its values and who set it when. */
export const roleCellItem = (cell: { group: string; collection: string } & Item): Item => ({
  ...cell,
  ...roleCellKey(cell.group, cell.collection),
});

/** Whether a stream image is a role cell (the version item is not). */
export const isRoleCellItem = (item: Item | undefined): boolean =>
  item !== undefined && item[PK] === ROLES && String(item[SK]).startsWith(`${ROLE_CELL}#`);

/** A role cell's values without its key. */
export function roleCellOf(item: Item): Item {
  const { [PK]: _pk, [SK]: _sk, ...cell } = item;
  return cell;
}

/** The stream records of role cells, as a Lambda filter matches the keys: the audit and the publisher read them. */
export const ROLE_CELL_STREAM_KEYS = {
  [PK]: { S: [ROLES] },
  [SK]: { S: [{ prefix: `${ROLE_CELL}#` }] },
};

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Privacy erasures (docs/import-export.md, Privacy): one item per subject, keyed by the SHA-256 of the
// lowercased email (never the email itself), written before any record is touched. It keeps which
// contacts and leads the erasure is about, so that a re-run finds them once their email (and with it
// their natural-key index entry) is gone, and who erased them, when, and how many items.
//
// | access pattern                  | where | key condition                                 |
// |---------------------------------|-------|-----------------------------------------------|
// | the erasure of one subject      | table | PK = ERASURE#<sha-256 hex>, SK = ERASURE      |

const ERASURE = 'ERASURE';
export const ERASURE_KEY_PREFIX = `${ERASURE}#`;

export function erasureKey(subjectHash: string): Key {
  return keyOf(`${ERASURE_KEY_PREFIX}${subjectHash}`, ERASURE);
}

export function erasureItem(subjectHash: string, erasure: Item): Item {
  return { ...erasure, ...erasureKey(subjectHash) };
}

export const erasureOfItem = jobOf;
