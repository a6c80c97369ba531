import type { Department } from '../config/departments.js';
import { type CollectionName, fieldOf, isCollection } from '../domain/collections.js';
import { type Caller, callerFromClaims, hasAnyRole } from './caller.js';
import { canReadHandoff } from './handoffs.js';
import { canCreate, canRead, departmentReads, redact, type WriteGuard } from './policy.js';

/**
 * The collaboration rules: who reads, writes, edits and deletes a comment, who may watch a record, and
 * how a notification's recipient is judged. Records that are read one by one, whatever their collection
 * (a timeline, a notification, the change feed), ask `canReadRecord`: a comment is read by whoever reads
 * the record it is on, a handoff by its two departments, anything else by the collection's rule.
 */

/** The collection of the record a comment is on, as stored (`parent.collection`). */
export function parentCollectionOf(comment: object): CollectionName | undefined {
  const parent = fieldOf(comment, 'parent');
  const collection =
    typeof parent === 'object' && parent !== null ? fieldOf(parent, 'collection') : undefined;
  return typeof collection === 'string' && isCollection(collection) ? collection : undefined;
}

/** Commenting on a record: whoever may read it (and has a role that comments: every department does). */
export function canComment(caller: Caller, collection: CollectionName): boolean {
  return canRead(caller, collection) && canCreate(caller, 'comments');
}

/** Watching a record: whoever may read it. */
export const canWatch = (caller: Caller, collection: CollectionName): boolean => canRead(caller, collection);

/** Only its author edits a comment (the words are theirs: not even a manager or an admin rewrites them). */
export const canEditComment = (caller: Caller, comment: { ownerId: string }): boolean =>
  comment.ownerId === caller.userId;

/** Its author deletes a comment, and admins delete any (moderation). */
export const canDeleteComment = (caller: Caller, comment: { ownerId: string }): boolean =>
  caller.isAdmin || comment.ownerId === caller.userId;

/** What the stored comment must hold for the write to go through: the rule above, in the write's condition. */
export function commentWriteGuard(caller: Caller, action: 'edit' | 'delete'): WriteGuard {
  return action === 'delete' && caller.isAdmin
    ? { field: null }
    : { field: 'ownerId', equals: caller.userId };
}

const text = (record: object, field: string) => String(fieldOf(record, field) ?? '');

/** Whether the caller may read this record of this collection (the per-record rules included). */
export function canReadRecord(caller: Caller, collection: CollectionName, record: object): boolean {
  if (collection === 'comments') {
    const parent = parentCollectionOf(record);
    return parent !== undefined && parent !== 'comments' && canRead(caller, parent);
  }
  if (collection === 'handoffs')
    return canReadHandoff(caller, {
      ownerId: text(record, 'ownerId'),
      ownerDept: text(record, 'ownerDept'),
      toDept: text(record, 'toDept'),
    });
  return canRead(caller, collection);
}

/** Whether every member of the department may read this record: what its change feed may carry. */
export function departmentReadsRecord(
  department: Department,
  collection: CollectionName,
  record: object,
): boolean {
  if (collection === 'comments') {
    const parent = parentCollectionOf(record);
    return parent !== undefined && parent !== 'comments' && departmentReads(department, parent);
  }
  if (collection === 'handoffs')
    return text(record, 'ownerDept') === department || text(record, 'toDept') === department;
  return departmentReads(department, collection);
}

/** A user as the user directory knows them (shared/db/user-directory.ts). */
export interface DirectoryUser {
  userId: string;
  username: string;
  groups: readonly string[];
  enabled: boolean;
}

/**
 * The Caller a user would be if they signed in now, from their directory entry: so a notification is
 * judged (and its record redacted) for its recipient, not for whoever made the change. A disabled user,
 * or one whose groups give no role, is no one to notify.
 */
export function callerOfUser(user: DirectoryUser): Caller | undefined {
  if (!user.enabled) return undefined;
  const caller = callerFromClaims({
    sub: user.userId,
    'cognito:username': user.username,
    'cognito:groups': [...user.groups],
  });
  return caller && hasAnyRole(caller) ? caller : undefined;
}

/** The record as this reader may see it, or undefined when they may not read it at all. */
export function recordAsSeenBy<T extends Record<string, unknown>>(
  caller: Caller,
  collection: CollectionName,
  record: T,
): T | undefined {
  return canReadRecord(caller, collection, record) ? redact(caller, collection, record) : undefined;
}
