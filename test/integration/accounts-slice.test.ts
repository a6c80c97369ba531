import { describe, expect, it } from 'vitest';
import { anonymous, as, eventsFor, readJsonLines, stack, waitForEvent } from '../support/stack.js';

/** The vertical slice: HTTP → gateway → handler → DynamoDB Local → stream → bus → department queue. */
describe('accounts, end to end', () => {
  it('answers health without a token', async () => {
    const res = await anonymous().get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('creates an account whose event reaches the bus and the departments rules', async () => {
    // Prepare
    const sally = await as('sally');
    // Act
    const created = await sally.post<{ id: string; version: number; ownerDept: string }>('/v1/accounts', {
      name: 'Slice Corp',
      domain: 'slice.example',
    });
    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/accounts/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ name: 'Slice Corp', version: 1, ownerDept: 'sales' });
    const logged = await waitForEvent(created.body.id, 'account.created');
    expect(logged.event.source).toBe('concord.crm');
    expect(logged.event.detail).toMatchObject({
      specversion: 1,
      entity: 'account',
      action: 'created',
      ownerDept: 'sales',
    });
    expect(logged.matchedRules).toContain('sales-customers');
    const salesQueue = await readJsonLines<{ body: { id: string } }>(stack().queues.sales!);
    expect(salesQueue.some((m) => m.body.id === logged.event.id)).toBe(true);
  });

  it('gets, patches with If-Match, refuses a stale version, lists and deletes', async () => {
    const sally = await as('sally');
    const { body: account } = await sally.post<{ id: string }>('/v1/accounts', { name: 'Versioned Ltd' });
    const path = `/v1/accounts/${account.id}`;

    const got = await sally.get(path);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');

    const patched = await sally.patch(path, { industry: 'Retail' }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ industry: 'Retail', version: 2 });

    const stale = await sally.patch(path, { industry: 'Energy' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect((await sally.get(path)).body).toMatchObject({ industry: 'Retail', version: 2 });

    const list = await sally.get<{ items: { id: string }[] }>('/v1/accounts?limit=100');
    expect(list.body.items.map((i) => i.id)).toContain(account.id);

    expect((await sally.delete(path)).status).toBe(204);
    expect((await sally.get(path)).status).toBe(404);
    const after = await sally.get<{ items: { id: string }[] }>('/v1/accounts?limit=100');
    expect(after.body.items.map((i) => i.id)).not.toContain(account.id);

    await waitForEvent(account.id, 'account.deleted');
    const types = (await eventsFor(account.id)).map((e) => e.event['detail-type']);
    expect(types).toEqual(['account.created', 'account.updated', 'account.deleted']);
  });

  it('refuses a missing or bad token with 401 problem+json', async () => {
    const none = await anonymous().get('/v1/accounts');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const forged = await anonymous().call('GET', '/v1/accounts', undefined, {
      authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
    });
    expect(forged.status).toBe(401);
  });

  it('rejects a bad body with 400 and writes nothing', async () => {
    const sally = await as('sally');
    const before = await sally.get<{ items: unknown[] }>('/v1/accounts?limit=100');
    const res = await sally.post<{ errors: { path: string }[] }>('/v1/accounts', {
      name: '',
      version: 3,
      bogus: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path).sort()).toEqual(['bogus', 'name', 'version']);
    const after = await sally.get<{ items: unknown[] }>('/v1/accounts?limit=100');
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('answers unknown routes with 404 and oversized bodies with 413', async () => {
    const sally = await as('sally');
    expect((await sally.get('/v1/nowhere')).status).toBe(404);
    const big = await sally.post('/v1/accounts', { name: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
  });
});
