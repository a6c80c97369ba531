import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AWS_SERVICES } from '../../shared/aws/services.js';
import { ENV, envValue } from '../../shared/config/env.js';
import {
  createUser,
  deleteUser,
  disableUser,
  enabledMembersOf,
  groupsOf,
  listUsers,
  poolUser,
  setGroups,
} from '../../shared/db/user-pool.js';
import { type AwsStub, type StubReply, startAwsStub } from '../support/aws-stub.js';

/**
 * The Cognito adapter against a stand-in endpoint: each operation's target and input as Cognito's JSON API
 * takes them, its answer read as that API gives it (dates in epoch seconds), and the errors callers
 * act on. cognito-local runs the same calls in the integration suite.
 */
let cognito: AwsStub;
const POOL = envValue(ENV.userPoolId);
const answer = (body: object): StubReply => ({ status: 200, body: JSON.stringify(body) });
const refusal = (code: string): StubReply => ({
  status: 400,
  body: JSON.stringify({ __type: code, message: `${code} said` }),
});
/** The operations called, and their inputs. */
const calls = () =>
  cognito.seen.map((r) => [
    String(r.headers['x-amz-target']).replace(/^AWSCognitoIdentityProviderService\./, ''),
    r.json,
  ]);

const ana = {
  Username: 'ana',
  Attributes: [
    { Name: 'sub', Value: 'sub-ana' },
    { Name: 'email', Value: 'ana@example.com' },
  ],
  Enabled: true,
  UserStatus: 'CONFIRMED',
  UserCreateDate: 1_764_921_600.123,
};

beforeAll(async () => {
  cognito = await startAwsStub([AWS_SERVICES.cognito]);
});
afterAll(() => cognito.close());
beforeEach(() => cognito.reset());

describe('reading the pool', () => {
  it('lists a page of users with their dates as ISO text, the next token passed back as given', async () => {
    // Prepare
    cognito.replies = [
      answer({ Users: [ana, { Username: 'bo', Enabled: false }], PaginationToken: 'next-page' }),
      answer({}),
    ];

    // Act
    const first = await listUsers(2);
    const last = await listUsers(2, 'next-page');

    // Assess
    expect(first).toEqual({
      users: [
        {
          username: 'ana',
          userId: 'sub-ana',
          email: 'ana@example.com',
          enabled: true,
          status: 'CONFIRMED',
          createdAt: '2025-12-05T08:00:00.123Z',
        },
        { username: 'bo', userId: 'bo', email: null, enabled: false, status: 'UNKNOWN', createdAt: null },
      ],
      next: 'next-page',
    });
    expect(last).toEqual({ users: [], next: undefined });
    expect(calls()).toEqual([
      ['ListUsers', { UserPoolId: POOL, Limit: 2 }],
      ['ListUsers', { UserPoolId: POOL, Limit: 2, PaginationToken: 'next-page' }],
    ]);
    expect(cognito.seen[0]?.headers.authorization).toMatch(/\/cognito-idp\/aws4_request, /);
  });

  it("answers a user's groups and details, and undefined for a user the pool does not know", async () => {
    // Prepare
    cognito.replies = [
      answer({ Groups: [{ GroupName: 'sales' }, { GroupName: 'admins' }] }),
      refusal('UserNotFoundException'),
      answer({ Username: 'ana', UserAttributes: ana.Attributes, Enabled: false }),
      refusal('UserNotFoundException'),
    ];

    // Act
    const groups = await groupsOf('ana');
    const noGroups = await groupsOf('nobody');
    const user = await poolUser('ana@example.com');
    const noUser = await poolUser('nobody');

    // Assess
    expect([groups, noGroups, noUser]).toEqual([['sales', 'admins'], undefined, undefined]);
    expect(user).toEqual({ userId: 'sub-ana', username: 'ana', email: 'ana@example.com', enabled: false });
    expect(calls()).toEqual([
      ['AdminListGroupsForUser', { UserPoolId: POOL, Username: 'ana' }],
      ['AdminListGroupsForUser', { UserPoolId: POOL, Username: 'nobody' }],
      ['AdminGetUser', { UserPoolId: POOL, Username: 'ana@example.com' }],
      ['AdminGetUser', { UserPoolId: POOL, Username: 'nobody' }],
    ]);
  });

  it("follows a group's pages and keeps its enabled members' ids", async () => {
    // Prepare
    cognito.replies = [
      answer({ Users: [ana, { Username: 'bo', Enabled: false }], NextToken: 't2' }),
      answer({ Users: [{ Username: 'cy', Enabled: true }] }),
    ];

    // Act
    const ids = await enabledMembersOf('sales');

    // Assess
    expect(ids).toEqual(['sub-ana', 'cy']);
    expect(calls()).toEqual([
      ['ListUsersInGroup', { UserPoolId: POOL, GroupName: 'sales', Limit: 60 }],
      ['ListUsersInGroup', { UserPoolId: POOL, GroupName: 'sales', Limit: 60, NextToken: 't2' }],
    ]);
  });

  it('refuses an answer that is not what Cognito gives, and passes on the errors it does not handle', async () => {
    // Prepare
    cognito.replies = [
      answer({ Users: [{ Username: 'ana', UserCreateDate: '2025-12-05' }] }),
      refusal('InvalidParameterException'),
    ];

    // Act / Assess
    await expect(listUsers(1)).rejects.toThrow(/UserCreateDate/);
    await expect(listUsers(1, 'forged')).rejects.toMatchObject({
      name: 'InvalidParameterException',
      status: 400,
    });
  });

  it('tries once more on a server error (two attempts, as the SDK client had), then gives up', async () => {
    // Prepare
    const broken: StubReply = { status: 500, body: '{"__type":"InternalErrorException"}' };
    cognito.replies = [broken, answer({ Groups: [] }), broken, broken, broken];

    // Act
    const groups = await groupsOf('ana');
    const error = await groupsOf('ana').catch((e: unknown) => e);

    // Assess
    expect(groups).toEqual([]);
    expect(error).toMatchObject({ name: 'InternalErrorException', status: 500 });
    expect(cognito.seen).toHaveLength(4);
  });
});

describe('changing the pool', () => {
  it('creates a user with a verified email and the invitation by email, undefined when the name is taken', async () => {
    // Prepare
    cognito.replies = [
      answer({ User: { ...ana, Username: 'dee', UserStatus: 'FORCE_CHANGE_PASSWORD' } }),
      refusal('UsernameExistsException'),
    ];

    // Act
    const created = await createUser({ username: 'dee', email: 'dee@example.com' });
    const taken = await createUser({ username: 'dee', email: 'dee@example.com' });

    // Assess
    expect(created?.user).toMatchObject({
      username: 'dee',
      userId: 'sub-ana',
      status: 'FORCE_CHANGE_PASSWORD',
    });
    expect(taken).toBeUndefined();
    const [target, input] = calls()[0]!;
    expect(target).toBe('AdminCreateUser');
    expect(input).toEqual({
      UserPoolId: POOL,
      Username: 'dee',
      UserAttributes: [
        { Name: 'email', Value: 'dee@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
      // The unit environment is the local stack's: the function picks the password and answers it.
      TemporaryPassword: created?.temporaryPassword,
    });
    expect(created?.temporaryPassword).toMatch(/^Tmp-[A-Za-z0-9_-]{16}9a!$/);
  });

  it('adds groups before it removes any, and deletes and disables users by name', async () => {
    // Act
    await setGroups('ana', ['sales', 'support'], ['sales', 'admins']);
    await disableUser('ana');
    await deleteUser('bo');

    // Assess
    expect(calls()).toEqual([
      ['AdminAddUserToGroup', { UserPoolId: POOL, Username: 'ana', GroupName: 'admins' }],
      ['AdminRemoveUserFromGroup', { UserPoolId: POOL, Username: 'ana', GroupName: 'support' }],
      ['AdminDisableUser', { UserPoolId: POOL, Username: 'ana' }],
      ['AdminDeleteUser', { UserPoolId: POOL, Username: 'bo' }],
    ]);
  });
});
