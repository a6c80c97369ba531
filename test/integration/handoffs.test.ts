import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Reply } from '../../infra/local/api-client.js';
import type { Handoff } from '../../shared/domain/handoffs.js';
import { as, waitForEvent } from '../support/stack.js';
import { countItems, stableCount } from '../support/table-count.js';

/**
 * Handoffs through the local stack: HTTP → handler → DynamoDB Local → stream → bus. The state machine,
 * who may move a handoff, what an illegal or refused move writes (nothing), the events the receiving
 * department's rule gets, the lists and their paging. Demo users: sally (sales), max (sales manager),
 * mark (marketing), sue (support), ada (admin).
 */
type Page = { items: Handoff[]; nextCursor: string | null };
const NO_SUCH_ID = '01J00000000000000000000000';
let sally: ApiClient;
let max: ApiClient;
let mark: ApiClient;
let sue: ApiClient;
let ada: ApiClient;
let accountId = '';

beforeAll(async () => {
  sally = await as('sally');
  max = await as('max');
  mark = await as('mark');
  sue = await as('sue');
  ada = await as('ada');
  const account = await sally.post<{ id: string }>('/v1/accounts', { name: 'Handoff Industries' });
  expect(account.status).toBe(201);
  accountId = account.body.id;
});

async function request(client: ApiClient, toDept: string, about = { collection: 'accounts', id: accountId }) {
  const res = await client.post<Handoff>('/v1/handoffs', {
    record: about,
    toDept,
    reason: 'Please onboard them',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The handoff as the admin reads it: what is stored. */
const stored = async (id: string) => (await ada.get<Handoff>(`/v1/handoffs/${id}`)).body;

describe('a handoff through its states', () => {
  it('is requested, accepted and completed by the receiving department, each move announced to its rule', async () => {
    // Act
    const created = await sally.post<Handoff>('/v1/handoffs', {
      record: { collection: 'accounts', id: accountId },
      toDept: 'support',
      reason: 'Onboarding call',
    });

    // Assess
    expect(created.status).toBe(201);
    const h = created.body;
    expect(created.headers.get('location')).toBe(`/v1/handoffs/${h.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(h).toMatchObject({
      status: 'requested',
      toDept: 'support',
      ownerDept: 'sales',
      version: 1,
      record: { collection: 'accounts', id: accountId },
      reason: 'Onboarding call',
    });
    const requested = await waitForEvent(h.id, 'handoff.requested');
    expect(requested.matchedRules).toContain('support-handoffs');
    expect(requested.matchedRules).not.toContain('sales-handoffs');
    expect(requested.event.detail).toMatchObject({
      entity: 'handoff',
      action: 'created',
      record: { toDept: 'support' },
    });

    const accepted = await sue.post<Handoff>(`/v1/handoffs/${h.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', version: 2 });
    expect(accepted.headers.get('etag')).toBe('"2"');
    const acceptedEvent = await waitForEvent(h.id, 'handoff.accepted');
    expect(acceptedEvent.matchedRules).toEqual(['support-handoffs']);
    expect(acceptedEvent.event.detail).toMatchObject({ action: 'updated', changedFields: ['status'] });

    const completed = await sue.post<Handoff>(`/v1/handoffs/${h.id}/complete`);
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'completed', version: 3 });
    expect((await waitForEvent(h.id, 'handoff.completed')).matchedRules).toContain('support-handoffs');
    expect(await stored(h.id)).toEqual(completed.body);
  });

  it('is declined by a manager of the receiving department; a declined handoff is final', async () => {
    // Prepare: marketing hands a lead to sales
    const lead = await mark.post<{ id: string }>('/v1/leads', { name: 'Hand Over', status: 'qualified' });
    const h = await request(mark, 'sales', { collection: 'leads', id: lead.body.id });

    // Act
    const declined = await max.post<Handoff>(`/v1/handoffs/${h.id}/decline`);

    // Assess
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    const event = await waitForEvent(h.id, 'handoff.declined');
    expect(event.matchedRules).toContain('sales-handoffs');
    expect(event.matchedRules).not.toContain('marketing-handoffs');
    for (const move of ['accept', 'decline', 'complete']) {
      const res = await max.post(`/v1/handoffs/${h.id}/${move}`);
      expect(res.status, move).toBe(409);
    }
    expect((await mark.post(`/v1/handoffs/${h.id}/cancel`)).status).toBe(409);
    expect(await stored(h.id)).toEqual(declined.body);
  });
});

describe('illegal and refused moves', () => {
  it.each([
    ['complete', 'requested'],
    ['accept', 'accepted'],
    ['decline', 'accepted'],
  ])('%s on a %s handoff → 409, nothing written', async (move, status) => {
    // Prepare
    const h = await request(sally, 'support');
    if (status === 'accepted') expect((await sue.post(`/v1/handoffs/${h.id}/accept`)).status).toBe(200);
    const before = await stored(h.id);

    // Act
    const res = await sue.post<{ status: number; detail: string }>(`/v1/handoffs/${h.id}/${move}`);

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain(status);
    expect(await stored(h.id)).toEqual(before);
  });

  it('gives the requesting department 403 on the receiving side, and a third department 404', async () => {
    // Prepare
    const h = await request(sally, 'support');

    // Act
    const replies = {
      requesterAccepts: await sally.post(`/v1/handoffs/${h.id}/accept`),
      managerCompletes: await max.post(`/v1/handoffs/${h.id}/decline`),
      thirdReads: await mark.get(`/v1/handoffs/${h.id}`),
      thirdAccepts: await mark.post(`/v1/handoffs/${h.id}/accept`),
      thirdCancels: await mark.post(`/v1/handoffs/${h.id}/cancel`),
      receiverCancels: await sue.post(`/v1/handoffs/${h.id}/cancel`),
    };

    // Assess
    expect(Object.fromEntries(Object.entries(replies).map(([k, r]) => [k, r.status]))).toEqual({
      requesterAccepts: 403,
      managerCompletes: 403,
      thirdReads: 404,
      thirdAccepts: 404,
      thirdCancels: 404,
      receiverCancels: 403,
    });
    expect(await stored(h.id)).toEqual(h);
    expect((await sue.get<Handoff>(`/v1/handoffs/${h.id}`)).body).toEqual(h);
  });

  it('lets the requester cancel only while requested', async () => {
    // Prepare
    const open = await request(sally, 'marketing');
    const taken = await request(sally, 'marketing');
    expect((await mark.post(`/v1/handoffs/${taken.id}/accept`)).status).toBe(200);

    // Act
    const cancelled = await sally.post<Handoff>(`/v1/handoffs/${open.id}/cancel`);
    const tooLate = await sally.post(`/v1/handoffs/${taken.id}/cancel`);
    const twice = await sally.post(`/v1/handoffs/${open.id}/cancel`);

    // Assess
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(tooLate.status).toBe(409);
    expect(twice.status).toBe(409);
    expect((await stored(taken.id)).status).toBe('accepted');
    const event = await waitForEvent(open.id, 'handoff.cancelled');
    expect(event.matchedRules).toContain('marketing-handoffs');
  });

  it('lets a manager of the requesting department cancel a colleague’s request', async () => {
    const h = await request(sally, 'support');
    const res = await max.post<Handoff>(`/v1/handoffs/${h.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', updatedBy: expect.any(String) });
  });
});

describe('requesting a handoff', () => {
  it.each<[string, number, object, string | undefined]>([
    ['to its own department', 400, { toDept: 'sales' }, 'toDept'],
    ['to no known department', 400, { toDept: 'finance' }, 'toDept'],
    ['with a status of its own', 400, { status: 'accepted' }, 'status'],
    ['with a server field', 400, { ownerDept: 'support' }, 'ownerDept'],
    [
      'about a record that does not exist',
      404,
      { record: { collection: 'accounts', id: NO_SUCH_ID } },
      undefined,
    ],
    [
      'about a handoff (not a record to hand over)',
      400,
      { record: { collection: 'handoffs', id: NO_SUCH_ID } },
      'record.collection',
    ],
  ])('%s → %i, nothing written', async (_, status, change, path) => {
    // Prepare: whatever earlier steps made the stream's consumers write has settled
    const before = await stableCount();
    const body = {
      record: { collection: 'accounts', id: accountId },
      toDept: 'support',
      reason: 'x',
      ...change,
    };

    // Act
    const res = await sally.post<{ errors?: { path: string }[] }>('/v1/handoffs', body);

    // Assess
    expect(res.status).toBe(status);
    if (path) expect(res.body.errors?.map((e) => e.path)).toContain(path);
    expect(await countItems()).toBe(before);
  });

  it('needs the requester to be able to read the record (support cannot read leads → 404)', async () => {
    const lead = await mark.post<{ id: string }>('/v1/leads', { name: 'Hidden from support' });
    const before = await stableCount();
    const res = await sue.post('/v1/handoffs', {
      record: { collection: 'leads', id: lead.body.id },
      toDept: 'marketing',
      reason: 'x',
    });
    expect(res.status).toBe(404);
    expect(await countItems()).toBe(before);
  });

  it("lets an admin without a department hand over on behalf of the record's department", async () => {
    const h = await request(ada, 'marketing');
    expect(h.ownerDept).toBe('sales');
    const own = await ada.post('/v1/handoffs', {
      record: { collection: 'accounts', id: accountId },
      toDept: 'sales',
      reason: 'x',
    });
    expect(own.status).toBe(400);
  });

  it('honours Idempotency-Key: a repeat returns the first handoff and creates nothing', async () => {
    const body = { record: { collection: 'accounts', id: accountId }, toDept: 'support', reason: 'Once' };
    const key = { 'idempotency-key': `handoff-${Date.now()}` };
    const first = await sally.post<Handoff>('/v1/handoffs', body, key);
    const before = await stableCount();
    const again = await sally.post<Handoff>('/v1/handoffs', body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await stableCount()).toBe(before);
  });
});

describe('lists', () => {
  /** Every page of a list, in order, with the size of each page. */
  async function readAll(client: ApiClient, path: string) {
    const items: Handoff[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res: Reply<Page> = await client.get<Page>(url);
      expect(res.status, url).toBe(200);
      items.push(...res.body.items);
      sizes.push(res.body.items.length);
      cursor = res.body.nextCursor;
    } while (cursor && sizes.length < 100);
    return { items, sizes };
  }

  it('filters by receiving department and status, newest first, page by page', async () => {
    // Prepare: three requests to marketing; one of them accepted
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await request(sally, 'marketing'));
    expect((await mark.post(`/v1/handoffs/${made[1]!.id}/accept`)).status).toBe(200);
    const ids = made.map((h) => h.id);

    // Act
    const requested = await readAll(mark, '/v1/handoffs?toDept=marketing&status=requested&limit=2');
    const accepted = await readAll(mark, '/v1/handoffs?toDept=marketing&status=accepted&limit=2');
    const inbox = await readAll(mark, '/v1/handoffs?toDept=marketing&limit=2');
    const byStatus = await readAll(ada, '/v1/handoffs?status=accepted&limit=2');

    // Assess
    const mine = (page: { items: Handoff[] }) => page.items.map((h) => h.id).filter((id) => ids.includes(id));
    expect(mine(requested)).toEqual([ids[2], ids[0]]);
    expect(mine(accepted)).toEqual([ids[1]]);
    expect(mine(inbox)).toEqual([ids[2], ids[1], ids[0]]);
    expect(mine(byStatus)).toEqual([ids[1]]);
    for (const list of [requested, accepted, inbox]) {
      expect(Math.max(...list.sizes)).toBeLessThanOrEqual(2);
      expect(list.items.every((h) => h.toDept === 'marketing')).toBe(true);
      const all = list.items.map((h) => h.id);
      expect(all).toEqual([...all].sort().reverse());
      expect(new Set(all).size).toBe(all.length);
    }
    expect(requested.items.every((h) => h.status === 'requested')).toBe(true);
    expect(byStatus.items.every((h) => h.status === 'accepted')).toBe(true);
  });

  it('shows a department only the handoffs it sent or received', async () => {
    // Prepare
    const toMarketing = await request(sally, 'marketing');

    // Act
    const support = await readAll(sue, '/v1/handoffs?toDept=marketing&limit=100');
    const sales = await readAll(sally, '/v1/handoffs?limit=100');

    // Assess
    expect(support.items).toEqual([]);
    expect(sales.items.map((h) => h.id)).toContain(toMarketing.id);
    expect(sales.items.every((h) => h.ownerDept === 'sales' || h.toDept === 'sales')).toBe(true);
  });

  it.each([
    ['status=open', 'status'],
    ['toDept=finance', 'toDept'],
    ['ownerId=x', 'ownerId'],
    ['limit=0', 'limit'],
    ['cursor=forged', 'cursor'],
  ])('refuses ?%s with 400 on %s', async (query, path) => {
    const res = await sally.get<{ errors: { path: string }[] }>(`/v1/handoffs?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e) => e.path)).toContain(path);
  });

  it('lists the handoffs about one record that the caller may see, page by page', async () => {
    // Prepare
    const account = await sally.post<{ id: string }>('/v1/accounts', { name: 'Per Record Ltd' });
    const about = { collection: 'accounts', id: account.body.id };
    const toSupport = await request(sally, 'support', about);
    const toMarketing = await request(sally, 'marketing', about);
    const fromSupport = await request(sue, 'marketing', about);
    const path = `/v1/accounts/${account.body.id}/handoffs?limit=1`;

    // Act
    const forSales = await readAll(sally, path);
    const forMarketing = await readAll(mark, path);
    const forAdmin = await readAll(ada, path);

    // Assess
    expect(forAdmin.items.map((h) => h.id)).toEqual([fromSupport.id, toMarketing.id, toSupport.id]);
    expect(forSales.items.map((h) => h.id)).toEqual([toMarketing.id, toSupport.id]);
    expect(forMarketing.items.map((h) => h.id)).toEqual([fromSupport.id, toMarketing.id]);
    expect((await sue.get(`/v1/leads/${toSupport.id}/handoffs`)).status).toBe(404);
    expect((await sally.get(`/v1/accounts/${NO_SUCH_ID}/handoffs`)).status).toBe(404);
  });
});
