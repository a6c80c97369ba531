/**
 * The local user pool, provisioned through the real Cognito API so that the same calls would work on AWS.
 * Idempotent: cognito-local keeps its data across restarts, so existing pools, clients, groups, users and
 * memberships are found by name and reused; only what is missing is created.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { localAwsConfig } from './local-aws.js';

export interface LocalUser {
  username: string;
  password: string;
  email: string;
  groups: readonly string[];
}

export interface PoolSpec {
  poolName: string;
  clientName: string;
  groups: readonly string[];
  users: readonly LocalUser[];
}

export interface ProvisionedPool {
  userPoolId: string;
  clientId: string;
  /** Exactly the `iss` of the pool's tokens: cognito-local signs with `http://<HOST>:<PORT>/<poolId>`. */
  issuer: string;
  jwksUri: string;
}

export interface LocalTokens {
  idToken: string;
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export async function provisionUserPool(endpoint: string, spec: PoolSpec): Promise<ProvisionedPool> {
  assertUsersUseDeclaredGroups(spec);
  const cognito = new CognitoIdentityProviderClient(localAwsConfig(endpoint));
  try {
    const userPoolId = await ensureUserPool(cognito, spec.poolName);
    // As the dev stage: TOTP offered, not required (a user who set it up meets SOFTWARE_TOKEN_MFA).
    // Set on every start, so a pool made before this setting existed gets it too.
    await cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const clientId = await ensureAppClient(cognito, userPoolId, spec.clientName);
    await ensureGroups(cognito, userPoolId, spec.groups);
    for (const user of spec.users) await ensureUser(cognito, userPoolId, user);
    const issuer = `${endpoint}/${userPoolId}`;
    return { userPoolId, clientId, issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
  } finally {
    cognito.destroy();
  }
}

export async function initiateAuth(
  endpoint: string,
  clientId: string,
  username: string,
  password: string,
): Promise<LocalTokens> {
  const cognito = new CognitoIdentityProviderClient(localAwsConfig(endpoint));
  try {
    const reply = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const result = reply.AuthenticationResult;
    if (!result?.IdToken || !result.AccessToken) {
      throw new Error(
        `sign-in of ${username} returned challenge ${reply.ChallengeName ?? '(none)'} instead of tokens`,
      );
    }
    // cognito-local leaves ExpiresIn empty; the access token's own lifetime says the same thing.
    const expiresIn = result.ExpiresIn ?? tokenLifetimeSeconds(result.AccessToken);
    return { idToken: result.IdToken, accessToken: result.AccessToken, expiresIn };
  } finally {
    cognito.destroy();
  }
}

async function ensureUserPool(cognito: CognitoIdentityProviderClient, poolName: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: nextToken }));
    const found = page.UserPools?.find((pool) => pool.Name === poolName);
    if (found?.Id) return found.Id;
    nextToken = page.NextToken;
  } while (nextToken);

  const created = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: poolName,
      // Like the AWS pool: people are invited by an admin, never sign themselves up.
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    }),
  );
  return required(created.UserPool?.Id, `CreateUserPool ${poolName} returned no id`);
}

async function ensureAppClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  clientName: string,
): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: nextToken }),
    );
    const found = page.UserPoolClients?.find((client) => client.ClientName === clientName);
    if (found?.ClientId) return found.ClientId;
    nextToken = page.NextToken;
  } while (nextToken);

  const created = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: clientName,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  return required(created.UserPoolClient?.ClientId, `CreateUserPoolClient ${clientName} returned no id`);
}

async function ensureGroups(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  groups: readonly string[],
): Promise<void> {
  const existing = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(
      new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, NextToken: nextToken }),
    );
    for (const group of page.Groups ?? []) if (group.GroupName) existing.add(group.GroupName);
    nextToken = page.NextToken;
  } while (nextToken);

  for (const group of groups) {
    if (!existing.has(group))
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }
}

async function ensureUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: LocalUser,
): Promise<void> {
  if (!(await userExists(cognito, userPoolId, user.username))) {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        TemporaryPassword: user.password,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    // A permanent password moves the user to CONFIRMED: sign-in gets tokens, not NEW_PASSWORD_REQUIRED.
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
  }

  const memberships = await cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: user.username }),
  );
  const current = new Set((memberships.Groups ?? []).map((group) => group.GroupName));
  for (const group of user.groups) {
    if (current.has(group)) continue;
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
    );
  }
}

async function userExists(cognito: CognitoIdentityProviderClient, userPoolId: string, username: string) {
  const escaped = username.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  const page = await cognito.send(
    new ListUsersCommand({ UserPoolId: userPoolId, Filter: `username = "${escaped}"`, Limit: 1 }),
  );
  return (page.Users ?? []).some((existing) => existing.Username === username);
}

function assertUsersUseDeclaredGroups(spec: PoolSpec): void {
  const declared = new Set(spec.groups);
  for (const user of spec.users) {
    const unknown = user.groups.filter((group) => !declared.has(group));
    if (unknown.length > 0) {
      throw new Error(
        `user ${user.username} is put in undeclared group(s) ${unknown.join(', ')} of ${spec.poolName}`,
      );
    }
  }
}

function tokenLifetimeSeconds(jwt: string): number {
  const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  if (
    typeof payload === 'object' &&
    payload !== null &&
    'exp' in payload &&
    typeof payload.exp === 'number'
  ) {
    return Math.max(0, payload.exp - Math.floor(Date.now() / 1000));
  }
  throw new Error('the access token has no numeric exp claim');
}

function required(value: string | undefined, message: string): string {
  if (!value) throw new Error(message);
  return value;
}

/**
 * The user's groups, as Cognito puts them in a PreTokenGeneration event's `groupsToOverride`: cognito-local
 * leaves that field empty (a TODO in its token generator), so the local Invoke API fills it in with this.
 */
export async function groupsOfUser(
  endpoint: string,
  userPoolId: string,
  username: string,
): Promise<string[]> {
  const cognito = new CognitoIdentityProviderClient(localAwsConfig(endpoint));
  try {
    const out = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username }),
    );
    return (out.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  } finally {
    cognito.destroy();
  }
}
