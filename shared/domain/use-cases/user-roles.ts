import { withRoleLock } from '../../db/role-lock.js';
import { groupsOf, setGroups, userIdOf } from '../../db/user-directory.js';
import { logger } from '../../http/logger.js';
import type { Caller } from '../../policy/caller.js';
import { groupAssignmentProblems } from '../../policy/policy.js';
import { userGroupsBody } from '../action-bodies.js';
import { fail } from '../errors.js';
import { validate } from '../validation.js';
import { requireAdmin } from './preconditions.js';

const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/**
 * Sets a user's groups (roles) to exactly the given list, keeping one department group. Two admins
 * changing the same user are serialised by the user's role lock (read and write under it), else each
 * could read the old groups and both add their department.
 */
export async function setUserGroupsUseCase(caller: Caller, username: string | undefined, body: unknown) {
  requireAdmin(caller);
  if (!username || !USERNAME.test(username)) throw fail.notFound('No such user.');
  const valid = validate(userGroupsBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const problems = groupAssignmentProblems(valid.value.groups);
  if (problems.length) throw fail.invalid(problems.map((message) => ({ path: 'groups', message })));
  const userId = await userIdOf(username);
  if (!userId) throw fail.notFound('No such user.');
  await withRoleLock(userId, async () => {
    const current = await groupsOf(username);
    if (!current) throw fail.notFound('No such user.');
    await setGroups(username, current, valid.value.groups);
    // The audit of role changes: who changed whom, from what to what (names and groups only).
    logger.info('user groups changed', {
      actor: { userId: caller.userId, username: caller.username },
      target: username,
      groups: { before: [...current].sort(), after: [...valid.value.groups].sort() },
    });
  });
  return { username, groups: [...valid.value.groups].sort() };
}
