import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DOCS_ASSETS, DOCS_PACKAGE } from '../../shared/http/docs-assets.js';
import { anonymous, as, stack } from '../support/stack.js';

const packageFile = (file: string) =>
  readFileSync(createRequire(import.meta.url).resolve(`${DOCS_PACKAGE}/${file}`), 'utf8');

describe('Cache-Control on authenticated replies', () => {
  it('is no-store on a 200, on the 4xx a handler answers and on the gateway’s 401', async () => {
    // Prepare
    const sally = await as('sally');

    // Act
    const replies = {
      ok: await sally.get('/v1/me'),
      notFound: await sally.get('/v1/accounts/not-an-id'),
      invalid: await sally.post('/v1/accounts', { name: '' }),
      forbidden: await sally.post('/v1/cases', { subject: 'x', accountId: 'y' }),
      noToken: await anonymous().get('/v1/me'),
    };

    // Assess
    expect(Object.fromEntries(Object.entries(replies).map(([k, r]) => [k, r.status]))).toEqual({
      ok: 200,
      notFound: 404,
      invalid: 400,
      forbidden: 403,
      noToken: 401,
    });
    for (const reply of Object.values(replies)) expect(reply.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves public documents cacheable', async () => {
    // Act
    const openapi = await fetch(`${stack().apiUrl}/v1/openapi.json`);
    const root = await fetch(`${stack().apiUrl}/`);

    // Assess
    expect(openapi.headers.get('cache-control')).toBe('public, max-age=300');
    expect(root.headers.get('cache-control')).toBe('public, max-age=300');
  });
});

describe('GET / and GET /v1', () => {
  it.each(['/', '/v1'])('%s points to the docs and the OpenAPI document, with no token', async (path) => {
    // Act
    const res = await anonymous().get<{ name: string; docs: string; openapi: string }>(path);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'Concord CRM API', docs: '/v1/docs', openapi: '/v1/openapi.json' });
    for (const link of [res.body.docs, res.body.openapi])
      expect((await fetch(`${stack().apiUrl}${link}`)).status, link).toBe(200);
  });
});

describe('GET /v1/docs (Swagger UI from swagger-ui-dist, no CDN)', () => {
  it('is an HTML page whose scripts and styles all come from our own routes, under a CSP', async () => {
    // Act
    const res = await fetch(stack().docsUrl);
    const html = await res.text();

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).not.toMatch(/https?:\/\//);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, res.url));
    expect(refs.map((u) => u.pathname).sort()).toEqual(Object.keys(DOCS_ASSETS).map((a) => `/v1/docs/${a}`));
    for (const ref of refs) {
      expect(ref.origin).toBe(stack().apiUrl);
      expect((await fetch(ref)).status, ref.href).toBe(200);
    }
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
    // The one inline script (Swagger UI's start) is allowed by its hash, not by 'unsafe-inline'.
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(inline).toContain("url: 'openapi.json'");
    const hash = createHash('sha256').update(inline).digest('base64');
    expect(csp).toMatch(new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
  });

  it.each(Object.entries(DOCS_ASSETS))('serves %s as %s, the package’s own bytes', async (asset, type) => {
    // Act
    const plain = await fetch(`${stack().docsUrl}/${asset}`, { headers: { 'accept-encoding': 'identity' } });
    const gzipped = await fetch(`${stack().docsUrl}/${asset}`, { headers: { 'accept-encoding': 'gzip' } });

    // Assess
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe(type);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await plain.text()).toBe(packageFile(asset));
    // HTTP APIs do not compress: the function does, when the client takes gzip (fetch decodes it).
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(await gzipped.text()).toBe(packageFile(asset));
  });

  it.each([
    'swagger-ui.js.map',
    'index.html',
    'swagger-initializer.js',
    'package.json',
    '..%2F..%2Fpackage.json',
    '__proto__',
    'constructor',
  ])('answers a file off the allow-list (%s) with a 404 problem', async (asset) => {
    // Act
    const res = await anonymous().get<{ status: number }>(`/v1/docs/${asset}`);

    // Assess
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.status).toBe(404);
  });

  it('is the docsUrl of .local/stack.json', async () => {
    // Act
    const res = await fetch(stack().docsUrl);

    // Assess
    expect(stack().docsUrl).toBe(`${stack().apiUrl}/v1/docs`);
    expect(res.status).toBe(200);
  });
});

describe('If-Match lists (RFC 9110 §13.1.1)', () => {
  type Rec = { id: string; version: number; industry?: string };

  it('matches when any listed version is current; weak tags never match; * matches any', async () => {
    // Prepare
    const sally = await as('sally');
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Listed Tags Ltd' });
    const path = `/v1/accounts/${account.id}`;

    // Act + Assess: version 1
    const none = await sally.patch(path, { industry: 'none' }, { 'if-match': '"7", "8"' });
    expect(none.status).toBe(412);
    const one = await sally.patch<Rec>(path, { industry: 'one' }, { 'if-match': '"7", "1"' });
    expect(one.status).toBe(200);
    expect(one.body.version).toBe(2);
    expect(one.headers.get('etag')).toBe('"2"');

    // version 2: a weak tag of the current version fails (strong comparison), alone or in a list
    expect((await sally.patch(path, { industry: 'weak' }, { 'if-match': 'W/"2"' })).status).toBe(412);
    expect((await sally.patch(path, { industry: 'weak' }, { 'if-match': 'W/"2", "1"' })).status).toBe(412);
    const strong = await sally.patch<Rec>(path, { industry: 'strong' }, { 'if-match': 'W/"1", "2"' });
    expect(strong.status).toBe(200);
    const any = await sally.patch<Rec>(path, { industry: 'any' }, { 'if-match': '*' });
    expect(any.body).toMatchObject({ version: 4, industry: 'any' });

    // a malformed list is refused before anything is tried
    const malformed = await sally.patch<{ errors: { path: string }[] }>(
      path,
      { industry: 'malformed' },
      { 'if-match': '"4" "5"' },
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]!.path).toBe('If-Match');
    expect((await sally.get<Rec>(path)).body).toMatchObject({ version: 4, industry: 'any' });
  });

  it('applies to DELETE too, and an absent record is 404 whatever the tags', async () => {
    // Prepare
    const sally = await as('sally');
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Deleted By List' });
    const path = `/v1/accounts/${account.id}`;

    // Act + Assess
    expect((await sally.delete(path, { 'if-match': '"5", "6"' })).status).toBe(412);
    expect((await sally.delete(path, { 'if-match': '"5", "1"' })).status).toBe(204);
    expect((await sally.delete(path, { 'if-match': 'W/"1"' })).status).toBe(404);
    expect((await sally.delete(path, { 'if-match': '*' })).status).toBe(404);
  });
});
