import { LIMITS } from '../../config/limits.js';
import { openCursor, signCursor } from '../../db/cursor.js';
import { serverCursorKeys } from '../../db/cursor-secret.js';
import { type DirectoryUser, listUsers } from '../../db/user-directory.js';
import type { Caller } from '../../policy/caller.js';
import { fail } from '../errors.js';
import { requireAdmin } from './preconditions.js';

/** What the users list's cursors are signed for: no other list takes them. */
const USERS_CURSOR_SCOPE = 'admin-users';

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
  // Cognito's PaginationToken travels inside our signed envelope, never raw.
  const token = query.cursor && openCursor(await serverCursorKeys(), USERS_CURSOR_SCOPE, query.cursor)?.t;
  if (query.cursor !== undefined && !token) {
    errors.push({ path: 'cursor', message: 'is not a cursor this list gave out' });
  }
  if (errors.length) throw fail.invalid(errors, 'The query parameters are invalid.');
  const page = await listUsers(limit, token || undefined).catch((error: Error) => {
    if (error.name === 'InvalidParameterException')
      throw fail.invalid([{ path: 'cursor', message: 'is not a cursor this list gave out' }]);
    throw error;
  });
  const nextCursor = page.next
    ? signCursor(await serverCursorKeys(), USERS_CURSOR_SCOPE, { t: page.next })
    : null;
  return { items: page.users, nextCursor };
}
