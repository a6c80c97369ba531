import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtAuthorizer } from '../../infra/local/jwt-authorizer.js';

const ISSUER = 'http://127.0.0.1:9229/local_pool';
const CLIENT_ID = 'app-client';
const KID = 'test-key';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: Key;
let strangerKey: Key;
let authorize: ReturnType<typeof jwtAuthorizer>;

/** A token as cognito-local signs it, with `claims` laid over a valid ID token's. */
async function token(claims: JWTPayload, opts: { key?: Key; exp?: number | null } = {}): Promise<string> {
  const base = { iss: ISSUER, token_use: 'id', aud: CLIENT_ID, 'cognito:groups': ['sales'] };
  const jwt = new SignJWT({ ...base, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: KID })
    .setSubject('user-1')
    .setIssuedAt();
  const exp = opts.exp === undefined ? Math.floor(Date.now() / 1000) + 3600 : opts.exp;
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(opts.key ?? signingKey);
}

beforeAll(async () => {
  // Prepare: the pool's key pair and a JWKS serving its public half, as the issuer's jwks.json would.
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  authorize = jwtAuthorizer(
    { issuer: ISSUER, clientId: CLIENT_ID, jwksUri: 'http://unused.invalid/jwks.json' },
    createLocalJWKSet({ keys: [jwk] }),
  );
});

describe('the local JWT authorizer', () => {
  it('accepts a valid ID token and hands claims as API Gateway does (arrays as "[a b]")', async () => {
    // Act
    const verified = await authorize(`Bearer ${await token({ 'cognito:groups': ['sales', 'managers'] })}`);

    // Assess
    expect(verified).toMatchObject({
      ok: true,
      claims: { sub: 'user-1', token_use: 'id', 'cognito:groups': '[sales managers]' },
    });
  });

  it('accepts a valid access token whose client_id is the app client', async () => {
    // Act
    const verified = await authorize(
      `Bearer ${await token({ token_use: 'access', aud: undefined, client_id: CLIENT_ID })}`,
    );

    // Assess
    expect(verified.ok).toBe(true);
  });

  it('refuses a token without exp, though its signature is good', async () => {
    // Act
    const verified = await authorize(`Bearer ${await token({}, { exp: null })}`);

    // Assess
    expect(verified).toEqual({ ok: false, reason: 'JWTClaimValidationFailed' });
  });

  it('refuses an expired token', async () => {
    // Act
    const verified = await authorize(`Bearer ${await token({}, { exp: Math.floor(Date.now() / 1000) - 5 })}`);

    // Assess
    expect(verified).toEqual({ ok: false, reason: 'JWTExpired' });
  });

  it.each<[string, JWTPayload]>([
    ['an ID token for another client', { aud: 'other-client' }],
    ['an access token for another client', { token_use: 'access', aud: undefined, client_id: 'other' }],
    ['an access token checked as if it were an ID token (no client_id)', { token_use: 'access' }],
    ['an unknown token_use', { token_use: 'refresh' }],
    ['no token_use', { token_use: undefined }],
  ])('refuses %s', async (_, claims) => {
    // Act
    const verified = await authorize(`Bearer ${await token(claims)}`);

    // Assess
    expect(verified).toEqual({ ok: false, reason: 'token not issued for this client' });
  });

  it('refuses another issuer, a key the JWKS does not serve, and a missing or malformed header', async () => {
    // Prepare
    const otherIssuer = await token({ iss: 'http://127.0.0.1:9229/other_pool' });
    const foreignKey = await token({}, { key: strangerKey });

    // Act
    const results = await Promise.all([
      authorize(`Bearer ${otherIssuer}`),
      authorize(`Bearer ${foreignKey}`),
      authorize(undefined),
      authorize(`Basic ${foreignKey}`),
    ]);

    // Assess
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false]);
    expect(results[1]).toEqual({ ok: false, reason: 'JWSSignatureVerificationFailed' });
  });
});
