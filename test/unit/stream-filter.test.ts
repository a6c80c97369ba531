import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { passesFilters } from '../../infra/local/stream-batches.js';
import { toLambdaRecord } from '../../infra/local/stream-poller.js';
import { RECORD_CHANGES_FILTER, STREAM_CONSUMERS } from '../../shared/config/streams.js';
import {
  deletionChange,
  type Item,
  idempotencyKey,
  recordItem,
  roleCellItem,
  roleLockItem,
  rolesVersionKey,
  ttlAttributes,
} from '../../shared/db/keys.js';
import { type StreamChange, toChangeEvent } from '../../shared/events/change-events.js';
import { validatePattern } from '../../shared/events/pattern.js';
import { roleChangeEvent } from '../../shared/events/role-events.js';
import { applyChange, aRecord } from './fixtures.js';

/**
 * publish-changes' filter criteria (shared/config/streams.ts), matched as the local poller matches them:
 * on the record as Lambda hands it over (images in DynamoDB JSON), after toLambdaRecord.
 */

const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/concord-crm/stream/2026-01-01T00:00:00.000';
const filters = STREAM_CONSUMERS['publish-changes'].filters;
const TTL_PRINCIPAL = { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' };

/** A record as GetRecords returns it (the SDK's shape), for the images given. */
function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: Item; new?: Item },
  userIdentity?: StreamRecord['userIdentity'],
): StreamRecord {
  const image = images.new ?? images.old ?? {};
  return {
    eventID: 'ev-1',
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-01-15T12:00:00Z'),
      Keys: marshall({ PK: image.PK, SK: image.SK }),
      NewImage: images.new && marshall(images.new, { removeUndefinedValues: true }),
      OldImage: images.old && marshall(images.old, { removeUndefinedValues: true }),
      SequenceNumber: '000000000000000000042',
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...(userIdentity ? { userIdentity } : {}),
  };
}

const passes = (r: StreamRecord) => passesFilters(toLambdaRecord(r, STREAM_ARN, 'us-east-1'), filters);

const account = recordItem('accounts', aRecord({ name: 'Acme' }));
const deleted = applyChange(account, deletionChange('u-1', new Date('2026-01-15T11:00:00Z')));

describe('publish-changes filter criteria', () => {
  it('is a valid pattern in the shared grammar, on the collection attribute of the key module', () => {
    // Assess
    expect(filters[0]).toEqual(RECORD_CHANGES_FILTER);
    for (const filter of filters) expect(validatePattern(filter)).toEqual([]);
  });

  it('lets through the role cells admins set (role.permissions_changed), not the matrix version item', () => {
    // Prepare
    const cell = roleCellItem({ group: 'marketing', collection: 'cases', read: true, create: false });
    const version = { ...rolesVersionKey(), version: 3 };

    // Act / Assess
    expect(passes(streamRecord('INSERT', { new: cell }))).toBe(true);
    expect(passes(streamRecord('MODIFY', { old: cell, new: { ...cell, read: false } }))).toBe(true);
    expect(passes(streamRecord('MODIFY', { old: version, new: { ...version, version: 4 } }))).toBe(false);
    expect(passes(streamRecord('INSERT', { new: account }))).toBe(true);
  });

  it('lets through the creates, updates and soft deletes of records', () => {
    // Prepare
    const updated = { ...account, name: 'Acme 2', version: 2 };

    // Act / Assess
    expect(passes(streamRecord('INSERT', { new: account }))).toBe(true);
    expect(passes(streamRecord('MODIFY', { old: account, new: updated }))).toBe(true);
    expect(passes(streamRecord('MODIFY', { old: account, new: deleted }))).toBe(true);
  });

  it('leaves out items that are no records: Idempotency-Key entries and role locks', () => {
    // Prepare
    const idempotency = {
      ...idempotencyKey('u-1', 'key-1'),
      requestHash: 'h',
      response: aRecord({ name: 'Acme' }),
      ...ttlAttributes(1_800_000_000),
    };
    const lock = roleLockItem('u-1', 'owner-1', 1_800_000_000_000);

    // Act / Assess
    expect(passes(streamRecord('INSERT', { new: idempotency }))).toBe(false);
    expect(passes(streamRecord('INSERT', { new: lock }))).toBe(false);
    expect(passes(streamRecord('MODIFY', { old: lock, new: { ...lock, leaseUntil: 1 } }))).toBe(false);
    expect(passes(streamRecord('REMOVE', { old: lock }))).toBe(false);
  });

  it('leaves out TTL purges, with userIdentity (AWS) or without (DynamoDB Local)', () => {
    // Prepare
    const inAws = streamRecord('REMOVE', { old: deleted }, TTL_PRINCIPAL);
    const local = streamRecord('REMOVE', { old: deleted });

    // Act / Assess
    expect(toLambdaRecord(inAws, STREAM_ARN, 'us-east-1').userIdentity).toEqual({
      type: 'Service',
      principalId: 'dynamodb.amazonaws.com',
    });
    expect(passes(inAws)).toBe(false);
    expect(passes(local)).toBe(false);
  });

  it('leaves out exactly what the publisher would drop, and nothing it would announce', () => {
    // Prepare: the publisher's own decision on each kind of change
    const aCell = roleCellItem({ group: 'sales', collection: 'leads', read: true, updatedBy: 'u-1' });
    const cases: [StreamRecord, { old?: Item; new?: Item }][] = [
      [streamRecord('INSERT', { new: account }), { new: account }],
      [streamRecord('MODIFY', { old: account, new: deleted }), { old: account, new: deleted }],
      [streamRecord('REMOVE', { old: deleted }, TTL_PRINCIPAL), { old: deleted }],
      [streamRecord('REMOVE', { old: account }), { old: account }],
      [streamRecord('INSERT', { new: aCell }), { new: aCell }],
      [streamRecord('REMOVE', { old: aCell }), { old: aCell }],
    ];

    // Act / Assess
    for (const [record, images] of cases) {
      const change: StreamChange = {
        eventId: 'ev-1',
        kind: record.eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
        oldImage: images.old,
        newImage: images.new,
      };
      const announced = toChangeEvent(change) ?? roleChangeEvent(change);
      expect(passes(record)).toBe(announced !== undefined);
    }
  });
});
