import { describe, expect, it } from 'vitest';
import { assertReplyMatchesDocument } from '../support/openapi-check.js';

/** The check every integration test's replies go through (test/support/openapi-setup.ts), on made-up replies. */
const reply = (status: number, headers: Record<string, string>, body?: unknown) => ({
  status,
  headers: new Headers(headers),
  body,
});
const JSON_NO_STORE = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const ACCOUNT = {
  id: '01J0000000000000000000000A',
  version: 2,
  name: 'Acme',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-02T00:00:00.000Z',
  createdBy: 'u1',
  updatedBy: 'u1',
  ownerId: 'u1',
  ownerDept: 'sales',
};
const check = (method: string, path: string, r: ReturnType<typeof reply>) => () =>
  assertReplyMatchesDocument(method, path, r);

describe('the reply check against the OpenAPI document', () => {
  it('takes replies that keep the document', () => {
    // Assess
    expect(
      check('GET', '/v1/health', reply(200, { 'content-type': 'application/json' }, { status: 'ok' })),
    ).not.toThrow();
    const get = reply(200, { ...JSON_NO_STORE, etag: '"2"' }, ACCOUNT);
    expect(check('GET', `/v1/accounts/${ACCOUNT.id}?x=1`, get)).not.toThrow();
    expect(
      check('DELETE', `/v1/accounts/${ACCOUNT.id}`, reply(204, { 'cache-control': 'no-store' })),
    ).not.toThrow();
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such route.' };
    const unknown = reply(404, { 'content-type': 'application/problem+json' }, problem);
    expect(check('GET', '/v1/nowhere', unknown)).not.toThrow();
  });

  it('refuses an undeclared status, naming the operation and what it declares', () => {
    // Assess
    expect(check('GET', '/v1/health', reply(418, {}, { status: 'teapot' }))).toThrow(
      /GET \/v1\/health → 418 \(health\)[\s\S]*status 418 is not declared \(declared: 200, 500\)/,
    );
  });

  it('refuses a missing required header and a header that breaks its schema', () => {
    // Assess
    expect(check('GET', `/v1/accounts/${ACCOUNT.id}`, reply(200, JSON_NO_STORE, ACCOUNT))).toThrow(
      /header ETag is missing/,
    );
    const weak = reply(200, { ...JSON_NO_STORE, etag: 'W/"2"' }, ACCOUNT);
    expect(check('GET', `/v1/accounts/${ACCOUNT.id}`, weak)).toThrow(/header ETag: must match pattern/);
  });

  it('refuses a body that breaks the schema of its status and content type, with ajv paths', () => {
    // Assess
    const extra = reply(200, { ...JSON_NO_STORE, etag: '"2"' }, { ...ACCOUNT, PK: 'ACCOUNT#1' });
    expect(check('GET', `/v1/accounts/${ACCOUNT.id}`, extra)).toThrow(/additional properties.*"PK"/);
    const wrongType = reply(200, { ...JSON_NO_STORE, etag: '"2"' }, { ...ACCOUNT, version: '2' });
    expect(check('GET', `/v1/accounts/${ACCOUNT.id}`, wrongType)).toThrow(/body\/version: must be integer/);
    const html = reply(
      200,
      { 'content-type': 'text/html', 'cache-control': 'no-store', etag: '"2"' },
      ACCOUNT,
    );
    expect(check('GET', `/v1/accounts/${ACCOUNT.id}`, html)).toThrow(
      /content-type text\/html is not declared/,
    );
  });

  it('refuses anything but a 404 problem for a route the document does not have', () => {
    // Assess
    expect(check('GET', '/v1/nowhere', reply(200, { 'content-type': 'application/json' }, {}))).toThrow(
      /\(no operation\)[\s\S]*status 200 for a route the document does not have/,
    );
  });
});
