import type { Department } from '../../shared/config/departments.js';
import { type CursorPosition, collectionOfItem, type Item } from '../../shared/db/keys.js';
import type { CrmRecord } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import type { Caller } from '../../shared/policy/caller.js';

/** Shared builders for unit tests: callers of each role and records with their server fields. */

export const member = (department: Department, userId = `${department}-member`): Caller => ({
  userId,
  username: userId,
  groups: [department],
  department,
  isManager: false,
  isAdmin: false,
});

export const manager = (department: Department, userId = `${department}-manager`): Caller => ({
  userId,
  username: userId,
  groups: [department, 'managers'],
  department,
  isManager: true,
  isAdmin: false,
});

export const admin = (userId = 'admin'): Caller => ({
  userId,
  username: userId,
  groups: ['admins'],
  isManager: false,
  isAdmin: true,
});

export const roleless = (userId = 'nobody'): Caller => ({
  userId,
  username: userId,
  groups: [],
  isManager: false,
  isAdmin: false,
});

/** A stored record: the server fields of a version-1 record plus the given fields. */
export function aRecord(fields: Record<string, unknown> = {}): CrmRecord {
  return {
    id: newId(),
    version: 1,
    createdAt: '2025-03-10T09:00:00.000Z',
    updatedAt: '2025-03-10T09:00:00.000Z',
    createdBy: 'creator',
    updatedBy: 'creator',
    ownerId: 'creator',
    ownerDept: 'sales',
    ...fields,
  };
}

/** Where a cursor resumes after a stored record item: its collection and id. */
export function positionOf(item: Item): CursorPosition {
  const collection = collectionOfItem(item);
  if (!collection || typeof item.id !== 'string') throw new Error('not a record item');
  return { collection, id: item.id };
}

/** Applies an UpdateItem-like change (SET then REMOVE) to an item, as DynamoDB would. */
export function applyChange(item: Item, change: { set: Item; remove: string[] }): Item {
  const out: Item = { ...item, ...change.set };
  for (const name of change.remove) delete out[name];
  return out;
}
