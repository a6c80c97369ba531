import { describe, expect, it } from 'vitest';
import { absent, classify, live } from '../../shared/db/conditions.js';
import {
  changeForPatch,
  collectionShard,
  DELETED_MARK,
  deletionChange,
  INDEXES,
  recordItem,
  TABLE_DEFINITION,
} from '../../shared/db/keys.js';
import { recordOf, toRecord } from '../../shared/db/stored-records.js';
import { newId } from '../../shared/domain/ids.js';
import { type WriteGuard, writeGuard } from '../../shared/policy/policy.js';
import { applyChange, aRecord, manager, member } from './fixtures.js';

const OWN: WriteGuard = { field: 'ownerId', equals: 'u-1' };
const ANY: WriteGuard = { field: null };

describe('the condition of a write, from the policy’s guard', () => {
  it('states the guard, the versions and the final states, with no attribute name inline', () => {
    // Act
    const c = live({ guard: OWN, versions: [3, 4], final: { field: 'status', states: ['converted'] } });

    // Assess
    expect(c.ConditionExpression).toBe(
      'attribute_exists(#cpk) AND attribute_not_exists(#cdeleted) AND #cguard = :cguard AND ' +
        '(attribute_not_exists(#cfinal) OR NOT (#cfinal IN (:cfinal0))) AND #cversion IN (:cversion0, :cversion1)',
    );
    expect(c.ExpressionAttributeNames).toEqual({
      '#cpk': TABLE_DEFINITION.partitionKey,
      '#cdeleted': DELETED_MARK,
      '#cguard': 'ownerId',
      '#cfinal': 'status',
      '#cversion': 'version',
    });
    expect(c.ExpressionAttributeValues).toEqual({
      ':cguard': 'u-1',
      ':cfinal0': 'converted',
      ':cversion0': 3,
      ':cversion1': 4,
    });
  });

  it('asks nothing of an admin’s record but that it is live', () => {
    expect(live({ guard: ANY }).ConditionExpression).toBe(
      'attribute_exists(#cpk) AND attribute_not_exists(#cdeleted)',
    );
    expect(absent().ConditionExpression).toBe('attribute_not_exists(#cpk)');
  });

  it('takes the guard the policy gives: a member’s owner, a manager’s department', () => {
    expect(live({ guard: writeGuard(member('sales', 's1'), 'accounts') }).ExpressionAttributeValues).toEqual({
      ':cguard': 's1',
    });
    expect(
      live({ guard: writeGuard(manager('sales'), 'accounts') }).ExpressionAttributeNames['#cguard'],
    ).toBe('ownerDept');
  });
});

describe('classify: why a conditional write was refused, told from the item it returned', () => {
  const stored = recordItem('leads', aRecord({ name: 'L', status: 'converted', ownerId: 'u-1' }));

  it.each<[string, Record<string, unknown> | undefined, WriteGuard, string]>([
    ['no item', undefined, OWN, 'absent'],
    ['a soft-deleted item', applyChange(stored, deletionChange('u-1', new Date())), OWN, 'absent'],
    ['another owner’s record', stored, { field: 'ownerId', equals: 'u-2' }, 'denied'],
    ['another department’s record', stored, { field: 'ownerDept', equals: 'marketing' }, 'denied'],
    ['the caller’s record, settled', stored, OWN, 'final'],
  ])('%s → %s', (_, item, guard, reason) => {
    const refusal = classify('leads', item, { guard, final: { field: 'status', states: ['converted'] } });
    expect(refusal.reason).toBe(reason);
  });

  it('the caller’s live record at another version is stale', () => {
    expect(classify('leads', stored, { guard: OWN, versions: [7] })).toEqual({ reason: 'stale' });
  });
});

describe('changeForPatch: a merge patch with its index keys, for PATCH and conversion alike', () => {
  it('sets and removes the fields and the index keys they feed', () => {
    // Prepare
    const id = newId();

    // Act
    const change = changeForPatch('leads', id, { status: 'converted', company: null, updatedBy: 'u-1' });

    // Assess
    expect(change.set).toEqual({
      status: 'converted',
      updatedBy: 'u-1',
      [INDEXES.byState.pk]: `leads#STATE#converted#${String(collectionShard(id)).padStart(2, '0')}`,
      [INDEXES.byState.sk]: id,
    });
    expect(change.remove).toEqual(['company']);
  });
});

describe('stored items become typed records in one place', () => {
  it('leaves keys and internal attributes out, and checks the collection', () => {
    // Prepare
    const record = aRecord({ name: 'Acme' });
    const item = recordItem('accounts', record);

    // Act + Assess
    expect(toRecord(item)).toEqual(record);
    expect(recordOf('accounts', item)).toEqual(record);
    expect(() => recordOf('cases', item)).toThrow();
    expect(() =>
      toRecord({ [TABLE_DEFINITION.partitionKey]: 'IDEMPOTENCY#u#k', requestHash: 'h' }),
    ).toThrow();
  });
});
