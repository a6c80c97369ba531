import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/**
 * The HTTP API's JWT authorizer, locally: RS256 signature against the issuer's JWKS, `iss`, `exp`,
 * `token_use`, and the app client as audience (`aud` on ID tokens, `client_id` on access tokens).
 */
export interface AuthorizerConfig {
  issuer: string;
  jwksUri: string;
  clientId: string;
}

export type Verified = { ok: true; claims: Record<string, string> } | { ok: false; reason: string };

/** API Gateway hands every claim as a string, arrays as "[a b]": handlers must see exactly that. */
function asGatewayClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    claims[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return claims;
}

/**
 * `keys` defaults to the issuer's JWKS over HTTP; unit tests hand in a local key set instead.
 * `exp` is required: jose checks it only when present, API Gateway refuses a token without it.
 */
export function jwtAuthorizer(
  config: AuthorizerConfig,
  keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.jwksUri)),
) {
  return async (authorization: string | undefined): Promise<Verified> => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'missing bearer token' };
    try {
      const { payload } = await jwtVerify(match[1]!, keys, {
        issuer: config.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
      });
      const use = payload.token_use;
      const audienceOk =
        (use === 'id' && payload.aud === config.clientId) ||
        (use === 'access' && payload.client_id === config.clientId);
      if (!audienceOk) return { ok: false, reason: 'token not issued for this client' };
      return { ok: true, claims: asGatewayClaims(payload) };
    } catch (error) {
      return { ok: false, reason: (error as Error).name };
    }
  };
}
