import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { COLLECTION_NAMES, type CollectionName } from '../../shared/domain/collections.js';
import type { Caller } from '../../shared/policy/caller.js';
import {
  canAssignOwner,
  canAssignToOthers,
  canCreate,
  canRead,
  departmentOfGroups,
  meetsGuard,
  permissionsOf,
  redact,
  redactForDepartments,
  type WriteScope,
  writeGuard,
  writeScope,
} from '../../shared/policy/policy.js';
import { admin, aRecord, manager, member, roleless } from './fixtures.js';

const ROLES = {
  'sales member': member('sales'),
  'marketing member': member('marketing'),
  'support member': member('support'),
  'sales manager': manager('sales'),
  'marketing manager': manager('marketing'),
  'support manager': manager('support'),
  admin: admin(),
  roleless: roleless(),
} satisfies Record<string, Caller>;
type Role = keyof typeof ROLES;

type Cell = [read: boolean, write: WriteScope];
const R_OWN: Cell = [true, 'own'];
const R_DEPT: Cell = [true, 'department'];
const R_ALL: Cell = [true, 'all'];
const R_NONE: Cell = [true, 'none'];
const NONE: Cell = [false, 'none'];

/**
 * docs/api.md "Permissions", written out: read — all departments read accounts, contacts, activities; leads: marketing,
 * sales; opportunities: sales, managers of any department read-only; cases: support, sales read-only.
 * write — marketing: leads; sales: opportunities, accounts, contacts; support: cases; all: activities;
 * members their own records, managers their department's, admins everything; no role: nothing.
 * handoffs — every department requests them (who reads and moves one is per record: handoffs.test.ts).
 * comments — every department comments (who reads, edits and deletes one is per record: collaboration.test.ts).
 */
const EXPECTED: Record<Role, Record<CollectionName, Cell>> = {
  'sales member': {
    accounts: R_OWN,
    contacts: R_OWN,
    leads: R_NONE,
    opportunities: R_OWN,
    cases: R_NONE,
    activities: R_OWN,
    handoffs: R_OWN,
    comments: R_OWN,
  },
  'marketing member': {
    accounts: R_NONE,
    contacts: R_NONE,
    leads: R_OWN,
    opportunities: NONE,
    cases: NONE,
    activities: R_OWN,
    handoffs: R_OWN,
    comments: R_OWN,
  },
  'support member': {
    accounts: R_NONE,
    contacts: R_NONE,
    leads: NONE,
    opportunities: NONE,
    cases: R_OWN,
    activities: R_OWN,
    handoffs: R_OWN,
    comments: R_OWN,
  },
  'sales manager': {
    accounts: R_DEPT,
    contacts: R_DEPT,
    leads: R_NONE,
    opportunities: R_DEPT,
    cases: R_NONE,
    activities: R_DEPT,
    handoffs: R_DEPT,
    comments: R_DEPT,
  },
  'marketing manager': {
    accounts: R_NONE,
    contacts: R_NONE,
    leads: R_DEPT,
    opportunities: R_NONE,
    cases: NONE,
    activities: R_DEPT,
    handoffs: R_DEPT,
    comments: R_DEPT,
  },
  'support manager': {
    accounts: R_NONE,
    contacts: R_NONE,
    leads: NONE,
    opportunities: R_NONE,
    cases: R_DEPT,
    activities: R_DEPT,
    handoffs: R_DEPT,
    comments: R_DEPT,
  },
  admin: {
    accounts: R_ALL,
    contacts: R_ALL,
    leads: R_ALL,
    opportunities: R_ALL,
    cases: R_ALL,
    activities: R_ALL,
    handoffs: R_ALL,
    comments: R_ALL,
  },
  roleless: {
    accounts: NONE,
    contacts: NONE,
    leads: NONE,
    opportunities: NONE,
    cases: NONE,
    activities: NONE,
    handoffs: NONE,
    comments: NONE,
  },
};

const MATRIX_CASES = (Object.keys(EXPECTED) as Role[]).flatMap((role) =>
  COLLECTION_NAMES.map((c): [Role, CollectionName, boolean, WriteScope] => [role, c, ...EXPECTED[role][c]]),
);

describe('the RBAC matrix of docs/api.md "Permissions"', () => {
  it.each(MATRIX_CASES)('%s on %s: read %s, write %s', (role, collection, read, scope) => {
    // Prepare
    const caller = ROLES[role];

    // Act
    const actual = { read: canRead(caller, collection), scope: writeScope(caller, collection) };

    // Assess
    expect(actual).toEqual({ read, scope });
    expect(canCreate(caller, collection)).toBe(scope !== 'none');
  });
});

/** The write guard (what the write's condition requires) and meetsGuard (what tells a denied write apart). */
describe('writeGuard + meetsGuard', () => {
  const opportunity = (ownerId: string) => aRecord({ ownerId, ownerDept: 'sales', name: 'Deal' });
  const activity = (ownerId: string, ownerDept: string) => aRecord({ ownerId, ownerDept, subject: 's' });

  it.each<[string, boolean, Caller, CollectionName, ReturnType<typeof aRecord>]>([
    ['a member, their own record', true, member('sales', 's1'), 'opportunities', opportunity('s1')],
    [
      'a member, a colleague’s record of the same department',
      false,
      member('sales', 's1'),
      'opportunities',
      opportunity('s2'),
    ],
    [
      'a member, a record of a collection they cannot write',
      false,
      member('marketing', 'm1'),
      'opportunities',
      opportunity('m1'),
    ],
    ['a member, their own activity', true, member('support', 'p1'), 'activities', activity('p1', 'support')],
    [
      'a member, another department’s activity',
      false,
      member('support', 'p1'),
      'activities',
      activity('s1', 'sales'),
    ],
    ['a manager, a colleague’s record', true, manager('sales', 'sm'), 'opportunities', opportunity('s2')],
    [
      'a manager, their department’s activity',
      true,
      manager('sales', 'sm'),
      'activities',
      activity('s2', 'sales'),
    ],
    [
      'a manager, another department’s activity',
      false,
      manager('sales', 'sm'),
      'activities',
      activity('m1', 'marketing'),
    ],
    [
      'a manager, a collection of another department',
      false,
      manager('marketing', 'mm'),
      'opportunities',
      opportunity('mm'),
    ],
    ['an admin, anyone’s record', true, admin(), 'cases', aRecord({ ownerId: 'p9', ownerDept: 'support' })],
    ['no role, a record they “own”', false, roleless('r1'), 'activities', activity('r1', 'sales')],
  ])('%s → %s', (_, expected, caller, collection, record) => {
    // Act
    const guard = writeGuard(caller, collection);
    const allowed = guard !== undefined && meetsGuard(guard, record);

    // Assess
    expect(allowed).toBe(expected);
  });
});

describe('redact', () => {
  const deal = aRecord({ name: 'Deal', amount: '1200.50', currency: 'EUR', stage: 'proposal' });

  it.each<[string, Caller, boolean]>([
    ['a sales member', member('sales'), true],
    ['a marketing member', member('marketing'), false],
    ['a support member', member('support'), false],
    ['a sales manager', manager('sales'), true],
    ['a marketing manager', manager('marketing'), true],
    ['a support manager', manager('support'), true],
    ['an admin', admin(), true],
  ])('opportunity amount for %s: shown = %s', (_, caller, shown) => {
    // Act
    const out = redact(caller, 'opportunities', deal);

    // Assess
    expect('amount' in out).toBe(shown);
    expect(out.name).toBe('Deal');
    expect(out.currency).toBe('EUR');
  });

  it.each<[string, Caller, unknown, boolean]>([
    ['a marketing member, opted out', member('marketing'), false, false],
    ['a marketing member, opt-in missing', member('marketing'), undefined, false],
    ['a marketing member, opt-in as the string "true"', member('marketing'), 'true', false],
    ['a marketing member, opted in', member('marketing'), true, true],
    ['a marketing manager, opted out', manager('marketing'), false, false],
    ['a marketing manager, opted in', manager('marketing'), true, true],
    ['a sales member, opted out', member('sales'), false, true],
    ['a support member, opted out', member('support'), false, true],
    ['an admin, opted out', admin(), false, true],
  ])('contact email/phone for %s: shown = %s', (_, caller, optIn, shown) => {
    // Prepare
    const contact = aRecord({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      phone: '+44 20 1234',
      ...(optIn === undefined ? {} : { marketingOptIn: optIn }),
    });

    // Act
    const out = redact(caller, 'contacts', contact);

    // Assess
    expect({ email: 'email' in out, phone: 'phone' in out }).toEqual({ email: shown, phone: shown });
    expect(out.lastName).toBe('Lovelace');
  });

  it('leaves the stored record untouched', () => {
    // Prepare
    const copy = structuredClone(deal);

    // Act
    redact(member('marketing'), 'opportunities', deal);

    // Assess
    expect(deal).toEqual(copy);
  });

  it('hides nothing in collections without hidden fields', () => {
    // Prepare
    const account = aRecord({ name: 'Acme', domain: 'acme.com' });

    // Act
    const out = redact(member('support'), 'accounts', account);

    // Assess
    expect(out).toEqual(account);
  });
});

describe('permissionsOf', () => {
  it.each(Object.keys(ROLES) as Role[])('resolves the matrix for %s', (role) => {
    // Prepare
    const caller = ROLES[role];

    // Act
    const permissions = permissionsOf(caller);

    // Assess
    expect(Object.keys(permissions).sort()).toEqual([...COLLECTION_NAMES].sort());
    for (const c of COLLECTION_NAMES) {
      const [read, scope] = EXPECTED[role][c];
      // Handoffs have no PATCH or DELETE: they move by their actions only. A comment is edited by its
      // author only, and deleted by its author or an admin.
      const changes = c === 'handoffs' ? 'none' : scope;
      const isComment = c === 'comments' && scope !== 'none';
      expect({ collection: c, ...permissions[c], hiddenFields: undefined }).toEqual({
        collection: c,
        read,
        create: scope !== 'none',
        update: isComment ? 'own' : changes,
        delete: isComment ? (caller.isAdmin ? 'all' : 'own') : changes,
        hiddenFields: undefined,
      });
    }
  });

  it.each<[string, Caller, CollectionName, string[]]>([
    ['a sales member', member('sales'), 'opportunities', []],
    ['a sales member', member('sales'), 'contacts', []],
    ['a marketing member', member('marketing'), 'contacts', ['email', 'phone']],
    ['a marketing member (cannot read at all)', member('marketing'), 'opportunities', []],
    ['a marketing manager', manager('marketing'), 'opportunities', []],
    ['a support member', member('support'), 'contacts', []],
    ['an admin', admin(), 'contacts', []],
  ])('lists the fields %s does not see in %s', (_, caller, collection, hidden) => {
    // Act
    const permissions = permissionsOf(caller);

    // Assess
    expect(permissions[collection].hiddenFields).toEqual(hidden);
  });
});

describe('redactForDepartments', () => {
  it('hides the opportunity amount from the bus when any department may not see it', () => {
    // Prepare
    const deal = aRecord({ name: 'Deal', amount: '99' });

    // Act
    const forAll = redactForDepartments('opportunities', deal, DEPARTMENTS);
    const forSales = redactForDepartments('opportunities', deal, ['sales']);

    // Assess
    expect(forAll).not.toHaveProperty('amount');
    expect(forAll.name).toBe('Deal');
    expect(forSales.amount).toBe('99');
  });

  it.each<[string, unknown, readonly ('sales' | 'marketing' | 'support')[], boolean]>([
    ['every department, opted out', false, DEPARTMENTS, false],
    ['every department, opt-in missing', undefined, DEPARTMENTS, false],
    ['every department, opted in', true, DEPARTMENTS, true],
    ['sales and support, opted out', false, ['sales', 'support'], true],
  ])('contact email/phone for %s: kept = %s', (_, optIn, departments, kept) => {
    // Prepare
    const contact = aRecord({
      firstName: 'A',
      lastName: 'B',
      email: 'a@b.co',
      phone: '123456',
      ...(optIn === undefined ? {} : { marketingOptIn: optIn }),
    });

    // Act
    const out = redactForDepartments('contacts', contact, departments);

    // Assess
    expect({ email: 'email' in out, phone: 'phone' in out }).toEqual({ email: kept, phone: kept });
  });

  it('leaves records without hidden fields whole', () => {
    // Prepare
    const theCase = aRecord({ subject: 's', priority: 'urgent' });

    // Act
    const out = redactForDepartments('cases', theCase, DEPARTMENTS);

    // Assess
    expect(out).toEqual(theCase);
  });
});

/**
 * ownerId within the write scope, as Salesforce transfers records: members keep what they make,
 * managers hand records to their own department, admins to anyone; nobody outside the collection.
 */
describe('canAssignOwner', () => {
  const salesPeer = { userId: 'sales-peer', department: 'sales' as const };
  const marketer = { userId: 'marketer', department: 'marketing' as const };
  const noDept = { userId: 'an-admin' };
  it.each<[string, Caller, CollectionName, { userId: string; department?: 'sales' | 'marketing' }, boolean]>([
    ['a sales member, to themselves', member('sales'), 'accounts', { userId: 'sales-member' }, true],
    ['a sales member, to a sales peer', member('sales'), 'accounts', salesPeer, false],
    ['a sales member, to a marketer', member('sales'), 'opportunities', marketer, false],
    ['a sales manager, to themselves', manager('sales'), 'accounts', { userId: 'sales-manager' }, true],
    ['a sales manager, to a sales peer', manager('sales'), 'accounts', salesPeer, true],
    ['a sales manager, to a marketer', manager('sales'), 'accounts', marketer, false],
    ['a sales manager, to a user of no department', manager('sales'), 'contacts', noDept, false],
    [
      'a marketing manager, accounts (not theirs to write)',
      manager('marketing'),
      'accounts',
      marketer,
      false,
    ],
    ['a marketing manager, a lead to a marketer', manager('marketing'), 'leads', marketer, true],
    [
      'a marketing member, a lead to themselves',
      member('marketing'),
      'leads',
      { userId: 'marketing-member' },
      true,
    ],
    ['an admin, to a marketer', admin(), 'accounts', marketer, true],
    ['an admin, to a user of no department', admin(), 'cases', noDept, true],
    ['no role, to themselves', roleless(), 'activities', { userId: 'nobody' }, false],
  ])('%s → %s', (_, caller, collection, target, allowed) => {
    expect(canAssignOwner(caller, collection, target)).toBe(allowed);
  });

  it('asks the directory only for callers who may hand records to others (managers, admins)', () => {
    expect(canAssignToOthers(member('sales'), 'accounts')).toBe(false);
    expect(canAssignToOthers(manager('sales'), 'accounts')).toBe(true);
    expect(canAssignToOthers(manager('sales'), 'leads')).toBe(false);
    expect(canAssignToOthers(admin(), 'leads')).toBe(true);
  });

  it("reads a user's department from their groups: exactly one department group, else none", () => {
    expect(departmentOfGroups(['sales', 'managers'])).toBe('sales');
    expect(departmentOfGroups(['admins'])).toBeUndefined();
    expect(departmentOfGroups(['sales', 'support'])).toBeUndefined();
  });
});
