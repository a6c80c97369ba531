import { randomUUID } from 'node:crypto';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../infra/local/api-client.js';
import { isDepartment } from '../../shared/config/departments.js';
import { db, tableName } from '../../shared/db/client.js';
import { roleLockItem, roleLockKey } from '../../shared/db/keys.js';
import { ROLE_CHANGE_IN_PROGRESS } from '../../shared/db/role-lock.js';
import { useStackEnv } from '../support/direct.js';
import { ensureUser, signIn } from '../support/role-users.js';
import { as, stack } from '../support/stack.js';

/**
 * One department per user (docs/api.md "Identity and roles", "Users and roles"): concurrent role changes are serialised by a lock in the
 * table, and a token that names two departments gets no role. Users are made for this file only.
 */
type Problem = { status: number; detail: string };
const suffix = randomUUID().slice(0, 8);
const made: string[] = [];
let cognito: CognitoIdentityProviderClient;

async function newUser(groups: string[]): Promise<string> {
  const username = `roles-${made.length}-${suffix}`;
  await ensureUser(username, groups);
  made.push(username);
  return username;
}

async function groupsInCognito(username: string): Promise<string[]> {
  const out = await cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: stack().auth.userPoolId, Username: username }),
  );
  return (out.Groups ?? []).map((g) => g.GroupName!).sort();
}

async function subOf(username: string): Promise<string> {
  const out = await cognito.send(
    new AdminGetUserCommand({ UserPoolId: stack().auth.userPoolId, Username: username }),
  );
  return out.UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
}

async function putGroups(username: string, groups: string[]): Promise<Reply<Problem>> {
  return (await as('ada')).put<Problem>(`/v1/admin/users/${username}/groups`, { groups });
}

beforeAll(() => {
  useStackEnv();
  cognito = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: stack().auth.cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  for (const username of made) {
    await cognito.send(
      new AdminDeleteUserCommand({ UserPoolId: stack().auth.userPoolId, Username: username }),
    );
  }
  cognito.destroy();
});

describe('PUT /v1/admin/users/{username}/groups, two admins at once', () => {
  it('leaves the user in exactly one department after each of 10 racing pairs (200 or 409 only)', async () => {
    // Prepare
    const username = await newUser(['support']);
    const statuses: number[] = [];

    for (let pair = 0; pair < 10; pair++) {
      // Act: one admin moves the user to sales while another moves them to marketing
      const replies = await Promise.all([putGroups(username, ['sales']), putGroups(username, ['marketing'])]);

      // Assess
      statuses.push(...replies.map((r) => r.status));
      expect(replies.map((r) => r.status)).toContain(200);
      const departments = (await groupsInCognito(username)).filter(isDepartment);
      expect(departments, `after pair ${pair}`).toHaveLength(1);
      expect(['sales', 'marketing']).toContain(departments[0]);
    }
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
  });

  it('keeps one department under a burst of 20 changes, and a refused one says why', async () => {
    // Prepare
    const username = await newUser(['support']);

    // Act
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => putGroups(username, [i % 2 ? 'sales' : 'marketing'])),
    );

    // Assess
    expect(replies.filter((r) => r.status !== 200 && r.status !== 409).map((r) => r.body)).toEqual([]);
    for (const refused of replies.filter((r) => r.status === 409)) {
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toBe(ROLE_CHANGE_IN_PROGRESS);
    }
    expect((await groupsInCognito(username)).filter(isDepartment)).toHaveLength(1);
  });

  it('answers 409 while another change holds the lock, and changes nothing', async () => {
    // Prepare: a change in flight elsewhere (its lease runs for another minute)
    const username = await newUser(['support']);
    const held = roleLockItem(await subOf(username), 'another-admin', Date.now() + 60_000);
    await db().send(new PutCommand({ TableName: tableName(), Item: held }));

    try {
      // Act
      const reply = await putGroups(username, ['sales']);

      // Assess
      expect(reply.status).toBe(409);
      expect(reply.body).toMatchObject({ status: 409, detail: ROLE_CHANGE_IN_PROGRESS });
      expect(await groupsInCognito(username)).toEqual(['support']);
      const lock = await db().send(
        new GetCommand({ TableName: tableName(), Key: roleLockKey(await subOf(username)) }),
      );
      expect(lock.Item).toEqual(held);
    } finally {
      await db().send(new DeleteCommand({ TableName: tableName(), Key: roleLockKey(await subOf(username)) }));
    }
  });

  it('takes over the lock of a crashed change once its lease is over, and gives it back', async () => {
    // Prepare: a lock whose holder died a second ago without releasing it
    const username = await newUser(['support']);
    const userId = await subOf(username);
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: roleLockItem(userId, 'crashed-admin', Date.now() - 1000),
      }),
    );

    // Act
    const reply = await putGroups(username, ['marketing', 'managers']);

    // Assess
    expect(reply.status).toBe(200);
    expect(await groupsInCognito(username)).toEqual(['managers', 'marketing']);
    const lock = await db().send(new GetCommand({ TableName: tableName(), Key: roleLockKey(userId) }));
    expect(lock.Item).toBeUndefined();
  });

  it('still answers 404 for a user that does not exist', async () => {
    // Act
    const reply = await putGroups(`nobody-${suffix}`, ['sales']);

    // Assess
    expect(reply.status).toBe(404);
  });
});

describe('a token that names two department groups', () => {
  it('gets 403 on everything but GET /v1/me, which shows no department and says why', async () => {
    // Prepare: two departments given straight through Cognito, past the API's own check
    const username = await newUser(['sales', 'marketing']);
    const { client } = await signIn(username);

    // Act
    const [accounts, create, me] = await Promise.all([
      client.get<Problem>('/v1/accounts'),
      client.post<Problem>('/v1/accounts', { name: 'Split Ltd' }),
      client.get<{
        department: string | null;
        groups: string[];
        problems: string[];
        permissions: Record<string, { read: boolean }>;
      }>('/v1/me'),
    ]);

    // Assess
    for (const refused of [accounts, create]) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toContain('department groups');
    }
    expect(me.status).toBe(200);
    expect(me.body.department).toBeNull();
    expect(me.body.groups.sort()).toEqual(['marketing', 'sales']);
    expect(me.body.problems).toHaveLength(1);
    expect(me.body.problems[0]).toContain('2 department groups');
    expect(Object.values(me.body.permissions).some((p) => p.read)).toBe(false);
  });

  it('leaves a one-department token its role and no problems', async () => {
    // Act
    const me = await (await as('sally')).get<{ department: string; problems: string[] }>('/v1/me');

    // Assess
    expect(me.body).toMatchObject({ department: 'sales', problems: [] });
  });
});
