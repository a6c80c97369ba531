import {
  markNotificationRead,
  notificationsCursor,
  notificationsCursorPosition,
  notificationsPage,
  type StoredNotification,
} from '../../db/collaboration-repo.js';
import type { Caller } from '../../policy/caller.js';
import { fail } from '../errors.js';
import type { Notification } from '../notifications.js';
import type { PageQuery, PageResult } from './read-records.js';

/** The caller's inbox (`/v1/notifications`): their own notifications only, by construction of the key. */

export interface NotificationsQuery extends PageQuery {
  unread: boolean;
}

const notificationOf = (stored: StoredNotification): Notification =>
  ({ ...stored.entry, id: stored.id, read: stored.read }) as Notification;

/** Newest first, one Query a page (unread ones from their own index). */
export async function listNotificationsUseCase(
  caller: Caller,
  query: NotificationsQuery,
): Promise<PageResult<Notification>> {
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = await notificationsCursorPosition(caller.userId, query.unread, query.cursor);
    if (after === undefined)
      throw fail.invalid(
        [{ path: 'cursor', message: 'is not a cursor this list gave out' }],
        'The query parameters are invalid.',
      );
  }
  const page = await notificationsPage(caller.userId, { unread: query.unread, limit: query.limit, after });
  const last = page.items.at(-1);
  return {
    items: page.items.map(notificationOf),
    nextCursor: page.more && last ? await notificationsCursor(caller.userId, query.unread, last.id) : null,
  };
}

/** One write; a notification of someone else's is absent to the caller (404). */
export async function markReadUseCase(caller: Caller, id: string): Promise<void> {
  if (!(await markNotificationRead(caller.userId, id, new Date().toISOString())))
    throw fail.notFound('No such notification.');
}

/** Marks every unread notification read, page by page of the unread index; returns how many. */
export async function markAllReadUseCase(caller: Caller): Promise<{ marked: number }> {
  const at = new Date().toISOString();
  let marked = 0;
  let after: string | undefined;
  for (;;) {
    const page = await notificationsPage(caller.userId, { unread: true, limit: 100, after });
    const results = await Promise.all(page.items.map((n) => markNotificationRead(caller.userId, n.id, at)));
    marked += results.filter(Boolean).length;
    after = page.items.at(-1)?.id;
    if (!page.more || after === undefined) return { marked };
  }
}
