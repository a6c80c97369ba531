import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../infra/local/api-client.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { type ChallengeAnswers, enableTotp, signInWithChallenges } from '../../infra/sign-in.js';
import { as, stack } from '../support/stack.js';
import { totpCode } from '../support/totp.js';

/**
 * A person's whole way to a token on cognito-local, as `npm run sign-in` walks it: an invited user's
 * first sign-in meets NEW_PASSWORD_REQUIRED; once they turn TOTP on (offered, as on dev), every
 * sign-in meets SOFTWARE_TOKEN_MFA, answered with the code an authenticator app computes.
 */
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const NEW_PASSWORD = 'Concord-Challenge-9!';
let cognito: CognitoIdentityProviderClient;

const noQuestion = (what: string) => async (): Promise<string> => {
  throw new Error(`Cognito asked for ${what}, which this sign-in does not expect`);
};
const answers = (over: Partial<ChallengeAnswers>): ChallengeAnswers => ({
  newPassword: noQuestion('a new password'),
  totpCode: noQuestion('a TOTP code'),
  setUpTotp: noQuestion('a TOTP setup'),
  ...over,
});

beforeAll(() => {
  cognito = new CognitoIdentityProviderClient(localAwsConfig(stack().auth.cognitoEndpoint));
});
afterAll(() => cognito.destroy());

describe('signing in through the challenges', () => {
  it('sets a new password at the first sign-in, then asks for the TOTP code once TOTP is on', async () => {
    // Prepare: an invited user with a temporary password (the local stack answers it)
    const username = `challenged-${suffix}`;
    const invited = await (await as('ada')).post<{ temporaryPassword?: string }>('/v1/admin/users', {
      username,
      email: `${username}@challenge.concord.local`,
      groups: ['support'],
    });
    expect(invited.status).toBe(201);
    const { clientId } = stack().auth;

    // Act: the first sign-in
    const first = await signInWithChallenges(
      cognito,
      clientId,
      username,
      invited.body.temporaryPassword!,
      answers({
        newPassword: async () => NEW_PASSWORD,
      }),
    );

    // Assess
    expect(first.challenges).toEqual(['NEW_PASSWORD_REQUIRED']);
    const me = await apiClient(stack().apiUrl, first.tokens.IdToken).get<{ department: string }>('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.department).toBe('support');

    // Act: TOTP turned on with an authenticator's code, then a sign-in with the new password
    let secret = '';
    await enableTotp(cognito, first.tokens.AccessToken!, async (s) => {
      secret = s;
      return totpCode(s);
    });
    const second = await signInWithChallenges(
      cognito,
      clientId,
      username,
      NEW_PASSWORD,
      answers({
        totpCode: async () => totpCode(secret),
      }),
    );

    // Assess
    expect(second.challenges).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect((await apiClient(stack().apiUrl, second.tokens.IdToken).get('/v1/me')).status).toBe(200);
    // A wrong code gets no token (a code from ten minutes ago is out of every window).
    await expect(
      signInWithChallenges(
        cognito,
        clientId,
        username,
        NEW_PASSWORD,
        answers({
          totpCode: async () => totpCode(secret, Date.now() - 600_000),
        }),
      ),
    ).rejects.toThrow();
    await expect(
      signInWithChallenges(cognito, clientId, username, 'Not-The-Password-1!', answers({})),
    ).rejects.toThrow();
  });
});
