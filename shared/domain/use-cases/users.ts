import { openCursor, signCursor } from '../../db/cursor.js';
import { serverCursorKeys } from '../../db/cursor-secret.js';
import { directoryUsers } from '../../db/user-directory.js';
import { type DirectoryUser, groupsOf, listUsers } from '../../db/user-pool.js';
import type { Caller } from '../../policy/caller.js';
import { fail } from '../errors.js';
import { requireAdmin } from './preconditions.js';
import type { PageQuery, PageResult } from './read-records.js';

/** What the users list's cursors are signed for: no other list takes them. */
const USERS_CURSOR_SCOPE = 'admin-users';
/** Cognito's ListUsers pages at most 60 users. */
export const USERS_PAGE_MAX = 60;

const NOT_OURS = { path: 'cursor', message: 'is not a cursor this list gave out' };

export async function listUsersUseCase(caller: Caller, query: PageQuery): Promise<PageResult<DirectoryUser>> {
  requireAdmin(caller);
  // Cognito's PaginationToken travels inside our signed envelope, never raw.
  const token =
    query.cursor === undefined
      ? undefined
      : openCursor(await serverCursorKeys(), USERS_CURSOR_SCOPE, query.cursor)?.t;
  if (query.cursor !== undefined && !token)
    throw fail.invalid([NOT_OURS], 'The query parameters are invalid.');
  const page = await listUsers(query.limit, token).catch((error: Error) => {
    if (error.name === 'InvalidParameterException') throw fail.invalid([NOT_OURS]);
    throw error;
  });
  const nextCursor = page.next
    ? signCursor(await serverCursorKeys(), USERS_CURSOR_SCOPE, { t: page.next })
    : null;
  return { items: await withGroups(page.users), nextCursor };
}

/**
 * Each user's groups: from the directory (one read for the page), and from Cognito only for a user the
 * directory does not know yet (made in the console, never signed in).
 */
async function withGroups(users: Omit<DirectoryUser, 'groups'>[]): Promise<DirectoryUser[]> {
  const known = await directoryUsers(users.map((u) => u.userId));
  return Promise.all(
    users.map(async (u) => ({
      ...u,
      groups: [...(known.get(u.userId)?.groups ?? (await groupsOf(u.username)) ?? [])].sort(),
    })),
  );
}
