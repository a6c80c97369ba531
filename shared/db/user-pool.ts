import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UserNotFoundException,
  UsernameExistsException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ENV, envValue } from '../config/env.js';
import { instrumentClient } from '../http/observability.js';

/**
 * Secondary adapter for users and roles in Cognito itself (groups are the roles): the source of truth,
 * which user-directory.ts mirrors in the table for lookups on the write path. The endpoint comes
 * from the SDK's AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set (cognito-local).
 */
let client: CognitoIdentityProviderClient | undefined;
const cognito = () => {
  client ??= instrumentClient(new CognitoIdentityProviderClient({ maxAttempts: 2 }));
  return client;
};
/** From the function's environment, parsed at its init (a function granted the pool has it). */
const poolId = () => envValue(ENV.userPoolId);

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
    const out = await cognito().send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId(), Username: username }),
    );
    return (out.Groups ?? []).map((g) => g.GroupName!).filter(Boolean);
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
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
    const out = await cognito().send(new AdminGetUserCommand({ UserPoolId: poolId(), Username: username }));
    const attribute = (name: string) => out.UserAttributes?.find((a) => a.Name === name)?.Value;
    return {
      userId: attribute('sub') ?? out.Username ?? username,
      username: out.Username ?? username,
      email: attribute('email') ?? null,
      enabled: out.Enabled ?? true,
    };
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

const attr = (u: UserType, name: string) => u.Attributes?.find((a) => a.Name === name)?.Value ?? null;

/** A user as the pool lists them; `groups` are added by the caller (from the directory, one read a page). */
export type ListedUser = Omit<DirectoryUser, 'groups'>;

const listed = (u: UserType): ListedUser => ({
  username: u.Username!,
  userId: attr(u, 'sub') ?? u.Username!,
  email: attr(u, 'email'),
  enabled: u.Enabled ?? true,
  status: u.UserStatus ?? 'UNKNOWN',
  createdAt: u.UserCreateDate ? new Date(u.UserCreateDate).toISOString() : null,
});

/** One page of the pool's users: one ListUsers call. */
export async function listUsers(
  limit: number,
  token?: string,
): Promise<{ users: ListedUser[]; next?: string }> {
  const out = await cognito().send(
    new ListUsersCommand({ UserPoolId: poolId(), Limit: limit, PaginationToken: token }),
  );
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
    const out = await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId: poolId(),
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
    if (error instanceof UsernameExistsException) return undefined;
    throw error;
  }
}

/** Undoes a creation that could not be finished (its groups failed): no half-made user stays. */
export async function deleteUser(username: string): Promise<void> {
  await cognito().send(new AdminDeleteUserCommand({ UserPoolId: poolId(), Username: username }));
}

/** Adds before it removes: a failure half-way leaves the user with more groups, never with none. */
export async function setGroups(username: string, current: string[], wanted: string[]): Promise<void> {
  for (const group of wanted.filter((g) => !current.includes(g))) {
    await cognito().send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId(), Username: username, GroupName: group }),
    );
  }
  for (const group of current.filter((g) => !wanted.includes(g))) {
    await cognito().send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId(), Username: username, GroupName: group }),
    );
  }
}

export async function disableUser(username: string): Promise<void> {
  await cognito().send(new AdminDisableUserCommand({ UserPoolId: poolId(), Username: username }));
}

/** The ids (`sub`) of the group's enabled members. */
export async function enabledMembersOf(group: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await cognito().send(
      new ListUsersInGroupCommand({ UserPoolId: poolId(), GroupName: group, Limit: 60, NextToken: token }),
    );
    for (const u of out.Users ?? []) if (u.Enabled !== false) ids.push(attr(u, 'sub') ?? u.Username!);
    token = out.NextToken;
  } while (token);
  return ids;
}
