/**
 * The key design: the only module that knows how keys look and what the table's attributes are
 * called. Access patterns first; every key, index and table attribute below is derived from them,
 * and the table (CDK and local) is built from TABLE_DEFINITION.
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
 * | hold one user's role change (lock)     | table                | PK = USER#<userId>, SK = ROLELOCK      |
 * | a user of the directory, by id         | table                | PK = USER#<userId>, SK = PROFILE       |
 * | a user of the directory, by name       | byOwner              | users#NAME#<lowercased username>      |
 * | the enabled members of a department    | byState              | users#DEPT#<department>               |
 * Sort keys in the indexes are record ids (ULIDs), so "newest first" is ScanIndexForward = false.
 */
import { COLLECTIONS, type CollectionName, isCollection } from '../domain/collections.js';
import type { RecordPatch } from '../domain/validation.js';

export const INDEXES = {
  byCollection: { pk: 'GSI1PK', sk: 'GSI1SK' },
  byOwner: { pk: 'GSI2PK', sk: 'GSI2SK' },
  byState: { pk: 'GSI3PK', sk: 'GSI3SK' },
  byAccountCollection: { pk: 'GSI4PK', sk: 'GSI4SK' },
  byAccount: { pk: 'GSI5PK', sk: 'GSI5SK' },
} as const;
export type IndexName = keyof typeof INDEXES;
const isIndexName = (name: string): name is IndexName => Object.hasOwn(INDEXES, name);
const INDEX_ATTRS: readonly string[] = Object.values(INDEXES).flatMap((i) => [i.pk, i.sk]);

const COLLECTION_ATTR = '_collection';
const TTL_ATTR = '_expiresAt';
const DELETED_AT = '_deletedAt';
const DELETED_BY = '_deletedBy';
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

/** Each index's partition key, written once: the writes (indexValues) and the reads (queries) share it. */
const partitionOf = {
  byOwner: (collection: CollectionName, ownerId: string) => `${collection}#OWNER#${ownerId}`,
  byState: (collection: CollectionName, state: string) => `${collection}#STATE#${state}`,
  byAccountCollection: (collection: CollectionName, accountId: string) =>
    `${collection}#ACCOUNT#${accountId}`,
  byAccount: (accountId: string) => `TIMELINE#${accountId}`,
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
  return {
    byCollection: { pk: collection, sk: id },
    byOwner: owner === undefined ? undefined : { pk: partitionOf.byOwner(collection, owner), sk: id },
    byState: state === undefined ? undefined : { pk: partitionOf.byState(collection, state), sk: id },
    byAccountCollection:
      account === undefined
        ? undefined
        : { pk: partitionOf.byAccountCollection(collection, account), sk: id },
    byAccount: timeline
      ? { pk: partitionOf.byAccount(timeline), sk: collection === 'accounts' ? TIMELINE_HEAD : id }
      : undefined,
  };
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
 * removed where the patch removes it (null). Derived from the patch alone, so an update stays one write.
 */
export function indexChangesForPatch(collection: CollectionName, id: string, patch: RecordPatch): ItemChange {
  const touched = indexValues(collection, id, patch);
  const def = COLLECTIONS[collection];
  const readers: Record<Exclude<IndexName, 'byCollection'>, string | undefined> = {
    byOwner: 'ownerId',
    byState: def.stateField,
    byAccountCollection: def.accountField,
    byAccount: collection === 'accounts' || collection === 'activities' ? undefined : def.accountField,
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
export function changeForPatch(collection: CollectionName, id: string, patch: RecordPatch): ItemChange {
  const indexes = indexChangesForPatch(collection, id, patch);
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
      return query('byOwner', partitionOf.byOwner(collection, filter.value));
    case 'state':
      return query('byState', partitionOf.byState(collection, filter.value));
    case 'account':
      return query('byAccountCollection', partitionOf.byAccountCollection(collection, filter.value));
  }
}

export function timelineQuery(accountId: string): IndexQuery {
  return query('byAccount', partitionOf.byAccount(accountId));
}

/**
 * Where a page ends, as a cursor holds it: the collection and id of an item, no key names. Index sort
 * keys are record ids, so the ExclusiveStartKey that resumes right after the item is rebuilt from it.
 */
export interface CursorPosition {
  collection: CollectionName;
  id: string;
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
  };
}

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
