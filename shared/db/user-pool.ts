import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { AWS_SERVICES } from '../aws/services.js';
import { AwsError, callJson } from '../aws/signed-request.js';
import { ENV, envValue } from '../config/env.js';

/**
 * Secondary adapter for users and roles in Cognito itself (groups are the roles): the source of truth,
 * which user-directory.ts mirrors in the table for lookups on the write path. The calls are signed
 * requests of Cognito's JSON API (shared/aws), not the SDK client, which would add 34 KB to each admin
 * function for nine operations (docs/benchmarks.md §4); the endpoint is AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER
 * when set (cognito-local).
 */
const poolId = () => envValue(ENV.userPoolId);

/** One operation on the function's pool; one retry on a transient failure, as the SDK client had (maxAttempts 2). */
const cognito = (operation: string, input: object): Promise<unknown> =>
  callJson(
    AWS_SERVICES.cognito,
    `AWSCognitoIdentityProviderService.${operation}`,
    { UserPoolId: poolId(), ...input },
    { attempts: 2 },
  );

const isNamed = (error: unknown, code: string) => error instanceof AwsError && error.name === code;

/** The fields of Cognito's answers read here; the JSON API gives dates in epoch seconds. */
const Attributes = z.optional(z.array(z.object({ Name: z.string(), Value: z.optional(z.string()) })));
const UserType = z.object({
  Username: z.string(),
  Attributes,
  Enabled: z.optional(z.boolean()),
  UserStatus: z.optional(z.string()),
  UserCreateDate: z.optional(z.number()),
});
type UserType = z.infer<typeof UserType>;
const UsersPage = z.object({ Users: z.optional(z.array(UserType)), PaginationToken: z.optional(z.string()) });
const GroupMembers = z.object({ Users: z.optional(z.array(UserType)), NextToken: z.optional(z.string()) });
const Groups = z.object({ Groups: z.optional(z.array(z.object({ GroupName: z.optional(z.string()) }))) });
const GotUser = z.object({
  Username: z.optional(z.string()),
  UserAttributes: Attributes,
  Enabled: z.optional(z.boolean()),
});
const CreatedUser = z.object({ User: z.optional(UserType) });

export interface DirectoryUser {
  username: string;
  userId: string;
  email: string | null;
  enabled: boolean;
  status: string;
  createdAt: string | null;
  groups: string[];
}

export async function groupsOf(username: string): Promise<string[] | undefined> {
  try {
    const out = Groups.parse(await cognito('AdminListGroupsForUser', { Username: username }));
    return (out.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  } catch (error) {
    if (isNamed(error, 'UserNotFoundException')) return undefined;
    throw error;
  }
}

export interface PoolUser {
  userId: string;
  /** The user's own name (the caller may have used an alias). */
  username: string;
  email: string | null;
  enabled: boolean;
}

/** The user, whatever name or alias the caller used; undefined for no such user. */
export async function poolUser(username: string): Promise<PoolUser | undefined> {
  try {
    const out = GotUser.parse(await cognito('AdminGetUser', { Username: username }));
    const attribute = (name: string) => out.UserAttributes?.find((a) => a.Name === name)?.Value;
    return {
      userId: attribute('sub') ?? out.Username ?? username,
      username: out.Username ?? username,
      email: attribute('email') ?? null,
      enabled: out.Enabled ?? true,
    };
  } catch (error) {
    if (isNamed(error, 'UserNotFoundException')) return undefined;
    throw error;
  }
}

const attr = (u: UserType, name: string) => u.Attributes?.find((a) => a.Name === name)?.Value ?? null;

/** A user as the pool lists them; `groups` are added by the caller (from the directory, one read a page). */
export type ListedUser = Omit<DirectoryUser, 'groups'>;

const listed = (u: UserType): ListedUser => ({
  username: u.Username,
  userId: attr(u, 'sub') ?? u.Username,
  email: attr(u, 'email'),
  enabled: u.Enabled ?? true,
  status: u.UserStatus ?? 'UNKNOWN',
  // Rounded to the millisecond as the SDK does: seconds × 1000 in floating point can miss it by a hair.
  createdAt:
    u.UserCreateDate === undefined ? null : new Date(Math.round(u.UserCreateDate * 1000)).toISOString(),
});

/** One page of the pool's users: one ListUsers call. */
export async function listUsers(
  limit: number,
  token?: string,
): Promise<{ users: ListedUser[]; next?: string }> {
  const out = UsersPage.parse(await cognito('ListUsers', { Limit: limit, PaginationToken: token }));
  return { users: (out.Users ?? []).map(listed), next: out.PaginationToken };
}

export interface NewUser {
  username: string;
  email: string;
}

/** A temporary password that meets the pool's policy (12+, upper, lower, digit, symbol). */
function temporaryPassword(): string {
  const body = randomBytes(12).toString('base64url');
  return `Tmp-${body}9a!`;
}

/**
 * Creates the user (AdminCreateUser) and has the pool email them the invitation; undefined when the name
 * is taken. The function's environment says who picks the temporary password: `email`, Cognito (AWS:
 * the invitation is the only place it shows); `answer`, this function, which also returns it to hand
 * over (the local stack, where infra/local/engines/cognito-mail.ts sends the invitation to the local SES).
 */
export async function createUser(
  user: NewUser,
): Promise<{ user: ListedUser; temporaryPassword?: string } | undefined> {
  const password = envValue(ENV.invitationDelivery) === 'answer' ? temporaryPassword() : undefined;
  try {
    const out = CreatedUser.parse(
      await cognito('AdminCreateUser', {
        Username: user.username,
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
        ...(password ? { TemporaryPassword: password } : {}),
      }),
    );
    return { user: listed(out.User ?? { Username: user.username }), temporaryPassword: password };
  } catch (error) {
    if (isNamed(error, 'UsernameExistsException')) return undefined;
    throw error;
  }
}

/** Undoes a creation that could not be finished (its groups failed): no half-made user stays. */
export async function deleteUser(username: string): Promise<void> {
  await cognito('AdminDeleteUser', { Username: username });
}

/** Adds before it removes: a failure half-way leaves the user with more groups, never with none. */
export async function setGroups(username: string, current: string[], wanted: string[]): Promise<void> {
  for (const group of wanted.filter((g) => !current.includes(g))) {
    await cognito('AdminAddUserToGroup', { Username: username, GroupName: group });
  }
  for (const group of current.filter((g) => !wanted.includes(g))) {
    await cognito('AdminRemoveUserFromGroup', { Username: username, GroupName: group });
  }
}

export async function disableUser(username: string): Promise<void> {
  await cognito('AdminDisableUser', { Username: username });
}

/** The ids (`sub`) of the group's enabled members. */
export async function enabledMembersOf(group: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = GroupMembers.parse(
      await cognito('ListUsersInGroup', { GroupName: group, Limit: 60, NextToken: token }),
    );
    for (const u of out.Users ?? []) if (u.Enabled !== false) ids.push(attr(u, 'sub') ?? u.Username);
    token = out.NextToken;
  } while (token);
  return ids;
}
