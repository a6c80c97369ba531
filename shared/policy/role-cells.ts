import {
  ALL_GROUPS,
  DEPARTMENTS,
  type Department,
  isDepartment,
  ROLE_GROUPS,
} from '../config/departments.js';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '../domain/collections.js';
import { MATRIX } from './matrix.js';

/**
 * The role permissions as data (docs/api.md "Role permissions"): one cell per (group, collection),
 * the code's MATRIX as the default of every cell, and the cells admins changed laid over it.
 *
 * What a cell means depends on its group:
 * - a department group (`sales`, …): what a member of that department may do;
 * - `managers`: what being a manager adds to the member's department cell: reads it grants, and the
 *   update/delete scope a manager reaches where the department may change records at all; a field
 *   stays hidden from a manager only when both cells hide it;
 * - `admins`: what an admin may do (admins always keep read: they administer every collection).
 */
export const WRITE_SCOPES = ['none', 'own', 'department', 'all'] as const;
export type WriteScope = (typeof WRITE_SCOPES)[number];

export interface RoleCell {
  read: boolean;
  create: boolean;
  update: WriteScope;
  delete: WriteScope;
  /** Fields left out for this group; a code rule that shows them on some records (opt-in) still applies. */
  hiddenFields: string[];
}

/**
 * The collections whose cells admins may change: the records of docs/api.md "Records". Comments follow
 * the record they are on and handoffs their departments: their rules are not cells.
 */
type NotConfigurable = 'handoffs' | 'comments';
export const CONFIGURABLE_COLLECTIONS = COLLECTION_NAMES.filter(
  (c): c is Exclude<CollectionName, NotConfigurable> => c !== 'handoffs' && c !== 'comments',
);
export type ConfigurableCollection = (typeof CONFIGURABLE_COLLECTIONS)[number];
export const isConfigurableCollection = (c: string): c is ConfigurableCollection =>
  (CONFIGURABLE_COLLECTIONS as readonly string[]).includes(c);

export const isRoleGroup = (g: string): boolean => ALL_GROUPS.includes(g);

const allows = (list: readonly Department[] | 'all', dept: Department) =>
  list === 'all' || list.includes(dept);

/** The fields the code's rules hide from this kind of caller on a record that shows nothing. */
function codeHidden(
  collection: CollectionName,
  who: { department?: Department; isManager: boolean; isAdmin: boolean },
): string[] {
  return (MATRIX[collection].hiddenFields ?? []).filter((h) => !h.visibleTo(who, {})).map((h) => h.field);
}

/** The cell the code's MATRIX gives a group, before any admin's change. */
export function defaultCell(group: string, collection: CollectionName): RoleCell {
  const rules = MATRIX[collection];
  if (group === ROLE_GROUPS.admins)
    return { read: true, create: true, update: 'all', delete: 'all', hiddenFields: [] };
  if (group === ROLE_GROUPS.managers) {
    // Hidden from a manager when hidden from the managers of some department (both cells must hide it).
    const hidden = new Set(
      DEPARTMENTS.flatMap((department) =>
        codeHidden(collection, { department, isManager: true, isAdmin: false }),
      ),
    );
    return {
      read: rules.managersRead === true,
      create: false,
      update: 'department',
      delete: 'department',
      hiddenFields: [...hidden],
    };
  }
  if (!isDepartment(group))
    return { read: false, create: false, update: 'none', delete: 'none', hiddenFields: [] };
  const writes = allows(rules.write, group);
  return {
    read: allows(rules.read, group),
    create: writes,
    update: writes ? 'own' : 'none',
    delete: writes ? 'own' : 'none',
    hiddenFields: codeHidden(collection, { department: group, isManager: false, isAdmin: false }),
  };
}

/**
 * The fields a cell may hide: the collection's own fields, never the server's (id, version, …) nor
 * `ownerId`, which every write rule and list filter reads: hiding it would hide who may change a record.
 */
export const hideableFields = (collection: CollectionName): string[] =>
  Object.keys(COLLECTIONS[collection].fields).filter((f) => f !== 'ownerId');

/**
 * Why a cell may not be stored, empty when it may: rights that need read, unknown fields, and admins
 * who would lose read (they administer every collection: privacy requests, imports, the audit).
 */
export function cellProblems(group: string, collection: CollectionName, cell: RoleCell): string[] {
  const problems: string[] = [];
  // The managers' cell raises a department's rights; the department's own cell grants the read.
  const adds = group === ROLE_GROUPS.managers;
  if (!adds && !cell.read && (cell.create || cell.update !== 'none' || cell.delete !== 'none'))
    problems.push('a role that creates, updates or deletes records must also read them');
  const unknown = cell.hiddenFields.filter((f) => !hideableFields(collection).includes(f));
  if (unknown.length) problems.push(`hiddenFields names no field of ${collection}: ${unknown.join(', ')}`);
  if (new Set(cell.hiddenFields).size !== cell.hiddenFields.length)
    problems.push('a hidden field is listed twice');
  if (group === ROLE_GROUPS.admins && !cell.read) problems.push('admins keep read on every collection');
  return problems;
}

const cellKey = (group: string, collection: string) => `${group}/${collection}`;

/**
 * The cells in force in this container: the defaults, and the stored cells as last read. Set by the
 * refresher (shared/domain/role-permissions.ts); every decision of policy.ts reads it synchronously.
 */
let stored = new Map<string, RoleCell>();
let storedVersion = 0;

export function useStoredCells(
  version: number,
  cells: readonly ({ group: string; collection: string } & RoleCell)[],
) {
  stored = new Map(cells.map((c) => [cellKey(c.group, c.collection), pickCell(c)]));
  storedVersion = version;
}

/** The version of the stored cells this container applies (0: none read yet, the code's matrix). */
export const versionInForce = (): number => storedVersion;

export const pickCell = (c: RoleCell): RoleCell => ({
  read: c.read,
  create: c.create,
  update: c.update,
  delete: c.delete,
  hiddenFields: [...c.hiddenFields],
});

export function cellOf(group: string, collection: CollectionName): RoleCell {
  return stored.get(cellKey(group, collection)) ?? defaultCell(group, collection);
}

/** Whether an admin changed this cell (and what the code would give otherwise, for GET /v1/admin/roles). */
export const isChanged = (group: string, collection: CollectionName): boolean =>
  stored.has(cellKey(group, collection));

/**
 * How a function brings the cells up to date (shared/domain/role-permissions.ts registers it when
 * loaded). Registered rather than imported here, so that a function that decides no access (health,
 * docs) bundles no database client.
 */
let refresher: (() => Promise<void>) | undefined;

export function useRefresher(refresh: () => Promise<void>): void {
  refresher = refresh;
}

export const hasRefresher = (): boolean => refresher !== undefined;

export async function refreshCells(): Promise<void> {
  if (!refresher) throw new Error('role permissions are read by this function, but no refresher was loaded');
  await refresher();
}
