import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ENV, envValue } from '../config/env.js';
import { instrumentClient } from '../http/observability.js';

/**
 * Secondary adapter for users and roles: Cognito itself (groups are the roles). The endpoint comes
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

/** The user's id (`sub`), whatever name or alias the caller used; undefined for no such user. */
export async function userIdOf(username: string): Promise<string | undefined> {
  try {
    const out = await cognito().send(new AdminGetUserCommand({ UserPoolId: poolId(), Username: username }));
    return out.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? out.Username;
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

const attr = (u: UserType, name: string) => u.Attributes?.find((a) => a.Name === name)?.Value ?? null;

export async function listUsers(
  limit: number,
  token?: string,
): Promise<{ users: DirectoryUser[]; next?: string }> {
  const out = await cognito().send(
    new ListUsersCommand({ UserPoolId: poolId(), Limit: limit, PaginationToken: token }),
  );
  const users = await Promise.all(
    (out.Users ?? []).map(async (u) => ({
      username: u.Username!,
      userId: attr(u, 'sub') ?? u.Username!,
      email: attr(u, 'email'),
      enabled: u.Enabled ?? true,
      status: u.UserStatus ?? 'UNKNOWN',
      createdAt: u.UserCreateDate ? new Date(u.UserCreateDate).toISOString() : null,
      groups: (await groupsOf(u.Username!)) ?? [],
    })),
  );
  return { users, next: out.PaginationToken };
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

/** A user as a record's `ownerId` names them: the token's `sub`. */
export interface UserById {
  userId: string;
  username: string;
  groups: string[];
  enabled: boolean;
}

/** Cognito subs are UUIDs; anything else (a quote would break the filter) names no user. */
const SUB = /^[0-9A-Za-z-]{1,128}$/;

/**
 * The user whose `sub` this is, or undefined: ListUsers with `Filter: sub = "…"` (the only lookup
 * by sub Cognito has; cognito-local 5.3 supports it too), then the user's groups.
 */
export async function userById(userId: string): Promise<UserById | undefined> {
  if (!SUB.test(userId)) return undefined;
  const out = await cognito().send(
    new ListUsersCommand({ UserPoolId: poolId(), Filter: `sub = "${userId}"`, Limit: 1 }),
  );
  const user = out.Users?.find((u) => attr(u, 'sub') === userId);
  if (!user?.Username) return undefined;
  const groups = await groupsOf(user.Username);
  if (!groups) return undefined;
  return { userId, username: user.Username, groups, enabled: user.Enabled ?? true };
}
