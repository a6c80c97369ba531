import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useStackEnv } from '../support/direct.js';
import { as, waitForEvent } from '../support/stack.js';

type Rec = { id: string; version: number; [k: string]: unknown };

describe('account timeline', () => {
  it('shows the account’s records across departments, newest first, filtered and redacted per caller', async () => {
    // Prepare
    const [sally, sue, mark] = await Promise.all([as('sally'), as('sue'), as('mark')]);
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Timeline Co' });
    const { body: contact } = await sally.post<Rec>('/v1/contacts', {
      accountId: account.id,
      firstName: 'Tim',
      lastName: 'Line',
      email: 'tim@timeline.example',
    });
    const { body: opp } = await sally.post<Rec>('/v1/opportunities', {
      accountId: account.id,
      name: 'Renewal',
      amount: 1200,
    });
    const { body: kase } = await sue.post<Rec>('/v1/cases', {
      accountId: account.id,
      subject: 'Broken widget',
    });
    const { body: call } = await sue.post<Rec>('/v1/activities', {
      type: 'call',
      subject: 'Called about the widget',
      relatedTo: { collection: 'cases', id: kase.id },
    });
    // Act
    const asSales = await sally.get<{ items: { collection: string; record: Rec }[] }>(
      `/v1/accounts/${account.id}/timeline`,
    );
    const asMarketing = await mark.get<{ items: { collection: string; record: Rec }[] }>(
      `/v1/accounts/${account.id}/timeline`,
    );
    // Assess
    expect(asSales.status).toBe(200);
    expect(asSales.body.items.map((i) => i.record.id)).toEqual([call.id, kase.id, opp.id, contact.id]);
    expect(asSales.body.items.find((i) => i.record.id === opp.id)?.record.amount).toBe('1200');
    // marketing reads neither opportunities nor cases; the contact's email is hidden (no opt-in)
    expect(asMarketing.body.items.map((i) => i.collection)).toEqual(['activities', 'contacts']);
    expect(asMarketing.body.items[1]?.record.email).toBeUndefined();
  });

  it('is 404 for an absent account and pages with a cursor', async () => {
    const sally = await as('sally');
    expect((await sally.get('/v1/accounts/01ARZ3NDEKTSV4RRFFQ69G5FAV/timeline')).status).toBe(404);
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Paged Timeline' });
    for (let i = 0; i < 5; i++) {
      await sally.post('/v1/activities', {
        type: 'note',
        subject: `n${i}`,
        relatedTo: { collection: 'accounts', id: account.id },
      });
    }
    const first = await sally.get<{ items: unknown[]; nextCursor: string }>(
      `/v1/accounts/${account.id}/timeline?limit=3`,
    );
    expect(first.body.items).toHaveLength(3);
    const second = await sally.get<{ items: unknown[]; nextCursor: string | null }>(
      `/v1/accounts/${account.id}/timeline?limit=3&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items).toHaveLength(2);
  });
});

describe('lead conversion', () => {
  it('creates account, contact and opportunity owned by the caller and marks the lead converted', async () => {
    const [mark, sally] = await Promise.all([as('mark'), as('sally')]);
    const { body: lead } = await mark.post<Rec>('/v1/leads', {
      name: 'Ada Byron',
      email: 'ada@engines.example',
      company: 'Engines',
      status: 'qualified',
    });
    const res = await sally.post<{ lead: Rec; account: Rec; contact: Rec; opportunity: Rec }>(
      `/v1/leads/${lead.id}/convert`,
      {
        opportunity: { amount: '5000', currency: 'EUR' },
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.lead).toMatchObject({ status: 'converted', version: 2 });
    expect(res.body.account).toMatchObject({ name: 'Engines', ownerDept: 'sales' });
    expect(res.body.contact).toMatchObject({
      firstName: 'Ada',
      lastName: 'Byron',
      accountId: res.body.account.id,
    });
    expect(res.body.opportunity).toMatchObject({
      accountId: res.body.account.id,
      amount: '5000',
      stage: 'prospecting',
    });
    expect((await sally.get(`/v1/contacts/${res.body.contact.id}`)).status).toBe(200);
    await waitForEvent(lead.id, 'lead.converted');
    // converting twice → 409
    expect((await sally.post(`/v1/leads/${lead.id}/convert`, {})).status).toBe(409);
  });

  it('links an existing account, refuses unqualified leads (409) and non-sales callers', async () => {
    const [mark, sally] = await Promise.all([as('mark'), as('sally')]);
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Linked Ltd' });
    const { body: lead } = await mark.post<Rec>('/v1/leads', { name: 'Lin Ked', status: 'qualified' });
    expect((await mark.post(`/v1/leads/${lead.id}/convert`, {})).status).toBe(403);
    const linked = await sally.post<{ accountId: string; account: null }>(`/v1/leads/${lead.id}/convert`, {
      accountId: account.id,
    });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ accountId: account.id, account: null });
    const { body: fresh } = await mark.post<Rec>('/v1/leads', { name: 'New Lead' });
    expect((await sally.post(`/v1/leads/${fresh.id}/convert`, {})).status).toBe(409);
  });

  it('simultaneous conversions: exactly one wins, the others get 409 and write nothing', async () => {
    const [mark, sally, max, ada] = await Promise.all([as('mark'), as('sally'), as('max'), as('ada')]);
    const company = `Race Lead ${Date.now()}`;
    const { body: lead } = await mark.post<Rec>('/v1/leads', {
      name: 'Rae Sing',
      company,
      status: 'qualified',
    });
    const callers = [sally, max, ada, sally, max, ada];
    const replies = await Promise.all(callers.map((c) => c.post(`/v1/leads/${lead.id}/convert`, {})));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    const accounts = await sally.get<{ items: Rec[] }>('/v1/accounts?limit=100');
    expect(accounts.body.items.filter((a) => a.name === company)).toHaveLength(1);
  });
});

describe('a conversion that fails in its last write', () => {
  beforeAll(() => useStackEnv());

  it('leaves nothing behind', async () => {
    // Prepare: a qualified lead, and a conversion built on a version that is no longer current
    const { convertLead } = await import('../../shared/db/conversion-repo.js');
    const { db, tableName } = await import('../../shared/db/client.js');
    const { recordKey } = await import('../../shared/db/keys.js');
    const mark = await as('mark');
    const { body: lead } = await mark.post<Rec>('/v1/leads', { name: 'Stale Read', status: 'qualified' });
    await mark.patch(`/v1/leads/${lead.id}`, { score: 50 });
    const meta = {
      version: 1,
      createdAt: 'x',
      updatedAt: 'x',
      createdBy: 'u',
      updatedBy: 'u',
      ownerId: 'u',
      ownerDept: 'sales',
    };
    const account = { ...meta, id: '01JZZZZZZZZZZZZZZZZZZZZZZ1', name: 'Ghost Account' };
    const contact = {
      ...meta,
      id: '01JZZZZZZZZZZZZZZZZZZZZZZ2',
      firstName: 'G',
      lastName: 'H',
      accountId: account.id,
    };
    // Act: the lead update (the last item) fails its version condition
    const outcome = await convertLead({
      lead: { id: lead.id, version: 1, patch: { status: 'converted' }, expect: { status: 'qualified' } },
      account: { create: account },
      contact,
    });
    // Assess
    expect(outcome).toEqual({ ok: false, reason: 'lead-changed' });
    for (const [collection, id] of [
      ['accounts', account.id],
      ['contacts', contact.id],
    ] as const) {
      const out = await db().send(new GetCommand({ TableName: tableName(), Key: recordKey(collection, id) }));
      expect(out.Item).toBeUndefined();
    }
    expect((await mark.get<Rec>(`/v1/leads/${lead.id}`)).body.status).toBe('qualified');
  });
});
