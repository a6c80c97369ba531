import type { StackInfo } from './stack-info.js';

/** A small client of the local API, used by the demo seed, the tests and the benchmarks. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function tokenFor(
  info: StackInfo,
  username: string,
  kind: 'idToken' | 'accessToken' = 'idToken',
) {
  const user = info.users.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  const res = await fetch(info.auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: user.password }),
  });
  if (!res.ok) throw new Error(`token for ${username}: ${res.status}`);
  return ((await res.json()) as Record<string, string>)[kind]!;
}

/** A check of every reply (its request's method and path with the query): throws to fail the call. */
export type ReplyCheck = (method: string, path: string, reply: Reply<unknown>) => void;
let replyCheck: ReplyCheck | undefined;

/**
 * The integration tests check every reply against the OpenAPI document (test/support/openapi-check.ts,
 * set up for every test file); `npm start`, the seed and the benchmarks never set one.
 */
export function setReplyCheck(check: ReplyCheck | undefined) {
  replyCheck = check;
}

export function apiClient(apiUrl: string, token?: string) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // JSON (and problem+json) parsed; anything else (the docs page, its files) kept as text.
    const json = /^application\/([\w.+-]*\+)?json\b/i.test(
      res.headers.get('content-type') ?? 'application/json',
    );
    const reply: Reply<T> = {
      status: res.status,
      headers: res.headers,
      body: (text ? (json ? JSON.parse(text) : text) : undefined) as T,
    };
    replyCheck?.(method, path, reply);
    return reply;
  }
  return {
    call,
    get: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) =>
      call<T>('GET', path, undefined, headers),
    post: <T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body, headers),
    patch: <T = Record<string, unknown>>(path: string, body: unknown, headers?: Record<string, string>) =>
      call<T>('PATCH', path, body, headers),
    put: <T = Record<string, unknown>>(path: string, body: unknown, headers?: Record<string, string>) =>
      call<T>('PUT', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
