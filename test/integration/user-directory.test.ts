import { randomUUID } from 'node:crypto';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { departmentMembers, directoryUser, directoryUserByName } from '../../shared/db/user-directory.js';
import { useStackEnv } from '../support/direct.js';
import { ensureUser, signIn } from '../support/role-users.js';
import { as, stack } from '../support/stack.js';

/**
 * The user directory (docs/api.md "Users and roles"): the table's mirror of the user pool that writes
 * check an `ownerId` against. Kept by the pool's sign-in trigger (cognito-local invokes it through the
 * local Lambda Invoke API) and by the role administration routes. Users are made for this file only.
 */
type Problem = { status: number; detail: string };
const suffix = randomUUID().slice(0, 8);
let ada: ApiClient;
let sally: ApiClient;

beforeAll(async () => {
  useStackEnv();
  [ada, sally] = [await as('ada'), await as('sally')];
});

/**
 * Whether the pool has the user enabled (cognito-local does not refuse a disabled user's sign-in, AWS
 * does); undefined for no such user.
 */
async function enabledInPool(username: string): Promise<boolean | undefined> {
  const cognito = new CognitoIdentityProviderClient(localAwsConfig(stack().auth.cognitoEndpoint));
  try {
    const out = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: stack().auth.userPoolId, Username: username }),
    );
    return out.Enabled;
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  } finally {
    cognito.destroy();
  }
}

describe('the sign-in trigger', () => {
  it('mirrors a user into the directory at their first sign-in, with their groups and department', async () => {
    // Prepare
    const username = `dir-new-${suffix}`;
    await ensureUser(username, ['support']);
    expect(await directoryUserByName(username)).toBeUndefined();

    // Act
    const { caller } = await signIn(username);

    // Assess
    expect(await directoryUser(caller.userId)).toMatchObject({
      userId: caller.userId,
      username,
      email: `${username}@test.concord.local`,
      groups: ['support'],
      department: 'support',
      enabled: true,
    });
    expect((await directoryUserByName(username.toUpperCase()))?.userId).toBe(caller.userId);
    expect((await departmentMembers('support')).map((u) => u.userId)).toContain(caller.userId);
  });
});

describe('role administration keeps the directory', () => {
  it('a change of groups moves the user to the new department in the directory', async () => {
    // Prepare
    const username = `dir-move-${suffix}`;
    await ensureUser(username, ['support']);
    const { caller } = await signIn(username);

    // Act
    const res = await ada.put(`/v1/admin/users/${username}/groups`, { groups: ['marketing'] });

    // Assess
    expect(res.status).toBe(200);
    expect(await directoryUser(caller.userId)).toMatchObject({
      groups: ['marketing'],
      department: 'marketing',
    });
    expect((await departmentMembers('marketing')).map((u) => u.userId)).toContain(caller.userId);
    expect((await departmentMembers('support')).map((u) => u.userId)).not.toContain(caller.userId);
  });

  it('DELETE /v1/admin/users/{username} disables the user in the pool and in the directory, out of its department', async () => {
    // Prepare
    const username = `dir-gone-${suffix}`;
    await ensureUser(username, ['sales']);
    const { caller } = await signIn(username);

    // Act
    const byMember = await sally.delete(`/v1/admin/users/${username}`);
    const unknown = await ada.delete(`/v1/admin/users/nobody-${suffix}`);
    const res = await ada.delete(`/v1/admin/users/${username}`);

    // Assess
    expect(byMember.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(res.status).toBe(204);
    expect(await enabledInPool(username)).toBe(false);
    expect(await directoryUser(caller.userId)).toMatchObject({ enabled: false, groups: ['sales'] });
    expect((await departmentMembers('sales')).map((u) => u.userId)).not.toContain(caller.userId);
  });

  it('the last admin may neither disable themselves nor drop their admin role (409); another admin may', async () => {
    // Prepare: ada is the only admin the suite has (no test file makes another but this one, below).
    const me = await ada.get('/v1/me');
    const adaName = (me.body as { username: string }).username;

    // Act
    const disableSelf = await ada.delete(`/v1/admin/users/${adaName}`);
    const dropRole = await ada.put<Problem>(`/v1/admin/users/${adaName}/groups`, {
      groups: ['sales'],
    });
    const second = `dir-admin-${suffix}`;
    await ensureUser(second, ['admins']);
    const other = (await signIn(second)).client;
    const stepDown = await other.put(`/v1/admin/users/${second}/groups`, { groups: ['support'] });

    // Assess
    expect(disableSelf.status).toBe(409);
    expect((disableSelf.body as Problem).detail).toMatch(/last admin/);
    expect(dropRole.status).toBe(409);
    expect(((await ada.get('/v1/me')).body as { groups: string[] }).groups).toContain('admins');
    expect(stepDown.status).toBe(200);
  });
});

describe('POST /v1/admin/users (invite)', () => {
  type Invited = { username: string; userId: string; groups: string[]; temporaryPassword?: string };

  it('creates the user in the pool with their groups, mirrors them, and lists them with their groups', async () => {
    // Prepare
    const username = `dir-inv-${suffix}`;

    // Act
    const res = await ada.post<Invited>('/v1/admin/users', {
      username,
      email: `${username}@test.concord.local`,
      groups: ['support', 'managers'],
    });
    const again = await ada.post<Problem>('/v1/admin/users', {
      username,
      email: `${username}@test.concord.local`,
      groups: ['support'],
    });

    // Assess
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/admin/users/${username}`);
    expect(res.body).toMatchObject({ username, groups: ['managers', 'support'], enabled: true });
    // On the local stack the temporary password also comes back to hand over.
    expect(res.body.temporaryPassword).toMatch(/.{12,}/);
    expect(await directoryUser(res.body.userId)).toMatchObject({ department: 'support', enabled: true });
    expect(again.status).toBe(409);
    let cursor: string | null = null;
    let listed: { username: string; groups: string[] } | undefined;
    do {
      const page: {
        status: number;
        body: { items: { username: string; groups: string[] }[]; nextCursor: string | null };
      } = await ada.get(`/v1/admin/users?limit=60${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      listed = page.body.items.find((u) => u.username === username) ?? listed;
      cursor = page.body.nextCursor;
    } while (cursor && !listed);
    expect(listed?.groups).toEqual(['managers', 'support']);
  });

  it('refuses non-admins (403), bad bodies (400) and creates nothing then', async () => {
    // Act
    const byMember = await sally.post('/v1/admin/users', {
      username: `dir-no-${suffix}`,
      email: 'no@test.concord.local',
      groups: ['sales'],
    });
    const twoDepartments = await ada.post<{ errors: { path: string }[] }>('/v1/admin/users', {
      username: `dir-two-${suffix}`,
      email: 'two@test.concord.local',
      groups: ['sales', 'support'],
    });
    const badEmail = await ada.post<{ errors: { path: string }[] }>('/v1/admin/users', {
      username: `dir-mail-${suffix}`,
      email: 'not an email',
      groups: ['sales'],
    });

    // Assess
    expect(byMember.status).toBe(403);
    expect(twoDepartments.status).toBe(400);
    expect(twoDepartments.body.errors.map((e) => e.path)).toEqual(['groups']);
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.errors.map((e) => e.path)).toEqual(['email']);
    expect(await enabledInPool(`dir-two-${suffix}`)).toBeUndefined();
  });
});
