import { ALL_GROUPS, type Department, isDepartment, ROLE_GROUPS } from '../config/departments.js';

/** Who is calling, as the policy sees it: resolved once from the token's claims. */
export interface Caller {
  userId: string;
  username: string;
  groups: string[];
  department?: Department;
  isManager: boolean;
  isAdmin: boolean;
  /** Why the token grants no role although it names groups (e.g. two departments); absent when fine. */
  roleProblems?: string[];
}

export type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * API Gateway's HTTP API hands array claims as a string like "[admins sales]"; a local or REST
 * authorizer may hand a real array or a JSON string. All three forms mean the same groups.
 */
export function parseGroups(raw: Claims[string]): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: fall through to the bracketed form
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function callerFromClaims(claims: Claims): Caller | undefined {
  const userId = claims.sub;
  if (typeof userId !== 'string' || userId === '') return undefined;
  const username = claims['cognito:username'] ?? claims.username ?? userId;
  const groups = parseGroups(claims['cognito:groups']).filter((g) => ALL_GROUPS.includes(g));
  const departments = groups.filter(isDepartment);
  if (departments.length > 1) {
    // Never pick one for them: every role is withheld until an admin leaves one department group.
    return {
      userId,
      username: String(username),
      groups,
      isManager: false,
      isAdmin: false,
      roleProblems: [
        `the token names ${departments.length} department groups (${departments.join(', ')}); ` +
          'a user belongs to one, so no role applies until an admin removes the others',
      ],
    };
  }
  return {
    userId,
    username: String(username),
    groups,
    department: departments[0],
    isManager: groups.includes(ROLE_GROUPS.managers),
    isAdmin: groups.includes(ROLE_GROUPS.admins),
  };
}

/** A caller with no known group, or with a conflicting set of groups, may only ask who they are. */
export function hasAnyRole(caller: Caller): boolean {
  return !caller.roleProblems?.length && (caller.isAdmin || caller.department !== undefined);
}

/** Why the caller has no role, as a 403 tells it. */
export function noRoleReason(caller: Caller): string {
  return caller.roleProblems?.length
    ? `Your token grants no role: ${caller.roleProblems.join('; ')}.`
    : 'Your account has no role yet.';
}
