import { describe, expect, it } from 'vitest';
import { ensureUser, signIn } from '../support/role-users.js';
import { as } from '../support/stack.js';

type Rec = { id: string; version: number; [k: string]: unknown };
type Page = { items: Rec[]; nextCursor: string | null };

describe('concurrent edits', () => {
  it('20 parallel PATCHes with the same If-Match: exactly one wins, nineteen get 412, no lost update', async () => {
    // Prepare
    const sally = await as('sally');
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Race Inc' });
    // Act
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sally.patch<Rec>(`/v1/accounts/${account.id}`, { industry: `industry-${i}` }, { 'if-match': '"1"' }),
      ),
    );
    // Assess
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const winner = replies.find((r) => r.status === 200)!;
    const stored = await sally.get<Rec>(`/v1/accounts/${account.id}`);
    expect(stored.body.version).toBe(2);
    expect(stored.body.industry).toBe(winner.body.industry);
  });
});

describe('Idempotency-Key', () => {
  it('a repeat with the same key and body returns the first result and creates nothing', async () => {
    const sally = await as('sally');
    const key = `idem-${Date.now()}`;
    const first = await sally.post<Rec>('/v1/accounts', { name: 'Once Only' }, { 'idempotency-key': key });
    const second = await sally.post<Rec>('/v1/accounts', { name: 'Once Only' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const list = await sally.get<Page>('/v1/accounts?limit=100');
    expect(list.body.items.filter((i) => i.name === 'Once Only')).toHaveLength(1);
  });

  it('the same key with another body is a 409 and creates nothing', async () => {
    const sally = await as('sally');
    const key = `idem-conflict-${Date.now()}`;
    await sally.post('/v1/accounts', { name: 'First Body' }, { 'idempotency-key': key });
    const other = await sally.post('/v1/accounts', { name: 'Second Body' }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    const list = await sally.get<Page>('/v1/accounts?limit=100');
    expect(list.body.items.some((i) => i.name === 'Second Body')).toBe(false);
  });

  it('ten simultaneous creates with one key and body make one record, and no 5xx', async () => {
    const sally = await as('sally');
    const key = `idem-race-${Date.now()}`;
    const name = `Raced Once ${key}`;
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => sally.post<Rec>('/v1/accounts', { name }, { 'idempotency-key': key })),
    );
    // Each either replays the first result (201) or lost a transaction race and wrote nothing (409).
    for (const r of replies) expect([201, 409]).toContain(r.status);
    const ids = new Set(replies.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const list = await sally.get<Page>('/v1/accounts?limit=100');
    expect(list.body.items.filter((i) => i.name === name)).toHaveLength(1);
  });

  it('keys are per user: another user with the same key creates their own record', async () => {
    const sally = await as('sally');
    const max = await as('max');
    const key = `idem-shared-${Date.now()}`;
    const a = await sally.post<Rec>('/v1/accounts', { name: 'Per User' }, { 'idempotency-key': key });
    const b = await max.post<Rec>('/v1/accounts', { name: 'Per User' }, { 'idempotency-key': key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
  });
});

describe('paging', () => {
  it('sees every item exactly once across pages, newest first', async () => {
    // Prepare: a fresh sales user owns this test's records, so the ownerId filter isolates them
    const username = `pager-${Date.now()}`;
    await ensureUser(username, ['sales']);
    const pager = await signIn(username);
    const owner = pager.caller.userId;
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await pager.client.post<Rec>('/v1/accounts', { name: `Page ${i}` });
      created.push(res.body.id);
    }
    const sally = await as('sally');
    // Act
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/accounts?ownerId=${owner}&limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await sally.get<Page>(query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    // Assess
    expect(seen).toEqual([...created].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('enforces limit bounds and rejects a tampered cursor', async () => {
    const sally = await as('sally');
    for (const limit of ['0', '101', 'abc', '-1', '1.5']) {
      const res = await sally.get<{ errors: { path: string }[] }>(`/v1/accounts?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0]?.path).toBe('limit');
    }
    expect((await sally.get('/v1/accounts?limit=100')).status).toBe(200);
    const page = await sally.get<Page>('/v1/accounts?limit=1');
    const cursor = page.body.nextCursor!;
    const tampered = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
    const res = await sally.get<{ errors: { path: string }[] }>(`/v1/accounts?cursor=${tampered}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]?.path).toBe('cursor');
    const otherList = await sally.get(`/v1/contacts?cursor=${cursor}`);
    expect(otherList.status).toBe(400);
  });

  it('filters by state and account through their indexes', async () => {
    const sally = await as('sally');
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Filter Co' });
    const { body: opp } = await sally.post<Rec>('/v1/opportunities', {
      accountId: account.id,
      name: 'Big',
      stage: 'negotiation',
    });
    const byAccount = await sally.get<Page>(`/v1/opportunities?accountId=${account.id}`);
    expect(byAccount.body.items.map((i) => i.id)).toEqual([opp.id]);
    const byStage = await sally.get<Page>('/v1/opportunities?stage=negotiation&limit=100');
    expect(byStage.body.items.map((i) => i.id)).toContain(opp.id);
    await sally.patch(`/v1/opportunities/${opp.id}`, { stage: 'won' });
    const after = await sally.get<Page>('/v1/opportunities?stage=negotiation&limit=100');
    expect(after.body.items.map((i) => i.id)).not.toContain(opp.id);
  });
});

describe('errors', () => {
  it('415 for a body that is not JSON, 400 for broken JSON, 404 for malformed ids', async () => {
    const sally = await as('sally');
    const text = await sally.call('POST', '/v1/accounts', 'name=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const broken = await sally.call('POST', '/v1/accounts', '{"name":', {
      'content-type': 'application/json',
    });
    expect(broken.status).toBe(400);
    expect((await sally.get('/v1/accounts/not-an-id')).status).toBe(404);
  });

  it('a reference to a missing account is a 400 and writes nothing', async () => {
    const sally = await as('sally');
    const res = await sally.post<{ errors: { path: string }[] }>('/v1/contacts', {
      firstName: 'No',
      lastName: 'Account',
      accountId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]?.path).toBe('accountId');
  });
});
