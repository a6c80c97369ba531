import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  COLLECTION_ATTRIBUTE,
  EVERY_CHANGE,
  feedPartition,
  type Item,
  recordItem,
} from '../../shared/db/keys.js';
import type { CollectionName, CrmRecord } from '../../shared/domain/collections.js';
import { auditItemsOf } from '../../shared/events/audit-trail.js';
import { feedItemsOf } from '../../shared/events/change-feed.js';
import {
  handleInOrder,
  readChange,
  retryDeadline,
  STORE_RETRY,
} from '../../shared/events/stream-consumer.js';
import { aRecord } from './fixtures.js';

/** A stream record as Lambda hands it over: images in DynamoDB JSON. */
function streamRecord(seq: string, images: { old?: Item; new?: Item }): DynamoDBRecord {
  const ddb = (item?: Item) =>
    item ? (marshall(item, { removeUndefinedValues: true }) as never) : undefined;
  return {
    eventID: `ev-${seq}`,
    eventName: images.old ? 'MODIFY' : 'INSERT',
    dynamodb: { SequenceNumber: seq, OldImage: ddb(images.old), NewImage: ddb(images.new) },
  };
}

const opportunity = aRecord({
  ownerDept: 'sales',
  accountId: '01J00000000000000000000000',
  name: 'Deal',
  amount: '100.00',
  stage: 'proposal',
});
const changed: CrmRecord = {
  ...opportunity,
  amount: '250.00',
  version: 2,
  updatedAt: '2025-03-10T10:00:00.000Z',
  updatedBy: 'max',
};
const update = (collection: CollectionName = 'opportunities', seq = '1234') =>
  streamRecord(seq, { old: recordItem(collection, opportunity), new: recordItem(collection, changed) });

const seqOf = (r: DynamoDBRecord) => r.dynamodb!.SequenceNumber!;
/** What the SDK throws when DynamoDB is not listening. */
const storeDown = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

describe('handleInOrder (every item-writing stream consumer)', () => {
  it('handles every record in stream order and reports no failure when all succeed', async () => {
    // Prepare
    const records = ['1', '2', '3'].map((s) => streamRecord(s, { new: recordItem('accounts', aRecord()) }));
    const handled: string[] = [];

    // Act
    const response = await handleInOrder(records, async (r) => {
      handled.push(seqOf(r));
    });

    // Assess
    expect(handled).toEqual(['1', '2', '3']);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('stops at the first record that fails and names it, so the stream retries from there', async () => {
    // Prepare
    const records = ['1', '2', '3'].map((s) => streamRecord(s, { new: recordItem('accounts', aRecord()) }));
    const handled: string[] = [];

    // Act
    const response = await handleInOrder(records, async (r) => {
      if (seqOf(r) === '2') throw new Error('poison');
      handled.push(seqOf(r));
    });

    // Assess: 1 done; 2 reported; 3 left for the retry (writes stay in sequence order)
    expect(handled).toEqual(['1']);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  });

  it('retries a record through a store outage while the invocation has time, then goes on', async () => {
    // Prepare: the store refuses the connection twice, then answers
    const records = ['1', '2'].map((s) => streamRecord(s, { new: recordItem('accounts', aRecord()) }));
    const attempts: string[] = [];
    let refusals = 2;

    // Act
    const response = await handleInOrder(
      records,
      async (r) => {
        attempts.push(seqOf(r));
        if (seqOf(r) === '1' && refusals-- > 0) throw storeDown();
      },
      Date.now() + 30_000,
    );

    // Assess: no record dead-lettered, stream order kept
    expect(attempts).toEqual(['1', '1', '1', '2']);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('reports the record when the outage outlasts the invocation’s time, so the stream retries it', async () => {
    // Prepare
    const records = ['1', '2'].map((s) => streamRecord(s, { new: recordItem('accounts', aRecord()) }));
    let attempts = 0;

    // Act
    const response = await handleInOrder(
      records,
      async () => {
        attempts++;
        throw storeDown();
      },
      Date.now() + 400,
    );

    // Assess
    expect(attempts).toBeGreaterThan(1);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
  });

  it('does not retry a record that fails for another reason than the store', async () => {
    // Prepare
    const records = [streamRecord('1', { new: recordItem('accounts', aRecord()) })];
    let attempts = 0;

    // Act
    const response = await handleInOrder(
      records,
      async () => {
        attempts++;
        throw new Error('poison');
      },
      Date.now() + 30_000,
    );

    // Assess
    expect(attempts).toBe(1);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
  });

  it('leaves a retry budget of the function’s time less a margin for the rest of the batch', () => {
    // Act
    const budget = retryDeadline({ getRemainingTimeInMillis: () => 60_000 }) - Date.now();
    const none = retryDeadline({ getRemainingTimeInMillis: () => 1_000 }) - Date.now();

    // Assess
    expect(budget).toBeGreaterThan(60_000 - STORE_RETRY.marginMs - 1_000);
    expect(budget).toBeLessThanOrEqual(60_000 - STORE_RETRY.marginMs);
    expect(none).toBeLessThanOrEqual(0);
  });

  it('reads an image that holds no record as a failure (a poison record), not as nothing', () => {
    // Prepare
    const poison = streamRecord('9', { new: { PK: 'X', SK: 'Y', [COLLECTION_ATTRIBUTE]: 'accounts' } });

    // Act / Assess
    expect(() => readChange(poison)).toThrow();
  });
});

describe('feed items and audit entries are deterministic: a replay overwrites, never duplicates', () => {
  it.each([
    ['change feed', feedItemsOf],
    ['audit trail', auditItemsOf],
  ] as const)(
    '%s: the same stream record yields the same items, keyed by its sequence number',
    (_, itemsOf) => {
      // Act
      const first = itemsOf(readChange(update()));
      const replay = itemsOf(readChange(update()));
      const next = itemsOf(readChange(update('opportunities', '1235')));

      // Assess
      expect(first.length).toBeGreaterThan(0);
      expect(replay).toEqual(first);
      const keys = (items: Item[]) => items.map((i) => `${i.PK} ${i.SK}`);
      expect(new Set(keys(first)).size).toBe(first.length);
      for (const key of keys(next)) expect(keys(first)).not.toContain(key);
    },
  );
});

describe('the change feed per department', () => {
  const feeds = (items: Item[]) =>
    new Map(
      items.map((i) => [i.PK as string, i.entry as { record: Item; changedFields: string[]; type: string }]),
    );

  it('gives an opportunity change to the admins (everything), sales (amount shown), not to marketing or support', () => {
    // Act
    const byFeed = feeds(feedItemsOf(readChange(update())));

    // Assess
    const admins = byFeed.get(feedPartition(EVERY_CHANGE).pkValue)!;
    const sales = byFeed.get(feedPartition('sales').pkValue)!;
    expect(admins).toMatchObject({
      type: 'opportunity.updated',
      changedFields: ['amount'],
      record: { amount: '250.00' },
    });
    expect(sales).toMatchObject({ changedFields: ['amount'], record: { amount: '250.00' } });
    expect(byFeed.has(feedPartition('marketing').pkValue)).toBe(false);
    expect(byFeed.has(feedPartition('support').pkValue)).toBe(false);
  });

  it('hides a contact’s email from marketing unless the contact opted in', () => {
    // Prepare
    const contact = aRecord({
      ownerDept: 'sales',
      firstName: 'A',
      lastName: 'B',
      email: 'a@b.example',
      marketingOptIn: false,
    });

    // Act
    const byFeed = feeds(
      feedItemsOf(readChange(streamRecord('77', { new: recordItem('contacts', contact) }))),
    );

    // Assess
    expect(byFeed.get(feedPartition('marketing').pkValue)!.record).not.toHaveProperty('email');
    expect(byFeed.get(feedPartition('sales').pkValue)!.record).toHaveProperty('email', 'a@b.example');
  });
});

describe('the audit entry', () => {
  it('holds the changed fields before and after, the actor and the type', () => {
    // Act
    const [item] = auditItemsOf(readChange(update()));

    // Assess
    expect(item!.entry).toMatchObject({
      entity: 'opportunity',
      id: opportunity.id,
      actor: 'max',
      type: 'opportunity.updated',
      action: 'updated',
      changedFields: ['amount'],
      before: { amount: '100.00' },
      after: { amount: '250.00' },
      ownerDept: 'sales',
    });
  });

  it('holds the whole record on create', () => {
    // Act
    const [item] = auditItemsOf(
      readChange(streamRecord('5', { new: recordItem('opportunities', opportunity) })),
    );

    // Assess
    expect(item!.entry).toMatchObject({ action: 'created', before: null, after: opportunity });
  });
});
