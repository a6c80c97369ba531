import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import {
  type Claims,
  callerFromClaims,
  hasAnyRole,
  noRoleReason,
  parseGroups,
} from '../../shared/policy/caller.js';
import { permissionsOf } from '../../shared/policy/policy.js';

describe('parseGroups', () => {
  it.each<[string, Claims[string], string[]]>([
    ['the HTTP API’s bracketed string', '[admins sales]', ['admins', 'sales']],
    ['a bracketed string of one group', '[sales]', ['sales']],
    ['a bracketed string with extra spaces', '  [ marketing   managers ]  ', ['marketing', 'managers']],
    ['a real array', ['support', 'managers'], ['support', 'managers']],
    ['a JSON string', '["admins","sales"]', ['admins', 'sales']],
    ['a JSON string with spaces', '["admins", "sales"]', ['admins', 'sales']],
    ['a pretty-printed JSON string', JSON.stringify(['admins', 'sales'], null, 2), ['admins', 'sales']],
    ['a JSON string with a space inside the brackets', '[ "support" ]', ['support']],
    ['a plain comma list', 'sales,managers', ['sales', 'managers']],
    ['a single bare group', 'support', ['support']],
    ['empty brackets', '[]', []],
    ['an empty JSON array', '[ ]', []],
    ['an empty string', '', []],
    ['blank', '   ', []],
    ['missing', undefined, []],
    ['a number', 42, []],
    ['a boolean', true, []],
  ])('reads %s', (_, raw, expected) => {
    // Act
    const groups = parseGroups(raw);

    // Assess
    expect(groups).toEqual(expected);
  });
});

describe('callerFromClaims', () => {
  it('resolves a department member', () => {
    // Prepare
    const claims: Claims = { sub: 'u-1', 'cognito:username': 'alice', 'cognito:groups': '[sales]' };

    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller).toEqual({
      userId: 'u-1',
      username: 'alice',
      groups: ['sales'],
      department: 'sales',
      isManager: false,
      isAdmin: false,
    });
  });

  it('resolves a manager of a department', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-2', 'cognito:groups': ['managers', 'marketing'] });

    // Assess
    expect(caller?.department).toBe('marketing');
    expect(caller?.isManager).toBe(true);
    expect(caller?.isAdmin).toBe(false);
  });

  it('resolves an admin without a department', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-3', 'cognito:groups': '[admins]' });

    // Assess
    expect(caller?.isAdmin).toBe(true);
    expect(caller?.department).toBeUndefined();
    expect(caller && hasAnyRole(caller)).toBe(true);
  });

  it('ignores groups the pool does not define', () => {
    // Act
    const caller = callerFromClaims({
      sub: 'u-4',
      'cognito:groups': '[us-east-1_Google beta-testers support]',
    });

    // Assess
    expect(caller?.groups).toEqual(['support']);
    expect(caller?.department).toBe('support');
  });

  it('leaves a caller with only unknown groups without a role', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-5', 'cognito:groups': '[finance-beta]' });

    // Assess
    expect(caller?.groups).toEqual([]);
    expect(caller?.department).toBeUndefined();
    expect(caller?.isManager).toBe(false);
    expect(caller?.isAdmin).toBe(false);
    expect(caller && hasAnyRole(caller)).toBe(false);
  });

  it('gives a caller without groups no role', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-6' });

    // Assess
    expect(caller?.groups).toEqual([]);
    expect(caller && hasAnyRole(caller)).toBe(false);
  });

  it('takes the username from an access token’s `username` claim', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-7', username: 'bob', 'cognito:groups': '[sales]' });

    // Assess
    expect(caller?.username).toBe('bob');
  });

  it('falls back to the subject when the token names no username', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-8' });

    // Assess
    expect(caller?.username).toBe('u-8');
  });

  it('gives a token naming two departments no role, and never picks one', () => {
    // Prepare: the first two departments, in both orders and in both claim forms
    const [first, second] = DEPARTMENTS;
    const forms: Claims[string][] = [[first, second], [second, first], `[${first} ${second}]`];

    for (const groups of forms) {
      // Act
      const caller = callerFromClaims({ sub: 'u-9', 'cognito:username': 'split', 'cognito:groups': groups });

      // Assess
      expect(caller?.department).toBeUndefined();
      expect(caller?.groups.sort()).toEqual([first, second].sort());
      expect(caller && hasAnyRole(caller)).toBe(false);
      expect(caller?.roleProblems).toHaveLength(1);
      expect(caller?.roleProblems?.[0]).toContain('2 department groups');
    }
  });

  it('withholds admin and manager rights from a token naming two departments', () => {
    // Act
    const caller = callerFromClaims({
      sub: 'u-10',
      'cognito:groups': ['admins', 'managers', ...DEPARTMENTS],
    });

    // Assess
    expect(caller).toMatchObject({ isAdmin: false, isManager: false });
    expect(caller?.department).toBeUndefined();
    expect(caller && hasAnyRole(caller)).toBe(false);
    expect(caller && noRoleReason(caller)).toContain(`${DEPARTMENTS.length} department groups`);
    const permissions = Object.values(caller ? permissionsOf(caller) : {});
    expect(permissions.length).toBeGreaterThan(0);
    for (const p of permissions)
      expect(p).toMatchObject({ read: false, create: false, update: 'none', delete: 'none' });
  });

  it('names no problem for a caller with one department', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-11', 'cognito:groups': '[sales managers admins]' });

    // Assess
    expect(caller?.roleProblems).toBeUndefined();
    expect(caller && hasAnyRole(caller)).toBe(true);
  });

  it('tells a caller with no group that they have no role yet', () => {
    // Act
    const caller = callerFromClaims({ sub: 'u-12' });

    // Assess
    expect(caller && noRoleReason(caller)).toBe('Your account has no role yet.');
  });

  it.each<[string, Claims]>([
    ['no sub', { 'cognito:groups': '[admins]', username: 'mallory' }],
    ['an empty sub', { sub: '', 'cognito:groups': '[admins]' }],
    ['a numeric sub', { sub: 7, 'cognito:groups': '[admins]' }],
  ])('refuses claims with %s', (_, claims) => {
    // Act
    const caller = callerFromClaims(claims);

    // Assess
    expect(caller).toBeUndefined();
  });
});
