import { ALL_GROUPS, type Department, isDepartment, ROLE_GROUPS } from '../config/departments.js';

/** Who is calling, as the policy sees it: resolved once from the token's claims. */
export interface Caller {
  userId: string;
  username: string;
  groups: string[];
  department?: Department;
  isManager: boolean;
  isAdmin: boolean;
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
  return {
    userId,
    username: String(username),
    groups,
    department: groups.find(isDepartment),
    isManager: groups.includes(ROLE_GROUPS.managers),
    isAdmin: groups.includes(ROLE_GROUPS.admins),
  };
}

/** A caller with no known group may only ask who they are. */
export function hasAnyRole(caller: Caller): boolean {
  return caller.isAdmin || caller.department !== undefined;
}
