import { describe, expect, it } from 'vitest';
import { type ChallengeAnswers, signInWithChallenges } from '../../infra/sign-in.js';

/**
 * The challenges cognito-local cannot pose (MFA_SETUP with a session, as the prod pool does for a user
 * without TOTP; SELECT_MFA_TYPE), answered by a stub that plays Cognito's part of each exchange.
 * The new-password and TOTP-code challenges run against cognito-local (sign-in-challenges.test.ts).
 */
type Sent = { command: string; input: Record<string, unknown> };

function stubCognito(replies: Record<string, unknown>[]) {
  const sent: Sent[] = [];
  return {
    sent,
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ command: command.constructor.name, input: command.input });
      const reply = replies.shift();
      if (!reply) throw new Error(`no reply for ${command.constructor.name}`);
      return reply;
    },
  };
}

const TOKENS = { IdToken: 'id', AccessToken: 'access' };
const answers: ChallengeAnswers = {
  newPassword: async () => 'New-Password-12!',
  totpCode: async () => '123456',
  setUpTotp: async (secret) => `code-for-${secret}`,
};

describe('signInWithChallenges', () => {
  it('sets TOTP up when the pool requires it (MFA_SETUP), passing each session on', async () => {
    // Prepare
    const cognito = stubCognito([
      { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's1' },
      { ChallengeName: 'MFA_SETUP', Session: 's2' },
      { SecretCode: 'SECRET', Session: 's3' },
      { Status: 'SUCCESS', Session: 's4' },
      { AuthenticationResult: TOKENS },
    ]);

    // Act
    const result = await signInWithChallenges(cognito as never, 'client', 'ada', 'Temp-Password-1!', answers);

    // Assess
    expect(result).toEqual({ tokens: TOKENS, challenges: ['NEW_PASSWORD_REQUIRED', 'MFA_SETUP'] });
    expect(cognito.sent.map((s) => s.command)).toEqual([
      'InitiateAuthCommand',
      'RespondToAuthChallengeCommand',
      'AssociateSoftwareTokenCommand',
      'VerifySoftwareTokenCommand',
      'RespondToAuthChallengeCommand',
    ]);
    expect(cognito.sent[1]!.input).toMatchObject({
      Session: 's1',
      ChallengeResponses: { USERNAME: 'ada', NEW_PASSWORD: 'New-Password-12!' },
    });
    expect(cognito.sent[2]!.input).toEqual({ Session: 's2' });
    expect(cognito.sent[3]!.input).toMatchObject({ Session: 's3', UserCode: 'code-for-SECRET' });
    expect(cognito.sent[4]!.input).toMatchObject({ ChallengeName: 'MFA_SETUP', Session: 's4' });
  });

  it('chooses TOTP when asked to select, then answers its code', async () => {
    // Prepare
    const cognito = stubCognito([
      { ChallengeName: 'SELECT_MFA_TYPE', Session: 's1' },
      { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's2' },
      { AuthenticationResult: TOKENS },
    ]);

    // Act
    const result = await signInWithChallenges(cognito as never, 'client', 'ada', 'pw', answers);

    // Assess
    expect(result.challenges).toEqual(['SELECT_MFA_TYPE', 'SOFTWARE_TOKEN_MFA']);
    expect(cognito.sent[1]!.input).toMatchObject({ ChallengeResponses: { ANSWER: 'SOFTWARE_TOKEN_MFA' } });
    expect(cognito.sent[2]!.input).toMatchObject({
      ChallengeResponses: { SOFTWARE_TOKEN_MFA_CODE: '123456' },
    });
  });

  it('stops on a challenge it does not answer, on a refused TOTP setup, and on a loop', async () => {
    // Act / Assess
    await expect(
      signInWithChallenges(stubCognito([{ ChallengeName: 'SMS_MFA' }]) as never, 'c', 'u', 'p', answers),
    ).rejects.toThrow('SMS_MFA');
    await expect(
      signInWithChallenges(
        stubCognito([
          { ChallengeName: 'MFA_SETUP', Session: 's' },
          { SecretCode: 'S' },
          { Status: 'ERROR' },
        ]) as never,
        'c',
        'u',
        'p',
        answers,
      ),
    ).rejects.toThrow('not accepted');
    const loop = Array.from({ length: 10 }, () => ({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' }));
    await expect(signInWithChallenges(stubCognito(loop) as never, 'c', 'u', 'p', answers)).rejects.toThrow(
      'too many challenges',
    );
  });
});
