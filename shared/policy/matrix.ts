import { DEPARTMENTS, type Department } from '../config/departments.js';
import type { CollectionName } from '../domain/collections.js';

/**
 * The permission matrix of docs/api.md "Permissions", the one table every decision reads.
 * `read`/`write` list departments; `managersRead` lets managers of any department read.
 * `homeDept` owns records that an admin without a department creates.
 */
export interface CollectionRules {
  read: readonly Department[] | 'all';
  write: readonly Department[] | 'all';
  managersRead?: boolean;
  homeDept: Department;
  /** Fields hidden from a caller unless `visible` says otherwise. */
  hiddenFields?: readonly HiddenField[];
}

export interface HiddenField {
  field: string;
  /** Whether this caller may see the field on this record. */
  visibleTo: (
    who: { department?: Department; isManager: boolean; isAdmin: boolean },
    record: Record<string, unknown>,
  ) => boolean;
}

export const MATRIX: Record<CollectionName, CollectionRules> = {
  accounts: { read: 'all', write: ['sales'], homeDept: 'sales' },
  contacts: {
    read: 'all',
    write: ['sales'],
    homeDept: 'sales',
    hiddenFields: ['email', 'phone'].map((field) => ({
      field,
      visibleTo: (who, record) =>
        who.isAdmin || who.department !== 'marketing' || record.marketingOptIn === true,
    })),
  },
  leads: { read: ['marketing', 'sales'], write: ['marketing'], homeDept: 'marketing' },
  opportunities: {
    read: ['sales'],
    write: ['sales'],
    managersRead: true,
    homeDept: 'sales',
    hiddenFields: [
      { field: 'amount', visibleTo: (who) => who.isAdmin || who.isManager || who.department === 'sales' },
    ],
  },
  cases: { read: ['support', 'sales'], write: ['support'], homeDept: 'support' },
  activities: { read: 'all', write: 'all', homeDept: DEPARTMENTS[0] },
  // Any department may request a handoff; who reads and moves one is decided per record (handoffs.ts).
  handoffs: { read: 'all', write: 'all', homeDept: DEPARTMENTS[0] },
  // Every department comments; who reads a comment follows the record it is on (collaboration.ts).
  comments: { read: 'all', write: 'all', homeDept: DEPARTMENTS[0] },
};
