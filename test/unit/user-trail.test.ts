import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type DirectoryEntry,
  derivedEntryOf,
  directoryItem,
  type Item,
  roleLockKey,
} from '../../shared/db/keys.js';
import { auditItemsOf } from '../../shared/events/audit-trail.js';
import { readChange } from '../../shared/events/stream-consumer.js';

/** The trail of roles: a directory entry's stream record as the audit consumer turns it into an entry. */
const entry = (over: Partial<DirectoryEntry> = {}): DirectoryEntry => ({
  userId: 'u-1',
  username: 'casey',
  email: 'casey@example.com',
  groups: ['support'],
  department: 'support',
  enabled: true,
  updatedAt: '2026-12-04T10:00:00.000Z',
  updatedBy: 'admin-1',
  ...over,
});

function streamRecord(seq: string, old: Item | undefined, now: Item): DynamoDBRecord {
  return {
    eventID: `ev-${seq}`,
    eventName: old ? 'MODIFY' : 'INSERT',
    dynamodb: {
      SequenceNumber: seq,
      OldImage: old && (marshall(old, { removeUndefinedValues: true }) as never),
      NewImage: marshall(now, { removeUndefinedValues: true }) as never,
    },
  };
}

const entriesOf = (record: DynamoDBRecord) =>
  auditItemsOf(readChange(record)).map((item) => derivedEntryOf(item).entry);

describe('the trail of roles', () => {
  it('records the first entry of a user as user.created, with the admin as actor', () => {
    // Act
    const [created, ...rest] = entriesOf(streamRecord('100', undefined, directoryItem(entry())));

    // Assess
    expect(rest).toEqual([]);
    expect(created).toMatchObject({
      entity: 'user',
      id: 'u-1',
      type: 'user.created',
      action: 'created',
      actor: 'admin-1',
      before: null,
      after: { username: 'casey', groups: ['support'], department: 'support', enabled: true },
    });
  });

  it('records what changed of groups, department and access, and only that', () => {
    // Prepare
    const before = directoryItem(entry());
    const after = directoryItem(
      entry({ groups: ['managers', 'sales'], department: 'sales', enabled: false }),
    );

    // Act
    const [updated] = entriesOf(streamRecord('101', before, after));

    // Assess
    expect(updated).toMatchObject({
      type: 'user.updated',
      changedFields: ['groups', 'department', 'enabled'],
      before: { groups: ['support'], department: 'support', enabled: true },
      after: { groups: ['managers', 'sales'], department: 'sales', enabled: false },
    });
  });

  it('writes nothing for a sign-in that mirrors what the directory says, nor for a role lock', () => {
    // Prepare: the same roles, newly timestamped by a sign-in (no actor); groups in another order
    const before = directoryItem(entry({ groups: ['managers', 'support'] }));
    const signIn = directoryItem(
      entry({ groups: ['support', 'managers'], updatedBy: null, updatedAt: 'later' }),
    );
    const lock = { ...roleLockKey('u-1'), userId: 'u-1', username: 'casey' };

    // Act + Assess
    expect(entriesOf(streamRecord('102', before, signIn))).toEqual([]);
    expect(entriesOf(streamRecord('103', undefined, lock))).toEqual([]);
  });

  it('keys an entry by the stream sequence: a replay overwrites it', () => {
    // Act
    const record = streamRecord('104', undefined, directoryItem(entry()));
    const [first] = auditItemsOf(readChange(record));
    const [replay] = auditItemsOf(readChange(record));

    // Assess
    expect(replay).toEqual(first);
  });
});
