/**
 * What browsers on another origin may do (docs/api.md "Conventions"): the one place, read by CDK's
 * HttpApi CORS configuration and by the local gateway. Which origins is per stage (infra/stages.ts);
 * the local stack allows any port on localhost and 127.0.0.1.
 */
export const CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
  exposeHeaders: ['ETag', 'Location'],
  maxAgeSeconds: 600,
} as const;

/** The local stack's origins: a dev server on any port of this machine. */
export const isLocalOrigin = (origin: string): boolean =>
  /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/.test(origin);

/**
 * The CORS headers for a request from `origin` (none for an origin not allowed, or no Origin at all):
 * a preflight gets the methods, headers and max age; any other answer the exposed headers.
 */
export function corsHeaders(
  origin: string | undefined,
  allowed: (origin: string) => boolean,
  preflight: boolean,
): Record<string, string> {
  if (!origin || !allowed(origin)) return {};
  const common = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (!preflight) return { ...common, 'access-control-expose-headers': CORS.exposeHeaders.join(', ') };
  return {
    ...common,
    'access-control-allow-methods': CORS.allowMethods.join(', '),
    'access-control-allow-headers': CORS.allowHeaders.join(', '),
    'access-control-max-age': String(CORS.maxAgeSeconds),
  };
}
