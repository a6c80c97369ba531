import { describe, expect, it } from 'vitest';
import { LIST_SHARDS } from '../../shared/config/partitions.js';
import {
  collectionOfItem,
  collectionShard,
  DELETED_MARK,
  deletionChange,
  deletionOf,
  INDEXES,
  type IndexName,
  idempotencyKey,
  indexChangesForPatch,
  type ListFilter,
  listQuery,
  partitionsOf,
  recordItem,
  recordKey,
  startKeyAfter,
  TABLE_DEFINITION,
  timelineQuery,
  ttlAttributes,
} from '../../shared/db/keys.js';
import { toRecord } from '../../shared/db/stored-records.js';
import { COLLECTION_NAMES, type CollectionName } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import { applyChange, aRecord, positionOf } from './fixtures.js';

const ACCOUNT_ID = newId();
const INDEX_ATTRS = Object.values(INDEXES).flatMap((i) => [i.pk, i.sk]);
/** A record's entry in a sharded list: the list's partition and the record's shard. */
const sharded = (partition: string, id: string) =>
  `${partition}#${String(collectionShard(id)).padStart(2, '0')}`;

describe('recordKey / idempotencyKey', () => {
  it.each<[CollectionName, string]>([
    ['accounts', 'ACCOUNT'],
    ['contacts', 'CONTACT'],
    ['leads', 'LEAD'],
    ['opportunities', 'OPPORTUNITY'],
    ['cases', 'CASE'],
    ['activities', 'ACTIVITY'],
  ])('%s records live under %s#<id>, SK RECORD', (collection, prefix) => {
    // Prepare
    const id = newId();

    // Act
    const key = recordKey(collection, id);

    // Assess
    expect(key).toEqual({ PK: `${prefix}#${id}`, SK: 'RECORD' });
  });

  it('gives the same id in two collections two different keys', () => {
    // Prepare
    const id = newId();

    // Act
    const keys = COLLECTION_NAMES.map((c) => recordKey(c, id).PK);

    // Assess
    expect(new Set(keys).size).toBe(COLLECTION_NAMES.length);
  });

  it('scopes an idempotency key to its user', () => {
    // Act
    const key = idempotencyKey('user-1', 'key-1');

    // Assess
    expect(key).toEqual({ PK: 'IDEMPOTENCY#user-1#key-1', SK: 'IDEMPOTENCY' });
    expect(idempotencyKey('user-2', 'key-1').PK).not.toBe(key.PK);
    expect(key.SK).not.toBe(recordKey('accounts', newId()).SK);
  });

  it('is not a record: an idempotency item has no collection', () => {
    // Prepare
    const item = { ...idempotencyKey('user-1', 'key-1'), response: { id: newId() }, ...ttlAttributes(1) };

    // Act
    const collection = collectionOfItem(item);

    // Assess
    expect(collection).toBeUndefined();
  });
});

describe('recordItem', () => {
  it('puts an opportunity on every index its fields serve', () => {
    // Prepare
    const record = aRecord({ accountId: ACCOUNT_ID, name: 'Deal', stage: 'proposal', ownerId: 'u-7' });

    // Act
    const item = recordItem('opportunities', record);

    // Assess
    expect(item).toEqual({
      ...record,
      PK: `OPPORTUNITY#${record.id}`,
      SK: 'RECORD',
      _collection: 'opportunities',
      GSI1PK: sharded('opportunities', record.id),
      GSI1SK: record.id,
      GSI2PK: sharded('opportunities#OWNER#u-7', record.id),
      GSI2SK: record.id,
      GSI3PK: sharded('opportunities#STATE#proposal', record.id),
      GSI3SK: record.id,
      GSI4PK: `opportunities#ACCOUNT#${ACCOUNT_ID}`,
      GSI4SK: record.id,
      GSI5PK: `TIMELINE#${ACCOUNT_ID}`,
      GSI5SK: record.id,
    });
    expect(collectionOfItem(item)).toBe('opportunities');
  });

  it('opens an account’s own timeline with the account, under a head sort key', () => {
    // Prepare
    const account = aRecord({ id: ACCOUNT_ID, name: 'Acme', lifecycleStage: 'customer' });

    // Act
    const item = recordItem('accounts', account);

    // Assess
    expect(item[INDEXES.byAccount.pk]).toBe(`TIMELINE#${ACCOUNT_ID}`);
    expect(item[INDEXES.byAccount.sk]).not.toBe(ACCOUNT_ID);
    expect(item[INDEXES.byState.pk]).toBe(sharded('accounts#STATE#customer', ACCOUNT_ID));
    expect(item[INDEXES.byCollection.pk]).toBe(sharded('accounts', ACCOUNT_ID));
    expect(item[INDEXES.byAccountCollection.pk]).toBeUndefined();
  });

  it('sorts the account first in a newest-first read of its timeline, before any record id', () => {
    // Prepare
    const account = recordItem('accounts', aRecord({ id: ACCOUNT_ID, name: 'Acme' }));
    const members = [
      '00000000000000000000000000',
      newId(),
      '7ZZZZZZZZZZZZZZZZZZZZZZZZZ', // the largest ULID
      'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', // the largest string of the id alphabet
    ].map((id) => recordItem('cases', aRecord({ id, accountId: ACCOUNT_ID, subject: 's' })));
    const sortKeys = [...members, account].map((i) => String(i[INDEXES.byAccount.sk]));

    // Act: DynamoDB orders string sort keys by bytes; ScanIndexForward = false reads them descending.
    const newestFirst = [...sortKeys].sort().reverse();

    // Assess
    expect(newestFirst[0]).toBe(account[INDEXES.byAccount.sk]);
    expect(new Set(members.map((m) => m[INDEXES.byAccount.pk]))).toEqual(
      new Set([account[INDEXES.byAccount.pk]]),
    );
  });

  it('leaves a contact with no account off the account indexes', () => {
    // Prepare
    const contact = aRecord({ firstName: 'Ada', lastName: 'L' });

    // Act
    const item = recordItem('contacts', contact);

    // Assess
    expect(item).not.toHaveProperty(INDEXES.byAccountCollection.pk);
    expect(item).not.toHaveProperty(INDEXES.byAccount.pk);
    expect(item).not.toHaveProperty(INDEXES.byState.pk);
    expect(item[INDEXES.byOwner.pk]).toBe(sharded('contacts#OWNER#creator', contact.id));
  });

  it('places an activity on the timeline of the account it is linked to', () => {
    // Prepare
    const activity = aRecord({
      type: 'call',
      subject: 'Intro',
      relatedTo: { collection: 'accounts', id: ACCOUNT_ID },
    });

    // Act
    const linked = recordItem('activities', activity, ACCOUNT_ID);
    const unlinked = recordItem('activities', activity);

    // Assess
    expect(linked[INDEXES.byAccount.pk]).toBe(`TIMELINE#${ACCOUNT_ID}`);
    expect(linked[INDEXES.byAccount.sk]).toBe(activity.id);
    expect(unlinked).not.toHaveProperty(INDEXES.byAccount.pk);
    expect(linked).not.toHaveProperty(INDEXES.byState.pk);
    // Its account slot serves the activities related to a record (privacy), not an account filter.
    expect(linked[INDEXES.byAccountCollection.pk]).toBe(`activities#ABOUT#accounts#${ACCOUNT_ID}`);
  });
});

describe('indexChangesForPatch', () => {
  const id = newId();

  it.each<[string, CollectionName, Record<string, unknown>, Record<string, unknown>, string[]]>([
    [
      'setting ownerId moves the record to the new owner',
      'cases',
      { ownerId: 'u-2' },
      { GSI2PK: sharded('cases#OWNER#u-2', id), GSI2SK: id },
      [],
    ],
    ['removing ownerId drops it from byOwner', 'cases', { ownerId: null }, {}, ['GSI2PK', 'GSI2SK']],
    [
      'setting the state field moves it in byState',
      'cases',
      { status: 'pending' },
      { GSI3PK: sharded('cases#STATE#pending', id), GSI3SK: id },
      [],
    ],
    [
      'an opportunity’s state field is its stage',
      'opportunities',
      { stage: 'won' },
      { GSI3PK: sharded('opportunities#STATE#won', id), GSI3SK: id },
      [],
    ],
    [
      'an account’s state field is its lifecycle stage',
      'accounts',
      { lifecycleStage: 'churned' },
      { GSI3PK: sharded('accounts#STATE#churned', id), GSI3SK: id },
      [],
    ],
    ['removing the state field drops it from byState', 'leads', { status: null }, {}, ['GSI3PK', 'GSI3SK']],
    [
      'setting accountId moves it to the other account’s list and timeline',
      'contacts',
      { accountId: ACCOUNT_ID },
      {
        GSI4PK: `contacts#ACCOUNT#${ACCOUNT_ID}`,
        GSI4SK: id,
        GSI5PK: `TIMELINE#${ACCOUNT_ID}`,
        GSI5SK: id,
      },
      [],
    ],
    [
      'removing accountId drops it from the account list and timeline',
      'contacts',
      { accountId: null },
      {},
      ['GSI4PK', 'GSI4SK', 'GSI5PK', 'GSI5SK'],
    ],
    ['fields no index reads change nothing (case)', 'cases', { subject: 'x', description: 'y' }, {}, []],
    ['fields no index reads change nothing (account)', 'accounts', { name: 'New name', tags: [] }, {}, []],
    ['fields no index reads change nothing (activity)', 'activities', { subject: 'x', done: true }, {}, []],
    ['fields no index reads change nothing (contact)', 'contacts', { phone: null, title: 't' }, {}, []],
    [
      'an email is the natural key, lowercased; removing it drops the key',
      'contacts',
      { email: 'Ann@Example.COM' },
      { GSI6PK: 'contacts#KEY#ann@example.com', GSI6SK: id },
      [],
    ],
    ['removing the email drops the natural key', 'contacts', { email: null }, {}, ['GSI6PK', 'GSI6SK']],
    [
      "an account's domain is its natural key",
      'accounts',
      { domain: 'Acme.example' },
      { GSI6PK: 'accounts#KEY#acme.example', GSI6SK: id },
      [],
    ],
  ])('%s', (_, collection, patch, expectedSet, expectedRemove) => {
    // Act
    const change = indexChangesForPatch(collection, id, patch);

    // Assess
    expect(change.set).toEqual(expectedSet);
    expect([...change.remove].sort()).toEqual([...expectedRemove].sort());
  });

  it('agrees with recordItem: a patched record has the index keys of a freshly written one', () => {
    // Prepare
    const before = aRecord({ id, subject: 's', accountId: newId(), status: 'open', ownerId: 'u-1' });
    const patch = { accountId: ACCOUNT_ID, status: 'resolved', ownerId: 'u-9' };
    const after = { ...before, ...patch };

    const indexes = indexChangesForPatch('cases', id, patch);

    // Act
    const patched = applyChange(recordItem('cases', before), {
      set: { ...patch, ...indexes.set },
      remove: indexes.remove,
    });

    // Assess
    expect(patched).toEqual(recordItem('cases', after));
  });
});

describe('toRecord', () => {
  it('strips keys, index attributes, the collection, TTL and deletion marks', () => {
    // Prepare
    const record = aRecord({ accountId: ACCOUNT_ID, name: 'Deal', stage: 'won', amount: '10' });
    const deleted = applyChange(
      { ...recordItem('opportunities', record), ...ttlAttributes(1_900_000_000) },
      { set: deletionChange('u-1', new Date()).set, remove: [] },
    );

    // Act
    const out = toRecord(deleted);

    // Assess
    expect(out).toEqual(record);
    for (const attr of [
      TABLE_DEFINITION.partitionKey,
      TABLE_DEFINITION.sortKey,
      TABLE_DEFINITION.ttlAttribute,
      DELETED_MARK,
      ...INDEX_ATTRS,
    ]) {
      expect(out).not.toHaveProperty(attr);
    }
    expect(Object.keys(out).filter((k) => k.startsWith('_'))).toEqual([]);
  });
});

describe('soft deletion', () => {
  it('marks who deleted and when, sets the TTL and removes every index key', () => {
    // Prepare
    const at = new Date('2025-03-10T12:34:56.789Z');

    // Act
    const change = deletionChange('u-5', at);

    // Assess
    expect(change.set).toEqual({
      [DELETED_MARK]: at.toISOString(),
      _deletedBy: 'u-5',
      [TABLE_DEFINITION.ttlAttribute]: Math.floor(at.getTime() / 1000),
    });
    expect([...change.remove].sort()).toEqual([...INDEX_ATTRS].sort());
    expect(change.remove).not.toContain(TABLE_DEFINITION.partitionKey);
    expect(change.remove).not.toContain(TABLE_DEFINITION.sortKey);
  });

  it('reads back the deletion from the deleted item, which keeps its key and collection', () => {
    // Prepare
    const at = new Date('2025-03-10T12:00:00.000Z');
    const live = recordItem('cases', aRecord({ accountId: ACCOUNT_ID, subject: 's', status: 'open' }));

    // Act
    const deleted = applyChange(live, deletionChange('u-5', at));

    // Assess
    expect(deletionOf(deleted)).toEqual({ by: 'u-5', at: at.toISOString() });
    expect(deletionOf(live)).toBeUndefined();
    expect(collectionOfItem(deleted)).toBe('cases');
    expect(deleted.PK).toBe(live.PK);
    for (const attr of INDEX_ATTRS) expect(deleted).not.toHaveProperty(attr);
  });
});

describe('queries', () => {
  it.each<[ListFilter, IndexName, string, string, string]>([
    [
      { by: 'account', value: ACCOUNT_ID },
      'byAccountCollection',
      'GSI4PK',
      'GSI4SK',
      `cases#ACCOUNT#${ACCOUNT_ID}`,
    ],
  ])('lists cases by %o on the index written for it', (filter, indexName, pkAttr, skAttr, pkValue) => {
    // Prepare
    const stored = recordItem(
      'cases',
      aRecord({ subject: 's', status: 'open', ownerId: 'u-1', accountId: ACCOUNT_ID }),
    );

    // Act
    const q = listQuery('cases', filter);

    // Assess
    expect(q).toEqual({ indexName, pkAttr, skAttr, pkValue });
    expect(stored[q.pkAttr]).toBe(q.pkValue);
    // A cursor's position rebuilds the key DynamoDB would give as LastEvaluatedKey after this item.
    expect(startKeyAfter(q, positionOf(stored))).toEqual({
      PK: stored.PK,
      SK: stored.SK,
      [pkAttr]: stored[pkAttr],
      [skAttr]: stored[skAttr],
    });
  });

  it.each<[ListFilter, IndexName, string]>([
    [{ by: 'all' }, 'byCollection', 'cases'],
    [{ by: 'owner', value: 'u-1' }, 'byOwner', 'cases#OWNER#u-1'],
    [{ by: 'state', value: 'open' }, 'byState', 'cases#STATE#open'],
  ])(
    'lists cases by %o from every shard of %s, one of which holds each record',
    (filter, indexName, name) => {
      // Prepare
      const stored = recordItem('cases', aRecord({ subject: 's', status: 'open', ownerId: 'u-1' }));

      // Act
      const q = listQuery('cases', filter);

      // Assess
      expect(q.indexName).toBe(indexName);
      expect(q.pkValue).toBe(name);
      expect(q.shards).toEqual(
        Array.from({ length: LIST_SHARDS }, (_, i) => `${name}#${String(i).padStart(2, '0')}`),
      );
      expect(partitionsOf(q).map((p) => p.pkValue)).toEqual(q.shards);
      expect(q.shards?.filter((pk) => pk === stored[q.pkAttr])).toEqual([sharded(name, String(stored.id))]);
      expect(startKeyAfter(q, positionOf(stored))).toEqual({
        PK: stored.PK,
        SK: stored.SK,
        [q.pkAttr]: stored[q.pkAttr],
        [q.skAttr]: stored[q.skAttr],
      });
    },
  );

  it('shards by id deterministically and evenly', () => {
    // Prepare
    const ids = Array.from({ length: 16_000 }, () => newId());

    // Act
    const counts = new Map<number, number>();
    for (const id of ids) counts.set(collectionShard(id), (counts.get(collectionShard(id)) ?? 0) + 1);

    // Assess: every shard used, none above a tenth; the same id, the same shard
    expect(counts.size).toBe(LIST_SHARDS);
    expect(Math.max(...counts.values())).toBeLessThan(ids.length / 10);
    expect(collectionShard(ids[0]!)).toBe(collectionShard(`${ids[0]}`));
    expect(collectionShard('01J000000000000000000000AB', 4)).toBeLessThan(4);
  });

  it('reads an account’s timeline from byAccount, where its records are written', () => {
    // Prepare
    const item = recordItem('opportunities', aRecord({ accountId: ACCOUNT_ID, name: 'Deal' }));

    // Act
    const q = timelineQuery(ACCOUNT_ID);

    // Assess
    expect(q).toEqual({
      indexName: 'byAccount',
      pkAttr: 'GSI5PK',
      skAttr: 'GSI5SK',
      pkValue: `TIMELINE#${ACCOUNT_ID}`,
    });
    expect(item[q.pkAttr]).toBe(q.pkValue);
  });

  it.each<[string, CollectionName]>([
    ['a record of the timeline', 'opportunities'],
    ['the account that heads it', 'accounts'],
  ])('rebuilds the timeline key after %s from its position alone', (_, collection) => {
    // Prepare
    const record = aRecord({ accountId: ACCOUNT_ID, name: 'Deal' });
    const item = recordItem(collection, collection === 'accounts' ? { ...record, id: ACCOUNT_ID } : record);
    const q = timelineQuery(ACCOUNT_ID);

    // Act
    const key = startKeyAfter(q, positionOf(item));

    // Assess
    expect(key).toEqual({ PK: item.PK, SK: item.SK, GSI5PK: item.GSI5PK, GSI5SK: item.GSI5SK });
  });
});

describe('TABLE_DEFINITION', () => {
  it('uses every attribute name once across table key, index keys and TTL', () => {
    // Prepare
    const names = [
      TABLE_DEFINITION.partitionKey,
      TABLE_DEFINITION.sortKey,
      TABLE_DEFINITION.ttlAttribute,
      ...Object.values(TABLE_DEFINITION.indexes).flatMap((i) => [i.pk, i.sk]),
    ];

    // Act
    const unique = new Set(names);

    // Assess
    expect(unique.size).toBe(names.length);
  });

  it('names the six indexes after the access patterns and streams both images', () => {
    // Act
    const indexNames = Object.keys(TABLE_DEFINITION.indexes);

    // Assess
    expect(indexNames.sort()).toEqual(
      ['byAccount', 'byAccountCollection', 'byCollection', 'byNaturalKey', 'byOwner', 'byState'].sort(),
    );
    expect(TABLE_DEFINITION.streamView).toBe('NEW_AND_OLD_IMAGES');
  });
});
