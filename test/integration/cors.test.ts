import { describe, expect, it } from 'vitest';
import { stack } from '../support/stack.js';

/**
 * CORS (docs/api.md "Conventions"): locally any port of localhost and 127.0.0.1 is an allowed origin;
 * every other origin gets no CORS header at all, so the browser keeps the answer from the page.
 */
const ALLOWED = 'http://localhost:5173';
const OTHER = 'https://evil.example';

async function preflight(origin: string, method = 'PATCH') {
  return fetch(`${stack().apiUrl}/v1/accounts/01JAAAAAAAAAAAAAAAAAAAAAAA`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, if-match',
    },
  });
}

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the methods, headers and max age, without a token', async () => {
    // Act
    const res = await preflight(ALLOWED);

    // Assess
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, If-Match, Idempotency-Key',
    );
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toBe('Origin');
  });

  it('gives another origin no CORS header, on a preflight or a request', async () => {
    // Act
    const pre = await preflight(OTHER);
    const get = await fetch(`${stack().apiUrl}/v1/health`, { headers: { origin: OTHER } });

    // Assess
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(get.status).toBe(200);
    expect([...get.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('lets the page read ETag and Location from an answer to an allowed origin, errors included', async () => {
    // Act
    const health = await fetch(`${stack().apiUrl}/v1/health`, {
      headers: { origin: 'http://127.0.0.1:8080' },
    });
    const unauthorized = await fetch(`${stack().apiUrl}/v1/accounts`, { headers: { origin: ALLOWED } });

    // Assess
    expect(health.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    expect(health.headers.get('access-control-expose-headers')).toBe('ETag, Location');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });
});
