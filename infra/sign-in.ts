/**
 * `npm run sign-in -- --username <name> [--stage local|dev|prod] [--client-id <id>] [--region <r>]`:
 * signs a person in from a terminal the way a script client does (USER_PASSWORD_AUTH on the app
 * client) and meets every challenge Cognito puts on the way: the new password of a first sign-in, the
 * TOTP code of a user with MFA, and the TOTP setup that prod requires (MFA_SETUP). Prints the ID token.
 * With `--setup-totp` a signed-in user turns TOTP on (offered on dev and locally).
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  AssociateSoftwareTokenCommand,
  type AuthenticationResultType,
  type ChallengeNameType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { localAwsConfig } from './local/engines/local-aws.js';
import type { StackInfo } from './local/stack-info.js';

/** What the person answers when Cognito asks. */
export interface ChallengeAnswers {
  /** A new password (an invited user's first sign-in: NEW_PASSWORD_REQUIRED). */
  newPassword(): Promise<string>;
  /** The current code of the user's authenticator app (SOFTWARE_TOKEN_MFA). */
  totpCode(): Promise<string>;
  /** TOTP must be set up now (MFA_SETUP, prod): the secret to add to an app; returns its first code. */
  setUpTotp(secret: string): Promise<string>;
}

type Cognito = Pick<CognitoIdentityProviderClient, 'send'>;
/** Each challenge a sign-in met, in order: what a test or a support person wants to see. */
export type SignInResult = { tokens: AuthenticationResultType; challenges: ChallengeNameType[] };

/** Cognito chains a few challenges at most (new password → MFA setup → done); more is a loop. */
const MAX_CHALLENGES = 5;

export async function signInWithChallenges(
  cognito: Cognito,
  clientId: string,
  username: string,
  password: string,
  answers: ChallengeAnswers,
): Promise<SignInResult> {
  const challenges: ChallengeNameType[] = [];
  let step = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  while (!step.AuthenticationResult) {
    const name = step.ChallengeName;
    if (!name) throw new Error('Cognito answered with neither tokens nor a challenge');
    if (challenges.length >= MAX_CHALLENGES) throw new Error(`too many challenges: ${challenges.join(', ')}`);
    challenges.push(name);
    const respond = (responses: Record<string, string>, session = step.Session) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: name,
          Session: session,
          ChallengeResponses: { USERNAME: username, ...responses },
        }),
      );
    switch (name) {
      case 'NEW_PASSWORD_REQUIRED':
        step = await respond({ NEW_PASSWORD: await answers.newPassword() });
        break;
      case 'SELECT_MFA_TYPE':
        step = await respond({ ANSWER: 'SOFTWARE_TOKEN_MFA' });
        break;
      case 'SOFTWARE_TOKEN_MFA':
        step = await respond({ SOFTWARE_TOKEN_MFA_CODE: await answers.totpCode() });
        break;
      case 'MFA_SETUP': {
        const associated = await cognito.send(new AssociateSoftwareTokenCommand({ Session: step.Session }));
        if (!associated.SecretCode) throw new Error('AssociateSoftwareToken returned no secret');
        const verified = await cognito.send(
          new VerifySoftwareTokenCommand({
            Session: associated.Session,
            UserCode: await answers.setUpTotp(associated.SecretCode),
            FriendlyDeviceName: 'authenticator',
          }),
        );
        if (verified.Status !== 'SUCCESS') throw new Error('the authenticator code was not accepted');
        step = await respond({}, verified.Session);
        break;
      }
      default:
        throw new Error(`the challenge ${name} is not one this command answers`);
    }
  }
  return { tokens: step.AuthenticationResult, challenges };
}

/** Turns TOTP on for a signed-in user (their access token): the next sign-in asks for a code. */
export async function enableTotp(
  cognito: Cognito,
  accessToken: string,
  firstCode: (secret: string) => Promise<string>,
): Promise<void> {
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  if (!SecretCode) throw new Error('AssociateSoftwareToken returned no secret');
  const verified = await cognito.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: await firstCode(SecretCode),
      FriendlyDeviceName: 'authenticator',
    }),
  );
  if (verified.Status !== 'SUCCESS') throw new Error('the authenticator code was not accepted');
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      username: { type: 'string' },
      stage: { type: 'string', default: 'local' },
      'client-id': { type: 'string' },
      region: { type: 'string' },
      'setup-totp': { type: 'boolean', default: false },
    },
  });
  if (!values.username) {
    console.error(
      'usage: npm run sign-in -- --username <name> [--stage local|dev|prod] [--client-id <id>] [--region <r>] [--setup-totp]',
    );
    return 2;
  }
  let cognito: CognitoIdentityProviderClient;
  let clientId = values['client-id'];
  if (values.stage === 'local') {
    const info = JSON.parse(
      await readFile(resolve('.local', 'stack.json'), 'utf8').catch(() => '{}'),
    ) as StackInfo;
    if (!info.auth) {
      console.error('no local stack found (.local/stack.json): run `npm start` first');
      return 1;
    }
    cognito = new CognitoIdentityProviderClient(localAwsConfig(info.auth.cognitoEndpoint));
    clientId ??= info.auth.clientId;
  } else {
    if (!clientId) {
      console.error(
        '--client-id is required for a deployed stage (the UserPoolClientId output of `cdk deploy`)',
      );
      return 2;
    }
    cognito = new CognitoIdentityProviderClient(values.region ? { region: values.region } : {});
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const ask = (question: string) => prompt.question(question);
    const { tokens, challenges } = await signInWithChallenges(
      cognito,
      clientId,
      values.username,
      await ask('password: '),
      {
        newPassword: () => ask('a new password (12+ characters, upper and lower case, a digit, a symbol): '),
        totpCode: () => ask('the code of your authenticator app: '),
        setUpTotp: (secret) => ask(`add this secret to an authenticator app (TOTP): ${secret}\nits code: `),
      },
    );
    if (challenges.length) console.error(`challenges met: ${challenges.join(' → ')}`);
    if (values['setup-totp'])
      await enableTotp(cognito, tokens.AccessToken!, (secret) =>
        ask(`add this secret to an authenticator app (TOTP): ${secret}\nits code: `),
      );
    console.log(tokens.IdToken);
    return 0;
  } finally {
    prompt.close();
    cognito.destroy();
  }
}

const invoked = process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename);
if (invoked) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`sign-in failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
