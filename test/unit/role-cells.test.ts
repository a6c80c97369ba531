import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALL_GROUPS } from '../../shared/config/departments.js';
import { ROLE_PERMISSIONS } from '../../shared/config/role-permissions.js';
import {
  canCreate,
  canRead,
  hiddenFromDepartments,
  ownerDeptFor,
  permissionsOf,
  redact,
  writeGuard,
  writeScope,
} from '../../shared/policy/policy.js';
import {
  CONFIGURABLE_COLLECTIONS,
  cellProblems,
  defaultCell,
  type RoleCell,
  useStoredCells,
} from '../../shared/policy/role-cells.js';
import { admin, aRecord, manager, member } from './fixtures.js';

const repo = vi.hoisted(() => ({
  version: 0,
  cells: [] as Record<string, unknown>[],
  versionReads: 0,
  cellReads: 0,
}));
vi.mock('../../shared/db/role-cells-repo.js', () => ({
  readRolesVersion: async () => {
    repo.versionReads++;
    return repo.version;
  },
  readRoleCells: async () => {
    repo.cellReads++;
    return repo.cells;
  },
}));

const cell = (over: Partial<RoleCell>): RoleCell => ({
  read: true,
  create: false,
  update: 'none',
  delete: 'none',
  hiddenFields: [],
  ...over,
});

afterEach(() => useStoredCells(0, []));

describe('the default cells', () => {
  it('decide exactly as the code matrix for every group and collection', () => {
    // Assess: what each kind of caller gets from the defaults alone
    expect(defaultCell('marketing', 'opportunities')).toEqual(
      cell({ read: false, hiddenFields: ['amount'] }),
    );
    expect(defaultCell('marketing', 'contacts')).toEqual(cell({ hiddenFields: ['email', 'phone'] }));
    expect(defaultCell('sales', 'opportunities')).toEqual(
      cell({ create: true, update: 'own', delete: 'own' }),
    );
    expect(defaultCell('managers', 'opportunities')).toEqual(
      cell({ update: 'department', delete: 'department' }),
    );
    expect(defaultCell('admins', 'cases')).toEqual(cell({ create: true, update: 'all', delete: 'all' }));
    for (const group of ALL_GROUPS)
      for (const c of CONFIGURABLE_COLLECTIONS)
        expect(cellProblems(group, c, defaultCell(group, c))).toEqual([]);
  });
});

describe('a changed cell', () => {
  it('lets a department read a collection, with a field hidden on every record', () => {
    // Prepare
    useStoredCells(1, [
      { group: 'marketing', collection: 'cases', ...cell({ hiddenFields: ['description'] }) },
    ]);
    const kase = aRecord({ subject: 'S', description: 'secret' });

    // Act / Assess
    expect(canRead(member('marketing'), 'cases')).toBe(true);
    expect(redact(member('marketing'), 'cases', kase)).not.toHaveProperty('description');
    expect(redact(member('support'), 'cases', kase)).toHaveProperty('description', 'secret');
    expect(permissionsOf(member('marketing')).cases).toEqual(cell({ hiddenFields: ['description'] }));
    // The bus shows what every department may see: the description is hidden from it now.
    expect(hiddenFromDepartments('cases', kase, ['sales', 'marketing', 'support'])).toContain('description');
  });

  it('keeps the opt-in exception of a code rule while the field stays hidden, and drops it when shown', () => {
    // Prepare
    const optedIn = aRecord({ firstName: 'A', lastName: 'B', email: 'a@b.example', marketingOptIn: true });
    const optedOut = { ...optedIn, marketingOptIn: false };

    // Act / Assess: the default: shown only where the contact opted in
    expect(redact(member('marketing'), 'contacts', optedIn)).toHaveProperty('email');
    expect(redact(member('marketing'), 'contacts', optedOut)).not.toHaveProperty('email');
    useStoredCells(1, [{ group: 'marketing', collection: 'contacts', ...cell({ hiddenFields: ['phone'] }) }]);
    expect(redact(member('marketing'), 'contacts', optedOut)).toHaveProperty('email');
    useStoredCells(2, [{ group: 'sales', collection: 'contacts', ...cell({ hiddenFields: ['email'] }) }]);
    expect(redact(member('sales'), 'contacts', optedIn)).not.toHaveProperty('email');
  });

  it('separates update from delete, and raises a manager only where the department changes records', () => {
    // Prepare
    useStoredCells(1, [
      { group: 'sales', collection: 'accounts', ...cell({ create: true, update: 'own', delete: 'none' }) },
      { group: 'managers', collection: 'accounts', ...cell({ update: 'all', delete: 'all' }) },
      { group: 'managers', collection: 'leads', ...cell({ update: 'all', delete: 'all' }) },
    ]);

    // Act / Assess
    expect(writeScope(member('sales'), 'accounts', 'update')).toBe('own');
    expect(writeGuard(member('sales'), 'accounts', 'delete')).toBeUndefined();
    expect(writeScope(manager('sales'), 'accounts', 'update')).toBe('all');
    expect(writeScope(manager('sales'), 'accounts', 'delete')).toBe('none');
    // Sales does not change leads at all: the managers' cell raises nothing there.
    expect(writeScope(manager('sales'), 'leads', 'update')).toBe('none');
  });

  it('gives admins what their cell says, and creates by a cell land in the creator’s department', () => {
    // Prepare
    useStoredCells(1, [
      { group: 'admins', collection: 'cases', ...cell({ create: false, update: 'all', delete: 'none' }) },
      { group: 'marketing', collection: 'activities', ...cell({ create: false }) },
    ]);

    // Act / Assess
    expect(canCreate(admin(), 'cases')).toBe(false);
    expect(writeScope(admin(), 'cases', 'delete')).toBe('none');
    expect(canCreate(member('marketing'), 'activities')).toBe(false);
    expect(ownerDeptFor(member('support'), 'activities')).toBe('support');
  });
});

describe('cell problems', () => {
  it('refuse writes without read, unknown or doubled fields, ownerId, and admins without read', () => {
    expect(cellProblems('sales', 'cases', cell({ read: false, create: true }))).toHaveLength(1);
    expect(cellProblems('sales', 'cases', cell({ hiddenFields: ['nope'] }))).toHaveLength(1);
    expect(cellProblems('sales', 'cases', cell({ hiddenFields: ['ownerId'] }))).toHaveLength(1);
    expect(cellProblems('sales', 'cases', cell({ hiddenFields: ['subject', 'subject'] }))).toHaveLength(1);
    expect(cellProblems('admins', 'cases', cell({ read: false }))).toHaveLength(1);
    expect(cellProblems('sales', 'cases', cell({ hiddenFields: ['description'] }))).toEqual([]);
  });
});

describe('the refresher', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    Object.assign(repo, { version: 0, cells: [], versionReads: 0, cellReads: 0 });
  });
  afterEach(() => vi.useRealTimers());

  it('checks the version at most once an interval and reads the cells only when it moved', async () => {
    // Prepare
    vi.resetModules();
    const { refreshRolePermissions } = await import('../../shared/domain/role-permissions.js');
    const policy = await import('../../shared/policy/policy.js');
    const mark = member('marketing');

    // Act / Assess: the first check reads the version (0: nothing stored) and no cell
    await refreshRolePermissions();
    expect([repo.versionReads, repo.cellReads]).toEqual([1, 0]);
    await refreshRolePermissions();
    expect(repo.versionReads).toBe(1);

    // An admin changes a cell: not read before the interval ends, in force right after it
    repo.version = 1;
    repo.cells = [{ group: 'marketing', collection: 'cases', ...cell({}) }];
    vi.advanceTimersByTime(ROLE_PERMISSIONS.refreshSeconds * 1000 - 1);
    await refreshRolePermissions();
    expect(policy.canRead(mark, 'cases')).toBe(false);
    vi.advanceTimersByTime(2);
    await refreshRolePermissions();
    expect([repo.versionReads, repo.cellReads]).toEqual([2, 1]);
    expect(policy.canRead(mark, 'cases')).toBe(true);

    // Unchanged version: a check, no read of the cells
    vi.advanceTimersByTime(ROLE_PERMISSIONS.refreshSeconds * 1000);
    await refreshRolePermissions();
    expect([repo.versionReads, repo.cellReads]).toEqual([3, 1]);
  });
});
