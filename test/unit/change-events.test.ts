import { describe, expect, it } from 'vitest';
import {
  deletionChange,
  type Item,
  idempotencyKey,
  recordItem,
  roleLockItem,
  TABLE_DEFINITION,
  ttlAttributes,
} from '../../shared/db/keys.js';
import type { CollectionName, CrmRecord } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import { type StreamChange, toChangeEvent } from '../../shared/events/change-events.js';
import { EVENT_SOURCE } from '../../shared/events/names.js';
import { applyChange, aRecord } from './fixtures.js';

const ACCOUNT_ID = newId();
const CREATED = '2025-03-10T09:00:00.000Z';
const UPDATED = '2025-03-10T10:00:00.000Z';

/** The stream's view of a create. */
const inserted = (collection: CollectionName, record: CrmRecord, eventId = 'ev-insert'): StreamChange => ({
  eventId,
  kind: 'INSERT',
  newImage: recordItem(collection, record),
});

/** The stream's view of an update by `by`: version +1, updatedAt/updatedBy set, `fields` changed. */
function modified(
  collection: CollectionName,
  before: CrmRecord,
  fields: Record<string, unknown>,
  by = 'editor',
): { change: StreamChange; after: CrmRecord } {
  const after: CrmRecord = {
    ...before,
    ...fields,
    version: before.version + 1,
    updatedAt: UPDATED,
    updatedBy: by,
  };
  const change: StreamChange = {
    eventId: 'ev-modify',
    kind: 'MODIFY',
    oldImage: recordItem(collection, before),
    newImage: recordItem(collection, after),
  };
  return { change, after };
}

/** The stream's view of a soft delete by `by` at `at`. */
function softDeleted(collection: CollectionName, record: CrmRecord, by: string, at: Date): StreamChange {
  const live = recordItem(collection, record);
  return {
    eventId: 'ev-delete',
    kind: 'MODIFY',
    oldImage: live,
    newImage: applyChange(live, deletionChange(by, at)),
  };
}

const anOpportunity = (fields: Record<string, unknown> = {}) =>
  aRecord({
    accountId: ACCOUNT_ID,
    name: 'Renewal',
    amount: '5000',
    stage: 'prospecting',
    createdBy: 'seller',
    updatedBy: 'seller',
    ownerId: 'seller',
    ownerDept: 'sales',
    ...fields,
  });

describe('toChangeEvent: creates', () => {
  it('announces an INSERT as <entity>.created by its creator', () => {
    // Prepare
    const account = aRecord({ name: 'Acme', createdBy: 'alice', updatedBy: 'alice', ownerDept: 'sales' });

    // Act
    const event = toChangeEvent(inserted('accounts', account, 'stream-ev-1'));

    // Assess
    expect(event).toEqual({
      source: EVENT_SOURCE,
      detailType: 'account.created',
      detail: {
        specversion: 1,
        eventId: 'stream-ev-1',
        entity: 'account',
        id: account.id,
        action: 'created',
        changedFields: [],
        actor: 'alice',
        ownerDept: 'sales',
        occurredAt: account.updatedAt,
        record: account,
      },
    });
  });

  it.each<[CollectionName, string]>([
    ['contacts', 'contact.created'],
    ['leads', 'lead.created'],
    ['cases', 'case.created'],
    ['activities', 'activity.created'],
  ])('names %s after their entity: %s', (collection, detailType) => {
    // Prepare
    const record = aRecord({ subject: 's' });

    // Act
    const event = toChangeEvent(inserted(collection, record));

    // Assess
    expect(event?.detailType).toBe(detailType);
    expect(event?.detail.action).toBe('created');
  });

  it('keeps the stream eventId, so that consumers can dedupe', () => {
    // Prepare
    const record = aRecord({ name: 'Acme' });

    // Act
    const first = toChangeEvent(inserted('accounts', record, 'abc-1'));
    const replay = toChangeEvent(inserted('accounts', record, 'abc-1'));

    // Assess
    expect(first?.detail.eventId).toBe('abc-1');
    expect(replay?.detail.eventId).toBe(first?.detail.eventId);
  });
});

describe('toChangeEvent: updates', () => {
  it('announces a MODIFY as <entity>.updated by its editor, with the fields that changed', () => {
    // Prepare
    const account = aRecord({ name: 'Acme', industry: 'Retail', tags: ['a'] });
    const { change, after } = modified('accounts', account, { name: 'Acme Ltd', tags: ['a', 'b'] }, 'bob');

    // Act
    const event = toChangeEvent(change);

    // Assess
    expect(event?.detailType).toBe('account.updated');
    expect(event?.detail.action).toBe('updated');
    expect(event?.detail.actor).toBe('bob');
    expect(event?.detail.changedFields).toEqual(['name', 'tags']);
    expect(event?.detail.occurredAt).toBe(UPDATED);
    expect(event?.detail.record).toEqual(after);
  });

  it('leaves bookkeeping (version, updatedAt, updatedBy) and index keys out of changedFields', () => {
    // Prepare
    const theCase = aRecord({ accountId: ACCOUNT_ID, subject: 's', status: 'open', ownerId: 'p1' });
    const { change } = modified('cases', theCase, { status: 'pending', ownerId: 'p2' });

    // Act
    const event = toChangeEvent(change);

    // Assess
    expect(event?.detail.changedFields).toEqual(['ownerId', 'status']);
  });

  it('lists a removed field as changed', () => {
    // Prepare
    const contact = aRecord({ firstName: 'A', lastName: 'B', title: 'CTO' });
    const { change } = modified('contacts', contact, {});
    const newImage = { ...change.newImage };
    delete newImage.title;

    // Act
    const event = toChangeEvent({ ...change, newImage });

    // Assess
    expect(event?.detail.changedFields).toEqual(['title']);
  });

  it.each<[string, CollectionName, Record<string, unknown>, Record<string, unknown>, string]>([
    ['a lead moved to qualified', 'leads', { status: 'working' }, { status: 'qualified' }, 'lead.qualified'],
    ['a lead edited while qualified', 'leads', { status: 'qualified' }, { name: 'N' }, 'lead.updated'],
    [
      'a lead moved to converted',
      'leads',
      { status: 'qualified' },
      { status: 'converted' },
      'lead.converted',
    ],
    ['a lead moved to working', 'leads', { status: 'new' }, { status: 'working' }, 'lead.updated'],
    [
      'an opportunity moved to another stage',
      'opportunities',
      { stage: 'prospecting' },
      { stage: 'proposal' },
      'opportunity.stage_changed',
    ],
    ['an opportunity won', 'opportunities', { stage: 'negotiation' }, { stage: 'won' }, 'opportunity.won'],
    [
      'an opportunity lost',
      'opportunities',
      { stage: 'negotiation' },
      { stage: 'lost' },
      'opportunity.stage_changed',
    ],
    ['an opportunity renamed', 'opportunities', { stage: 'won' }, { name: 'N' }, 'opportunity.updated'],
    ['a case escalated', 'cases', { priority: 'normal' }, { priority: 'urgent' }, 'case.escalated'],
    ['a case edited while urgent', 'cases', { priority: 'urgent' }, { subject: 'N' }, 'case.updated'],
    ['a case de-escalated', 'cases', { priority: 'urgent' }, { priority: 'high' }, 'case.updated'],
  ])('names %s %s', (_, collection, start, fields, detailType) => {
    // Prepare
    const before = aRecord({ accountId: ACCOUNT_ID, name: 'X', subject: 'X', ...start });
    const { change } = modified(collection, before, fields);

    // Act
    const event = toChangeEvent(change);

    // Assess
    expect(event?.detailType).toBe(detailType);
    expect(event?.detail.action).toBe('updated');
  });
});

describe('toChangeEvent: deletes', () => {
  it('announces a soft delete as <entity>.deleted by the deleter, with the last state', () => {
    // Prepare
    const at = new Date('2025-03-11T08:00:00.000Z');
    const theCase = aRecord({ accountId: ACCOUNT_ID, subject: 's', status: 'open', ownerDept: 'support' });

    // Act
    const event = toChangeEvent(softDeleted('cases', theCase, 'deleter', at));

    // Assess
    expect(event?.detailType).toBe('case.deleted');
    expect(event?.detail).toMatchObject({
      action: 'deleted',
      actor: 'deleter',
      id: theCase.id,
      ownerDept: 'support',
      occurredAt: at.toISOString(),
      changedFields: [],
    });
    expect(event?.detail.record).toEqual(theCase);
  });

  it('is a plain .deleted even when the deleted record would match a domain event', () => {
    // Prepare
    const won = anOpportunity({ stage: 'won' });

    // Act
    const event = toChangeEvent(softDeleted('opportunities', won, 'boss', new Date(UPDATED)));

    // Assess
    expect(event?.detailType).toBe('opportunity.deleted');
  });

  it('stays silent for the TTL purge (REMOVE) of a record whose deletion was announced', () => {
    // Prepare
    const deleted = softDeleted('cases', aRecord({ subject: 's' }), 'deleter', new Date()).newImage;

    // Act
    const event = toChangeEvent({ eventId: 'ev-ttl', kind: 'REMOVE', oldImage: deleted });

    // Assess
    expect(event).toBeUndefined();
  });

  it('stays silent for a change to an item that was already deleted', () => {
    // Prepare
    const deleted = softDeleted('cases', aRecord({ subject: 's' }), 'deleter', new Date()).newImage ?? {};

    // Act
    const event = toChangeEvent({
      eventId: 'ev-again',
      kind: 'MODIFY',
      oldImage: deleted,
      newImage: { ...deleted, [TABLE_DEFINITION.ttlAttribute]: 1 },
    });

    // Assess
    expect(event).toBeUndefined();
  });
});

describe('toChangeEvent: items that are not records', () => {
  const idempotency: Item = {
    ...idempotencyKey('u-1', 'key-1'),
    response: { status: 201, body: { id: newId() } },
    ...ttlAttributes(1_900_000_000),
  };

  const roleLock = roleLockItem('user-sub-1', 'owner-1', 1_900_000_000_000);

  it.each<[string, StreamChange]>([
    ['an idempotency entry written', { eventId: 'e', kind: 'INSERT', newImage: idempotency }],
    [
      'an idempotency entry changed',
      { eventId: 'e', kind: 'MODIFY', oldImage: idempotency, newImage: idempotency },
    ],
    ['an idempotency entry expired', { eventId: 'e', kind: 'REMOVE', oldImage: idempotency }],
    ['a role lock taken', { eventId: 'e', kind: 'INSERT', newImage: roleLock }],
    [
      'a stale role lock taken over',
      { eventId: 'e', kind: 'MODIFY', oldImage: roleLock, newImage: roleLock },
    ],
    ['a role lock released', { eventId: 'e', kind: 'REMOVE', oldImage: roleLock }],
    ['an empty change', { eventId: 'e', kind: 'INSERT' }],
  ])('yields nothing for %s', (_, change) => {
    // Act
    const event = toChangeEvent(change);

    // Assess
    expect(event).toBeUndefined();
  });
});

describe('toChangeEvent: what the bus may carry', () => {
  it('strips keys and internal attributes from the record', () => {
    // Prepare
    const theCase = aRecord({ accountId: ACCOUNT_ID, subject: 's', status: 'open' });

    // Act
    const event = toChangeEvent(inserted('cases', theCase));

    // Assess
    const keys = Object.keys(event?.detail.record ?? { missing: true });
    expect(keys.filter((k) => /^(PK|SK|GSI\d+(PK|SK))$/.test(k) || k.startsWith('_'))).toEqual([]);
    expect(event?.detail.record).toEqual(theCase);
  });

  it('leaves the opportunity amount out (marketing and support hear the bus too)', () => {
    // Prepare
    const deal = anOpportunity({ stage: 'negotiation' });
    const { change } = modified('opportunities', deal, { stage: 'won', amount: '7000' });

    // Act
    const created = toChangeEvent(inserted('opportunities', deal));
    const won = toChangeEvent(change);

    // Assess
    expect(created?.detail.record).not.toHaveProperty('amount');
    expect(won?.detail.record).not.toHaveProperty('amount');
    expect(won?.detail.record.stage).toBe('won');
    expect(won?.detail.changedFields).toEqual(['stage']);
  });

  it('announces a change of the amount alone without naming it', () => {
    // Prepare
    const { change } = modified('opportunities', anOpportunity(), { amount: '9000' });

    // Act
    const event = toChangeEvent(change);

    // Assess
    expect(event?.detailType).toBe('opportunity.updated');
    expect(event?.detail.changedFields).toEqual([]);
    expect(event?.detail.record).not.toHaveProperty('amount');
  });

  it('leaves a removed amount out of changedFields too', () => {
    // Prepare
    const { change } = modified('opportunities', anOpportunity(), { name: 'Renewal 2026' });
    const newImage = { ...change.newImage };
    delete newImage.amount;

    // Act
    const event = toChangeEvent({ ...change, newImage });

    // Assess
    expect(event?.detail.changedFields).toEqual(['name']);
  });

  it.each<[string, unknown, unknown, string[]]>([
    ['opted out throughout', false, false, ['title']],
    ['opt-in unset throughout', undefined, undefined, ['title']],
    ['opting out', true, false, ['marketingOptIn', 'title']],
    // The new address is in the record now, but that it differs from the hidden old one is not.
    ['opting in', false, true, ['marketingOptIn', 'title']],
    ['opted in throughout', true, true, ['email', 'phone', 'title']],
  ])('names contact email/phone changes only when seen before and after (%s)', (_, from, to, fields) => {
    // Prepare
    const optIn = (value: unknown) => (value === undefined ? {} : { marketingOptIn: value });
    const contact = aRecord({
      firstName: 'A',
      lastName: 'B',
      email: 'a@example.com',
      phone: '+1 555 0100',
      ...optIn(from),
    });
    const { change } = modified('contacts', contact, {
      email: 'b@example.com',
      phone: '+1 555 0199',
      title: 'CTO',
      ...optIn(to),
    });

    // Act
    const event = toChangeEvent(change);

    // Assess
    expect(event?.detail.changedFields).toEqual(fields);
  });

  it('never names a changed field that the record leaves out', () => {
    // Prepare
    const contact = aRecord({ firstName: 'A', lastName: 'B', email: 'a@example.com', marketingOptIn: true });
    const changes = [
      modified('opportunities', anOpportunity(), { amount: '1', stage: 'won', name: 'N' }).change,
      modified('contacts', contact, { email: 'b@example.com', marketingOptIn: false }).change,
    ];

    for (const change of changes) {
      // Act
      const detail = toChangeEvent(change)?.detail;

      // Assess
      expect(detail?.changedFields.length).toBeGreaterThan(0);
      for (const field of detail?.changedFields ?? []) expect(detail?.record).toHaveProperty(field);
    }
  });

  it.each<[string, unknown, boolean]>([
    ['opted out', false, false],
    ['opt-in unset', undefined, false],
    ['opted in', true, true],
  ])('carries contact email/phone only when opted in (%s)', (_, optIn, carried) => {
    // Prepare
    const contact = aRecord({
      firstName: 'A',
      lastName: 'B',
      email: 'a@example.com',
      phone: '+1 555 0100',
      ...(optIn === undefined ? {} : { marketingOptIn: optIn }),
    });

    // Act
    const event = toChangeEvent(inserted('contacts', contact));

    // Assess
    expect({
      email: event?.detail.record.email !== undefined,
      phone: event?.detail.record.phone !== undefined,
    }).toEqual({ email: carried, phone: carried });
    expect(event?.detail.record.lastName).toBe('B');
  });

  it('redacts the last state of a deleted contact too', () => {
    // Prepare
    const contact = aRecord({ firstName: 'A', lastName: 'B', email: 'a@example.com', marketingOptIn: false });

    // Act
    const event = toChangeEvent(softDeleted('contacts', contact, 'x', new Date(CREATED)));

    // Assess
    expect(event?.detail.record).not.toHaveProperty('email');
  });
});
