import { ALL_GROUPS, type Department, isDepartment, ROLE_GROUPS } from '../config/departments.js';
import {
  type CollectionName,
  hasRecordRoute,
  mapCollections,
  type RecordMeta,
} from '../domain/collections.js';
import type { Caller } from './caller.js';
import { MATRIX } from './matrix.js';
import { cellOf, type RoleCell, type WriteScope } from './role-cells.js';

export type { WriteScope } from './role-cells.js';

/**
 * Every access decision of the API: pure functions over (caller, action, record), reading the role
 * cells in force (role-cells.ts: the code's matrix, and what admins changed). Handlers ask these;
 * none of them reads a group name.
 */
type Who = Pick<Caller, 'department' | 'isManager' | 'isAdmin'>;
export type WriteAction = 'update' | 'delete';

const RANK: Record<WriteScope, number> = { none: 0, own: 1, department: 2, all: 3 };
const widest = (a: WriteScope, b: WriteScope): WriteScope => (RANK[a] >= RANK[b] ? a : b);
const both = (a: readonly string[], b: readonly string[]) => a.filter((f) => b.includes(f));

/** A manager's department cell: the managers' cell adds reads, and scope where the department writes at all. */
function asManager(dept: RoleCell, managers: RoleCell): RoleCell {
  const raise = (s: WriteScope, m: WriteScope) => (s === 'none' ? 'none' : widest(s, m));
  return {
    read: dept.read || managers.read,
    create: dept.create || managers.create,
    update: raise(dept.update, managers.update),
    delete: raise(dept.delete, managers.delete),
    hiddenFields: both(dept.hiddenFields, managers.hiddenFields),
  };
}

/** The caller's rights in a collection: the cells of their groups, combined (the widest right wins). */
function rightsOf(who: Who, collection: CollectionName): RoleCell {
  const parts: RoleCell[] = [];
  if (who.department) {
    const dept = cellOf(who.department, collection);
    parts.push(who.isManager ? asManager(dept, cellOf(ROLE_GROUPS.managers, collection)) : dept);
  }
  if (who.isAdmin) parts.push(cellOf(ROLE_GROUPS.admins, collection));
  const readers = parts.filter((p) => p.read);
  // What a non-reader would be shown matters too: the bus and the feeds show every department a record.
  const shown = readers.length ? readers : parts;
  return {
    read: readers.length > 0,
    create: parts.some((p) => p.create),
    update: parts.reduce<WriteScope>((s, p) => widest(s, p.update), 'none'),
    delete: parts.reduce<WriteScope>((s, p) => widest(s, p.delete), 'none'),
    hiddenFields: shown.reduce<string[]>((h, p) => both(h, p.hiddenFields), shown[0]?.hiddenFields ?? []),
  };
}

export function canRead(caller: Caller, collection: CollectionName): boolean {
  return rightsOf(caller, collection).read;
}

/** How far the caller's update (or delete) reaches in a collection: own records, the department's, or all. */
export function writeScope(
  caller: Caller,
  collection: CollectionName,
  action: WriteAction = 'update',
): WriteScope {
  return rightsOf(caller, collection)[action];
}

export function canCreate(caller: Caller, collection: CollectionName): boolean {
  return rightsOf(caller, collection).create;
}

/** The department that owns what this caller creates. */
export function ownerDeptFor(caller: Caller, collection: CollectionName): Department {
  return caller.department && cellOf(caller.department, collection).create
    ? caller.department
    : MATRIX[collection].homeDept;
}

/**
 * What a stored record must hold for this caller to change it, as data: one server field's value (its
 * owner, or its department), or nothing (`field: null`, admins). The repository turns it into the
 * write's condition and, when the write is refused, asks meetsGuard whether the guard was the reason.
 */
export type WriteGuard =
  | { readonly field: 'ownerId' | 'ownerDept'; readonly equals: string }
  | { readonly field: null };

export function writeGuard(
  caller: Caller,
  collection: CollectionName,
  action: WriteAction = 'update',
): WriteGuard | undefined {
  switch (writeScope(caller, collection, action)) {
    case 'none':
      return undefined;
    case 'own':
      return { field: 'ownerId', equals: caller.userId };
    case 'department':
      return caller.department ? { field: 'ownerDept', equals: caller.department } : undefined;
    case 'all':
      return { field: null };
  }
}

/** Whether a stored record meets the guard: the rule the write's own condition states, in code. */
export function meetsGuard(guard: WriteGuard, record: Pick<RecordMeta, 'ownerId' | 'ownerDept'>): boolean {
  return guard.field === null || record[guard.field] === guard.equals;
}

/**
 * The fields of this record hidden from this caller. A field the cells hide that a code rule also
 * hides from them (contacts' email for marketing) keeps the rule's exception (opted-in contacts show
 * it); a field only an admin's change hides is hidden on every record. The code's rules only ever
 * show more on a record than on an empty one, so the defaults decide exactly as the rules alone.
 */
function hiddenFor(who: Who, collection: CollectionName, record: Record<string, unknown>): string[] {
  return rightsOf(who, collection).hiddenFields.filter((field) => {
    const rule = MATRIX[collection].hiddenFields?.find((h) => h.field === field);
    return rule && !rule.visibleTo(who, {}) ? !rule.visibleTo(who, record) : true;
  });
}

/** The record as this caller may see it: hidden fields left out. */
export function redact<T extends Record<string, unknown>>(
  caller: Caller,
  collection: CollectionName,
  record: T,
): T {
  const out = { ...record };
  for (const field of hiddenFor(caller, collection, record)) delete out[field];
  return out;
}

export interface CollectionPermissions {
  read: boolean;
  create: boolean;
  update: WriteScope;
  delete: WriteScope;
  hiddenFields: string[];
}

/** The resolved matrix for one caller, as `GET /v1/me` shows it. */
export function permissionsOf(caller: Caller): Record<CollectionName, CollectionPermissions> {
  return mapCollections((c) => {
    const rights = rightsOf(caller, c);
    // Comments are edited by their author and deleted by their author or an admin (collaboration.ts).
    if (c === 'comments')
      return {
        read: rights.read,
        create: rights.create,
        update: rights.create ? 'own' : 'none',
        delete: rights.create ? (caller.isAdmin ? 'all' : 'own') : 'none',
        hiddenFields: [],
      };
    // A collection without PATCH or DELETE (handoffs move by their actions) is changed by no one.
    return {
      read: rights.read,
      create: rights.create,
      update: hasRecordRoute(c, 'patch') ? rights.update : 'none',
      delete: hasRecordRoute(c, 'delete') ? rights.delete : 'none',
      // Hidden on some or all records of the collection (an empty record shows the least).
      hiddenFields: rights.read ? hiddenFor(caller, c, {}) : [],
    };
  });
}

/**
 * A record as every member of the given departments may see it: what goes on the bus, where any
 * department's rule may deliver it.
 */
export function redactForDepartments<T extends Record<string, unknown>>(
  collection: CollectionName,
  record: T,
  departments: readonly Department[],
): T {
  const out = { ...record };
  for (const field of hiddenFromDepartments(collection, record, departments)) delete out[field];
  return out;
}

/** The fields of this record that some member of the given departments may not see. */
export function hiddenFromDepartments(
  collection: CollectionName,
  record: Record<string, unknown>,
  departments: readonly Department[],
): string[] {
  const hidden = new Set(
    departments.flatMap((department) =>
      hiddenFor({ department, isManager: false, isAdmin: false }, collection, record),
    ),
  );
  return [...hidden];
}

/** Lead conversion hands a lead to sales: it creates accounts, contacts and opportunities. */
export function canConvertLead(caller: Caller): boolean {
  return (
    canRead(caller, 'leads') &&
    (['accounts', 'contacts', 'opportunities'] as const).every((c) => canCreate(caller, c))
  );
}

/** Users, roles and integration settings are the admins' alone. */
export function canAdminister(caller: Caller): boolean {
  return caller.isAdmin;
}

/** The group of the admins: the pool is asked for its enabled members before an admin steps down. */
export const ADMIN_GROUP = ROLE_GROUPS.admins;

/**
 * The last enabled admin may not take away their own admin role or disable themselves (a pool with no
 * admin could only be repaired in the AWS console). `keepsAdmin`: whether the target is still an
 * enabled admin after the change.
 */
export function leavesNoAdmin(
  caller: Caller,
  change: { targetUserId: string; keepsAdmin: boolean; enabledAdminIds: readonly string[] },
): boolean {
  if (!caller.isAdmin || change.targetUserId !== caller.userId || change.keepsAdmin) return false;
  return change.enabledAdminIds.every((id) => id === caller.userId);
}

/** Whether a list of groups makes its user an admin. */
export const includesAdmin = (groups: readonly string[]): boolean => groups.includes(ROLE_GROUPS.admins);

/**
 * A group assignment is valid when every group is known and the user keeps exactly one department
 * group (admins may have none). Returns the problems, empty when valid.
 */
export function groupAssignmentProblems(groups: readonly string[]): string[] {
  const problems: string[] = [];
  const unknown = groups.filter((g) => !ALL_GROUPS.includes(g));
  if (unknown.length) problems.push(`unknown group(s): ${unknown.join(', ')}`);
  if (new Set(groups).size !== groups.length) problems.push('a group is listed twice');
  const departments = groups.filter(isDepartment);
  const admin = groups.includes(ROLE_GROUPS.admins);
  if (departments.length > 1) problems.push('a user belongs to one department group at most');
  if (departments.length === 0 && !admin)
    problems.push('a user who is not an admin needs one department group');
  if (groups.includes(ROLE_GROUPS.managers) && departments.length === 0)
    problems.push('a manager needs a department');
  return problems;
}

/** A user a record may be handed to (`ownerId`), as the user directory knows them. */
export interface OwnerCandidate {
  userId: string;
  department?: Department;
}

/** The one department a user's groups name; none for a user without one or (invalid) with several. */
export function departmentOfGroups(groups: readonly string[]): Department | undefined {
  const departments = groups.filter(isDepartment);
  return departments.length === 1 ? departments[0] : undefined;
}

/** Whether the caller may hand records of the collection to anyone but themselves (else no lookup is needed). */
export function canAssignToOthers(caller: Caller, collection: CollectionName): boolean {
  const scope = writeScope(caller, collection);
  return scope === 'department' || scope === 'all';
}

/**
 * Who may own what the caller creates or changes, as Salesforce's "transfer record" does it: within
 * the caller's write scope. Members keep what they make (they may not give a record away); managers
 * hand records to users of their own department; admins to anyone. The target must exist: the use
 * case asks the user directory, the policy decides on what it returns.
 */
export function canAssignOwner(caller: Caller, collection: CollectionName, target: OwnerCandidate): boolean {
  const scope = writeScope(caller, collection);
  if (target.userId === caller.userId) return scope !== 'none' || canCreate(caller, collection);
  if (scope === 'none') return false;
  if (scope === 'all') return true;
  return scope === 'department' && target.department !== undefined && target.department === caller.department;
}

// ── The change feed and the audit trail ─────────────────────────────────────────────────────────

/** Whether every member of the department may read the collection: what its change feed carries. */
export function departmentReads(department: Department, collection: CollectionName): boolean {
  return cellOf(department, collection).read;
}

/** The change feed a caller reads: every change (admins), or what their department may read. */
export type ChangeFeedAudience = { all: true } | { all: false; department: Department };

export function changeFeedOf(caller: Caller): ChangeFeedAudience | undefined {
  if (caller.isAdmin) return { all: true };
  return caller.department ? { all: false, department: caller.department } : undefined;
}

/** Audit trails are for managers (of the record's own department) and admins; members never see one. */
export function mayReadAuditTrails(caller: Caller): boolean {
  return caller.isAdmin || (caller.isManager && caller.department !== undefined);
}

/** Whether the caller may read the audit trail of a record that this department owns. */
export function canReadAuditTrail(caller: Caller, ownerDept: string): boolean {
  return caller.isAdmin || (caller.isManager && caller.department === ownerDept);
}
