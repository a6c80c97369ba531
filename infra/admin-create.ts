/**
 * `npm run admin:create -- --email <address> [--username <name>] [--stage local|dev|prod]
 *  [--user-pool-id <id>] [--region <region>]`: makes the first admin (or makes an existing user an admin)
 * through the Cognito API, so that nobody needs the AWS console. Against a deployed stage it needs AWS
 * credentials and the pool id (the `UserPoolId` output of `cdk deploy`); Cognito emails the temporary
 * password. Against the local stack (`--stage local`, the default) it reads `.local/stack.json` and
 * sets a password it prints, since cognito-local sends no mail.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN_GROUP } from '../shared/policy/policy.js';
import { localAwsConfig } from './local/engines/local-aws.js';
import type { StackInfo } from './local/stack-info.js';

export interface AdminRequest {
  email: string;
  username: string;
  stage: 'local' | 'dev' | 'prod';
  userPoolId?: string;
  region?: string;
}

const USAGE =
  'usage: npm run admin:create -- --email <address> [--username <name>] [--stage local|dev|prod] ' +
  '[--user-pool-id <id>] [--region <region>]';

/** The request the command line makes, or the reason it makes none. */
export function parseAdminArgs(argv: readonly string[]): AdminRequest | { error: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        email: { type: 'string' },
        username: { type: 'string' },
        stage: { type: 'string', default: 'local' },
        'user-pool-id': { type: 'string' },
        region: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    return { error: `${(error as Error).message}\n${USAGE}` };
  }
  const email = typeof values.email === 'string' ? values.email : '';
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return { error: `--email is needed (an address)\n${USAGE}` };
  const stage = values.stage;
  if (stage !== 'local' && stage !== 'dev' && stage !== 'prod')
    return { error: `--stage must be local, dev or prod\n${USAGE}` };
  const userPoolId = typeof values['user-pool-id'] === 'string' ? values['user-pool-id'] : undefined;
  if (stage !== 'local' && !userPoolId)
    return {
      error: `--user-pool-id is needed for a deployed stage: the UserPoolId output of \`cdk deploy\`\n${USAGE}`,
    };
  const username = typeof values.username === 'string' ? values.username : email.split('@')[0]!;
  const region = typeof values.region === 'string' ? values.region : undefined;
  return { email, username, stage, userPoolId, region };
}

export interface AdminResult {
  username: string;
  created: boolean;
  /** Set only locally: the password to sign in with. */
  password?: string;
  nextSteps: string[];
}

/** A password that meets the pool's policy (12+, upper, lower, digit, symbol). */
const newPassword = () => `Adm-${randomBytes(12).toString('base64url')}7x!`;

/**
 * Creates the user (or finds them) and adds them to the admins group. `delivery: 'email'` lets Cognito
 * send the invitation (AWS); `'password'` sets a permanent password and returns it (the local pool).
 */
export async function createAdmin(
  config: CognitoIdentityProviderClientConfig,
  userPoolId: string,
  request: Pick<AdminRequest, 'email' | 'username'>,
  delivery: 'email' | 'password',
): Promise<Omit<AdminResult, 'nextSteps'>> {
  const cognito = new CognitoIdentityProviderClient(config);
  try {
    let created = true;
    try {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: request.username,
          UserAttributes: [
            { Name: 'email', Value: request.email },
            { Name: 'email_verified', Value: 'true' },
          ],
          ...(delivery === 'email' ? { DesiredDeliveryMediums: ['EMAIL'] } : { MessageAction: 'SUPPRESS' }),
        }),
      );
    } catch (error) {
      if (!(error instanceof UsernameExistsException)) throw error;
      created = false;
    }
    let password: string | undefined;
    if (delivery === 'password' && created) {
      password = newPassword();
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: request.username,
          Password: password,
          Permanent: true,
        }),
      );
    }
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPoolId,
        Username: request.username,
        GroupName: ADMIN_GROUP,
      }),
    );
    return { username: request.username, created, password };
  } finally {
    cognito.destroy();
  }
}

/** What the person does next, per stage. */
export function nextStepsFor(
  request: AdminRequest,
  result: Omit<AdminResult, 'nextSteps'>,
  info?: StackInfo,
) {
  const who = result.created
    ? `${result.username} was created and is an admin`
    : `${result.username} existed and is now an admin`;
  if (request.stage === 'local') {
    return [
      who,
      result.password ? `password: ${result.password}` : 'their password is unchanged',
      `token: curl -s -X POST ${info?.auth.tokenUrl ?? '<tokenUrl>'} -H 'content-type: application/json' -d '{"username":"${result.username}","password":"…"}'`,
      `then: GET ${info?.apiUrl ?? '<apiUrl>'}/v1/me shows "isAdmin": true`,
    ];
  }
  return [
    who,
    result.created
      ? `Cognito emails ${request.email} a temporary password (valid 3 days)`
      : 'no email was sent',
    'sign in at the managed login (the LoginUrl output of the stateful stack) or with any client of the pool',
    'set a new password when asked',
    request.stage === 'prod'
      ? 'set up TOTP (an authenticator app): the prod pool requires it'
      : 'set up TOTP when offered (optional on dev)',
    'GET /v1/me then shows "isAdmin": true',
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const request = parseAdminArgs(argv);
  if ('error' in request) {
    console.error(request.error);
    return 2;
  }
  let info: StackInfo | undefined;
  let config: CognitoIdentityProviderClientConfig;
  let userPoolId: string;
  if (request.stage === 'local') {
    const file = resolve('.local', 'stack.json');
    info = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as StackInfo;
    if (!info.auth) {
      console.error(`no local stack found (${join('.local', 'stack.json')}): run \`npm start\` first`);
      return 1;
    }
    config = localAwsConfig(info.auth.cognitoEndpoint);
    userPoolId = info.auth.userPoolId;
  } else {
    config = request.region ? { region: request.region } : {};
    userPoolId = request.userPoolId!;
  }
  const result = await createAdmin(
    config,
    userPoolId,
    request,
    request.stage === 'local' ? 'password' : 'email',
  );
  for (const line of nextStepsFor(request, result, info)) console.log(`  ${line}`);
  return 0;
}

const invoked = process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename);
if (invoked) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`admin:create failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
