import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import {
  type DirectoryEntry,
  departmentMembersQuery,
  directoryEntryOf,
  directoryItem,
  type IndexQuery,
  userKey,
  usernameQuery,
} from './keys.js';
import { queryAll } from './paged-query.js';

export type { DirectoryEntry } from './keys.js';

/**
 * The user directory in the table: a mirror of the user pool (who exists, their groups, enabled) kept by
 * whatever changes a user (the role administration routes, the sign-in trigger, provisioning), so that
 * the write path checks an `ownerId` with one GetItem and stream consumers resolve `@mentions` and a
 * department's members without calling Cognito (whose client alone would add ~34 KB to a handler).
 */

export async function directoryUser(userId: string): Promise<DirectoryEntry | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: userKey(userId) }));
  return directoryEntryOf(out.Item);
}

/** The entries of these users (one BatchGetItem for up to 100 ids), by user id; unknown ids are left out. */
export async function directoryUsers(userIds: readonly string[]): Promise<Map<string, DirectoryEntry>> {
  const found = new Map<string, DirectoryEntry>();
  let keys = [...new Set(userIds)].map(userKey);
  while (keys.length) {
    const out = await db().send(
      new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keys.slice(0, 100) } } }),
    );
    for (const item of out.Responses?.[tableName()] ?? []) {
      const entry = directoryEntryOf(item);
      if (entry) found.set(entry.userId, entry);
    }
    const unprocessed = (out.UnprocessedKeys?.[tableName()]?.Keys ?? []) as typeof keys;
    keys = [...unprocessed, ...keys.slice(100)];
  }
  return found;
}

/** Replaces the user's entry: the caller read the pool (or was told by it) just before. */
export async function saveDirectoryUser(entry: DirectoryEntry): Promise<void> {
  await db().send(new PutCommand({ TableName: tableName(), Item: directoryItem(entry) }));
}

const queryDirectory = (q: IndexQuery) => queryAll(q, directoryEntryOf);

/** The user of that name (case-insensitive), if the directory knows them. */
export async function directoryUserByName(username: string): Promise<DirectoryEntry | undefined> {
  const lower = username.toLowerCase();
  return (await queryDirectory(usernameQuery(username))).find((u) => u.username.toLowerCase() === lower);
}

/** The enabled members of a department. */
export function departmentMembers(department: string): Promise<DirectoryEntry[]> {
  return queryDirectory(departmentMembersQuery(department));
}
