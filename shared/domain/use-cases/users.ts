import * as z from 'zod/mini';
import { LIMITS } from '../../config/limits.js';
import { type DirectoryUser, groupsOf, listUsers, setGroups } from '../../db/user-directory.js';
import type { Caller } from '../../policy/caller.js';
import { canAdminister, groupAssignmentProblems } from '../../policy/policy.js';
import { fail } from '../errors.js';
import { validate } from '../validation.js';

const groupsBody = z.strictObject({
  groups: z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(z.maxLength(10)),
});
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

function requireAdmin(caller: Caller) {
  if (!canAdminister(caller)) throw fail.forbidden('Only admins manage users and roles.');
}

export async function listUsersUseCase(
  caller: Caller,
  query: Record<string, string | undefined>,
): Promise<{ items: DirectoryUser[]; nextCursor: string | null }> {
  requireAdmin(caller);
  const errors = Object.keys(query)
    .filter((k) => k !== 'limit' && k !== 'cursor')
    .map((k) => ({ path: k, message: 'is not a parameter of this list' }));
  const limit = query.limit === undefined ? LIMITS.pageSizeDefault : Number(query.limit);
  // Cognito's ListUsers pages at most 60 users.
  if (!Number.isInteger(limit) || limit < 1 || limit > 60)
    errors.push({ path: 'limit', message: 'must be a whole number from 1 to 60' });
  if (query.cursor !== undefined && (query.cursor.length === 0 || query.cursor.length > 2048)) {
    errors.push({ path: 'cursor', message: 'is not a cursor this list gave out' });
  }
  if (errors.length) throw fail.invalid(errors, 'The query parameters are invalid.');
  const page = await listUsers(limit, query.cursor).catch((error: Error) => {
    if (error.name === 'InvalidParameterException')
      throw fail.invalid([{ path: 'cursor', message: 'is not a cursor this list gave out' }]);
    throw error;
  });
  return { items: page.users, nextCursor: page.next ?? null };
}

/** Sets a user's groups (roles) to exactly the given list, keeping one department group. */
export async function setUserGroupsUseCase(caller: Caller, username: string | undefined, body: unknown) {
  requireAdmin(caller);
  if (!username || !USERNAME.test(username)) throw fail.notFound('No such user.');
  const valid = validate(groupsBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const problems = groupAssignmentProblems(valid.value.groups);
  if (problems.length) throw fail.invalid(problems.map((message) => ({ path: 'groups', message })));
  const current = await groupsOf(username);
  if (!current) throw fail.notFound('No such user.');
  await setGroups(username, current, valid.value.groups);
  return { username, groups: [...valid.value.groups].sort() };
}
