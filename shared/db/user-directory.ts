import {
  AdminAddUserToGroupCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ENV, requireEnv } from '../config/env.js';

/**
 * Secondary adapter for users and roles: Cognito itself (groups are the roles). The endpoint comes
 * from the SDK's AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set (cognito-local).
 */
let client: CognitoIdentityProviderClient | undefined;
const cognito = () => {
  client ??= new CognitoIdentityProviderClient({ maxAttempts: 2 });
  return client;
};
const poolId = () => requireEnv(ENV.userPoolId);

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
