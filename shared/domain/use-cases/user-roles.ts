import { withRoleLock } from '../../db/role-lock.js';
import { type DirectoryEntry, saveDirectoryUser } from '../../db/user-directory.js';
import {
  createUser,
  deleteUser,
  disableUser,
  enabledMembersOf,
  groupsOf,
  type PoolUser,
  poolUser,
  setGroups,
} from '../../db/user-pool.js';
import { logger } from '../../http/logger.js';
import type { Caller } from '../../policy/caller.js';
import {
  ADMIN_GROUP,
  departmentOfGroups,
  groupAssignmentProblems,
  includesAdmin,
  leavesNoAdmin,
} from '../../policy/policy.js';
import { inviteUserBody, USERNAME, userGroupsBody } from '../action-bodies.js';
import { fail } from '../errors.js';
import { validate } from '../validation.js';
import { requireAdmin } from './preconditions.js';

const LAST_ADMIN = 'You are the last admin: make another admin first.';

/** A name that can be a user's, or 404 before anything is asked. */
function wellFormed(caller: Caller, username: string | undefined): string {
  requireAdmin(caller);
  if (!username || !USERNAME.test(username)) throw fail.notFound('No such user.');
  return username;
}

/** The user an admin names, or 404. */
async function namedUser(username: string): Promise<PoolUser> {
  const user = await poolUser(username);
  if (!user) throw fail.notFound('No such user.');
  return user;
}

/** 409 when the change would leave the pool without an enabled admin (the caller stepping down). */
async function keepAnAdmin(caller: Caller, user: PoolUser, keepsAdmin: boolean): Promise<void> {
  if (!caller.isAdmin || user.userId !== caller.userId || keepsAdmin) return;
  const enabledAdminIds = await enabledMembersOf(ADMIN_GROUP);
  if (leavesNoAdmin(caller, { targetUserId: user.userId, keepsAdmin, enabledAdminIds }))
    throw fail.conflict(LAST_ADMIN);
}

/** The directory's mirror of the user after a change, written under the role lock like the change. */
const mirror = (
  caller: Caller,
  user: Pick<PoolUser, 'userId' | 'username' | 'email'>,
  groups: string[],
  enabled: boolean,
): DirectoryEntry => ({
  userId: user.userId,
  username: user.username,
  email: user.email,
  enabled,
  groups,
  department: departmentOfGroups(groups) ?? null,
  updatedAt: new Date().toISOString(),
  updatedBy: caller.userId,
});

/**
 * Sets a user's groups (roles) to exactly the given list, keeping one department group. Two admins
 * changing the same user are serialised by the user's role lock (read and write under it), else each
 * could read the old groups and both add their department.
 */
export async function setUserGroupsUseCase(caller: Caller, username: string | undefined, body: unknown) {
  const name = wellFormed(caller, username);
  const valid = validate(userGroupsBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const problems = groupAssignmentProblems(valid.value.groups);
  if (problems.length) throw fail.invalid(problems.map((message) => ({ path: 'groups', message })));
  const user = await namedUser(name);
  const groups = [...valid.value.groups].sort();
  await withRoleLock(user.userId, async () => {
    const current = await groupsOf(user.username);
    if (!current) throw fail.notFound('No such user.');
    await keepAnAdmin(caller, user, includesAdmin(groups));
    await setGroups(user.username, current, groups);
    await saveDirectoryUser(mirror(caller, user, groups, user.enabled));
    // The trail of roles comes from the directory's stream; the log line helps whoever reads the logs.
    logger.info('user groups changed', {
      actor: { userId: caller.userId, username: caller.username },
      target: user.username,
      groups: { before: [...current].sort(), after: groups },
    });
  });
  return { username: user.username, groups };
}

/** Disables a user (Cognito AdminDisableUser): they can no longer sign in, nor be given records. */
export async function disableUserUseCase(caller: Caller, username: string | undefined): Promise<void> {
  const user = await namedUser(wellFormed(caller, username));
  await withRoleLock(user.userId, async () => {
    const groups = (await groupsOf(user.username)) ?? [];
    await keepAnAdmin(caller, user, false);
    await disableUser(user.username);
    await saveDirectoryUser(mirror(caller, user, [...groups].sort(), false));
    logger.info('user disabled', {
      actor: { userId: caller.userId, username: caller.username },
      target: user.username,
    });
  });
}

export interface InvitedUser {
  username: string;
  userId: string;
  email: string | null;
  enabled: boolean;
  status: string;
  createdAt: string | null;
  groups: string[];
  /** Only where the pool sends no invitation (the local stack): the password to hand over. */
  temporaryPassword?: string;
}

/**
 * Invites a user (Cognito AdminCreateUser: in AWS Cognito emails a temporary password) into these
 * groups, and mirrors them into the directory. A failure after the creation deletes the user again, so
 * no user without their groups stays behind.
 */
export async function inviteUserUseCase(caller: Caller, body: unknown): Promise<InvitedUser> {
  requireAdmin(caller);
  const valid = validate(inviteUserBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const problems = groupAssignmentProblems(valid.value.groups);
  if (problems.length) throw fail.invalid(problems.map((message) => ({ path: 'groups', message })));
  const created = await createUser({ username: valid.value.username, email: valid.value.email });
  if (!created) throw fail.conflict('A user of that name exists already.');
  const groups = [...valid.value.groups].sort();
  try {
    await setGroups(created.user.username, [], groups);
    await saveDirectoryUser(mirror(caller, { ...created.user, email: valid.value.email }, groups, true));
  } catch (error) {
    await deleteUser(created.user.username).catch((cleanup: unknown) =>
      logger.error('invited user left half made', { error: cleanup as Error, target: created.user.username }),
    );
    throw error;
  }
  logger.info('user invited', {
    actor: { userId: caller.userId, username: caller.username },
    target: created.user.username,
    groups,
  });
  return { ...created.user, email: valid.value.email, groups, temporaryPassword: created.temporaryPassword };
}
