import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { type ApiClient, apiClient } from '../../infra/local/api-client.js';
import { type Caller, type Claims, callerFromClaims } from '../../shared/policy/caller.js';
import { stack } from './stack.js';

/**
 * Users for authorization tests, beyond the demo users: made straight in the local user pool
 * (there is no create-user route), signed in through the local token route, and turned into the
 * Caller the handlers will see (the token's claims as API Gateway hands them, through the policy's
 * own `callerFromClaims`).
 */
export interface SignedIn {
  username: string;
  token: string;
  client: ApiClient;
  caller: Caller;
}

const TEST_PASSWORD = 'Concord-test-1';

function cognito() {
  return new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: stack().auth.cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates (or reuses) a confirmed user with a permanent password and these groups. */
export async function ensureUser(username: string, groups: readonly string[]): Promise<void> {
  const client = cognito();
  const UserPoolId = stack().auth.userPoolId;
  try {
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username: username,
          TemporaryPassword: TEST_PASSWORD,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${username}@test.concord.local` },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof UsernameExistsException)) throw error;
    }
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId,
        Username: username,
        Password: TEST_PASSWORD,
        Permanent: true,
      }),
    );
    for (const group of groups) {
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: group }));
    }
  } finally {
    client.destroy();
  }
}

/** API Gateway hands every claim as a string, arrays as "[a b]" (what the local authorizer does too). */
export function gatewayClaimsOf(token: string): Claims {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const claims: Claims = {};
  for (const [k, v] of Object.entries(payload)) {
    claims[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return claims;
}

/** The Caller the policy builds from this token. */
export function callerOfToken(token: string): Caller {
  const caller = callerFromClaims(gatewayClaimsOf(token));
  if (!caller) throw new Error('the token has no subject');
  return caller;
}

/** Signs in a demo user or a user made by ensureUser (password from the stack info or the test one). */
export async function signIn(username: string): Promise<SignedIn> {
  const info = stack();
  const password = info.users.find((u) => u.username === username)?.password ?? TEST_PASSWORD;
  const res = await fetch(info.auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`token for ${username}: ${res.status}`);
  const token = ((await res.json()) as { idToken: string }).idToken;
  return { username, token, client: apiClient(info.apiUrl, token), caller: callerOfToken(token) };
}
