import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV, loadEnv } from '../../shared/config/env.js';
import { cursorKeys, openCursor, signCursor } from '../../shared/db/cursor.js';
import { DomainError } from '../../shared/domain/errors.js';
import { admin } from './fixtures.js';

/** The directory (Cognito), faked: records the token each ListUsers was given, answers with a next token. */
const directory = vi.hoisted(() => ({
  tokens: [] as (string | undefined)[],
  next: undefined as string | undefined,
}));
vi.mock('../../shared/db/user-pool.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  listUsers: async (_limit: number, token?: string) => {
    directory.tokens.push(token);
    return { users: [], next: directory.next };
  },
}));

const SECRET = 'unit test secret';
const { listUsersUseCase } = await import('../../shared/domain/use-cases/users.js');

async function refusal(act: Promise<unknown>) {
  const error = await act.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof DomainError ? { kind: error.kind, paths: error.errors?.map((e) => e.path) } : error;
}

describe('the admin users list: Cognito pagination tokens travel signed', () => {
  beforeAll(() => {
    process.env[ENV.cursorSecret] = SECRET;
    loadEnv({ cursors: true }); // as the paging function's init does
  });
  beforeEach(() => {
    directory.tokens = [];
    directory.next = 'cognito-pagination-token';
  });

  it('gives the next token only inside a signed cursor, and hands Cognito the token back', async () => {
    // Act
    const first = await listUsersUseCase(admin(), { limit: 1 });
    await listUsersUseCase(admin(), { limit: 1, cursor: String(first.nextCursor) });

    // Assess
    expect(first.nextCursor).not.toContain('cognito-pagination-token');
    expect(openCursor(cursorKeys(SECRET), 'admin-users', String(first.nextCursor))).toEqual({
      t: 'cognito-pagination-token',
    });
    expect(directory.tokens).toEqual([undefined, 'cognito-pagination-token']);
  });

  it('has no cursor when Cognito has no next page', async () => {
    // Prepare
    directory.next = undefined;

    // Act
    const page = await listUsersUseCase(admin(), { limit: 25 });

    // Assess
    expect(page.nextCursor).toBeNull();
  });

  it.each<[string, string]>([
    ['a raw Cognito token', 'cognito-pagination-token'],
    ['a cursor signed with another secret', signCursor(cursorKeys('other'), 'admin-users', { t: 'x' })],
    ['a cursor of another list', signCursor(cursorKeys(SECRET), 'records', { t: 'x' })],
    ['an empty cursor', ''],
  ])('refuses %s (400 on cursor) and asks Cognito nothing', async (_, cursor) => {
    // Act
    const outcome = await refusal(listUsersUseCase(admin(), { limit: 25, cursor }));

    // Assess
    expect(outcome).toEqual({ kind: 'invalid', paths: ['cursor'] });
    expect(directory.tokens).toEqual([]);
  });

  it('refuses an edited cursor', async () => {
    // Prepare
    const cursor = String((await listUsersUseCase(admin(), { limit: 25 })).nextCursor);
    const edited = `${cursor.slice(0, 5)}${cursor[5] === 'x' ? 'y' : 'x'}${cursor.slice(6)}`;

    // Act
    const outcome = await refusal(listUsersUseCase(admin(), { limit: 25, cursor: edited }));

    // Assess
    expect(outcome).toEqual({ kind: 'invalid', paths: ['cursor'] });
  });
});
