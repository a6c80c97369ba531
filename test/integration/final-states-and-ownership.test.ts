import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { countItems, useStackEnv } from '../support/direct.js';
import { ensureUser, type SignedIn, signIn } from '../support/role-users.js';
import { as } from '../support/stack.js';

type Rec = { id: string; version: number; ownerId: string; [k: string]: unknown };
type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };
type Conversion = {
  lead: Rec;
  accountId: string;
  account: Rec | null;
  contact: Rec;
  opportunity: Rec | null;
};

/** A sub no user has (Cognito subs are UUIDs). */
const NOBODY = '00000000-0000-4000-8000-000000000000';

function expectProblem(res: { status: number; headers: Headers }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
}

let sally: ApiClient;
let mark: ApiClient;
let max: ApiClient;
let ada: ApiClient;
/** Another sales member (max's department), a disabled sales user, and the demo users' ids. */
let peer: SignedIn;
let disabledId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [sally, mark, max, ada] = [await as('sally'), await as('mark'), await as('max'), await as('ada')];
  for (const u of ['sally', 'mark', 'max', 'ada']) ids[u] = (await signIn(u)).caller.userId;
  await ensureUser('fso-sales-peer', ['sales']);
  peer = await signIn('fso-sales-peer');
  await ensureUser('fso-sales-gone', ['sales']);
  disabledId = (await signIn('fso-sales-gone')).caller.userId;
  // Through the API, which disables the user in the pool and in the user directory the writes check.
  expect((await ada.delete('/v1/admin/users/fso-sales-gone')).status).toBe(204);
});

async function qualifiedLead(name: string): Promise<Rec> {
  const res = await mark.post<Rec>('/v1/leads', { name, company: `${name} Co`, status: 'qualified' });
  expect(res.status).toBe(201);
  return res.body;
}

async function convertedLead(name: string): Promise<Rec> {
  const lead = await qualifiedLead(name);
  const res = await sally.post<Conversion>(`/v1/leads/${lead.id}/convert`, {});
  expect(res.status).toBe(201);
  return res.body.lead;
}

describe('final states: a converted lead is settled (docs/api.md "Record rules")', () => {
  it('its owner cannot PATCH it back to any status: 409, nothing written', async () => {
    // Prepare
    const lead = await convertedLead('Final Status');
    for (const status of ['new', 'working', 'qualified', 'disqualified']) {
      // Act
      const res = await mark.patch<Problem>(`/v1/leads/${lead.id}`, { status });
      // Assess
      expectProblem(res, 409);
      expect(res.body.detail).toMatch(/converted/);
    }
    expect((await mark.get<Rec>(`/v1/leads/${lead.id}`)).body).toEqual(lead);
  });

  it('none of its fields may change either, with or without If-Match, by owner or admin', async () => {
    const lead = await convertedLead('Final Fields');
    const attempts: [ApiClient, Record<string, unknown>, Record<string, string>][] = [
      [mark, { score: 99 }, {}],
      [mark, { name: 'Renamed' }, { 'if-match': `"${lead.version}"` }],
      [mark, { email: null }, { 'if-match': '"1"' }],
      [ada, { source: 'admin edit' }, {}],
    ];
    for (const [client, body, headers] of attempts) {
      expectProblem(await client.patch(`/v1/leads/${lead.id}`, body, headers), 409);
    }
    expect((await ada.get<Rec>(`/v1/leads/${lead.id}`)).body).toEqual(lead);
  });

  it('someone who may not change it still gets 403, not a hint about its state', async () => {
    const lead = await convertedLead('Final Denied');
    expectProblem(await sally.patch(`/v1/leads/${lead.id}`, { score: 1 }), 403);
  });

  it('converting it again is 409 and creates no second account, contact or opportunity', async () => {
    // Prepare
    const lead = await convertedLead('Final Twice');
    await mark.patch(`/v1/leads/${lead.id}`, { status: 'qualified' });
    const before = await countItems();
    // Act
    const again = await sally.post(`/v1/leads/${lead.id}/convert`, { opportunity: { amount: '10.00' } });
    // Assess
    expectProblem(again, 409);
    expect(await countItems()).toBe(before);
    expect((await sally.get<Rec>(`/v1/leads/${lead.id}`)).body.status).toBe('converted');
  });

  it('PATCHes racing the conversion never leave a converted lead un-converted', async () => {
    // Prepare
    const lead = await qualifiedLead('Final Race');
    // Act
    const [conversion, ...patches] = await Promise.all([
      sally.post(`/v1/leads/${lead.id}/convert`, {}),
      ...Array.from({ length: 8 }, (_, i) =>
        mark.patch(`/v1/leads/${lead.id}`, { status: 'working', score: i }),
      ),
    ]);
    // Assess: each PATCH came before the conversion (then it failed) or after (then they failed)
    const stored = (await mark.get<Rec>(`/v1/leads/${lead.id}`)).body;
    for (const p of patches) expect([200, 409]).toContain(p.status);
    if (conversion.status === 201) expect(stored.status).toBe('converted');
    else expect(conversion.status).toBe(409);
  });

  it('the refusal is in the write itself: the repository refuses a final record without a read', async () => {
    // Prepare
    useStackEnv();
    const { updateRecord } = await import('../../shared/db/records-repo.js');
    const lead = await convertedLead('Final Atomic');
    // Act
    const outcome = await updateRecord('leads', lead.id, { status: 'qualified' }, { guard: { field: null } });
    // Assess
    expect(outcome).toMatchObject({ ok: false, reason: 'final' });
    expect((await mark.get<Rec>(`/v1/leads/${lead.id}`)).body).toEqual(lead);
  });

  it('DELETE is no state change: a converted lead may still be deleted by its owner', async () => {
    const lead = await convertedLead('Final Delete');
    expect((await mark.delete(`/v1/leads/${lead.id}`)).status).toBe(204);
    expect((await mark.get(`/v1/leads/${lead.id}`)).status).toBe(404);
  });
});

describe('ownerId within the write scope (docs/api.md "Permissions", as Salesforce transfers records)', () => {
  it('a member may own what they create, but not give it to anyone else (403, nothing written)', async () => {
    // Prepare
    const before = await countItems();
    // Act
    const toPeer = await sally.post('/v1/accounts', { name: 'Gift', ownerId: peer.caller.userId });
    const toNobody = await sally.post('/v1/accounts', { name: 'Gift', ownerId: NOBODY });
    const toSelf = await sally.post<Rec>('/v1/accounts', { name: 'Mine', ownerId: ids.sally });
    // Assess
    expectProblem(toPeer, 403);
    expectProblem(toNobody, 403);
    expect(toSelf.status).toBe(201);
    expect(toSelf.body.ownerId).toBe(ids.sally);
    expect(await countItems()).toBe(before + 1);
  });

  it('a manager hands records to users of their department only', async () => {
    const toPeer = await max.post<Rec>('/v1/accounts', { name: 'Team deal', ownerId: peer.caller.userId });
    expect(toPeer.status).toBe(201);
    expect(toPeer.body).toMatchObject({
      ownerId: peer.caller.userId,
      ownerDept: 'sales',
      createdBy: ids.max,
    });
    expectProblem(await max.post('/v1/accounts', { name: 'Away', ownerId: ids.mark }), 403);
    expectProblem(await max.post('/v1/accounts', { name: 'Away', ownerId: ids.ada }), 403);
  });

  it('an admin hands records to anyone who exists', async () => {
    const res = await ada.post<Rec>('/v1/accounts', { name: 'Anywhere', ownerId: ids.mark });
    expect(res.status).toBe(201);
    expect(res.body.ownerId).toBe(ids.mark);
  });

  it('an unknown or disabled user is a 400 on ownerId, for managers and admins alike', async () => {
    for (const [client, ownerId, message] of [
      [max, NOBODY, 'names no existing user'],
      [ada, NOBODY, 'names no existing user'],
      [ada, 'not"a-sub', 'names no existing user'],
      [max, disabledId, 'names a disabled user'],
    ] as const) {
      const before = await countItems();
      const res = await client.post<Problem>('/v1/contacts', { firstName: 'O', lastName: 'W', ownerId });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ path: 'ownerId', message }]);
      expect(await countItems()).toBe(before);
    }
  });

  it('PATCH of ownerId: a member may not give a record away; a manager transfers within the department', async () => {
    // Prepare
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Transfer me' });
    // Act
    const gift = await sally.patch(`/v1/accounts/${account.id}`, { ownerId: peer.caller.userId });
    const unchanged = (await sally.get<Rec>(`/v1/accounts/${account.id}`)).body;
    const outside = await max.patch(`/v1/accounts/${account.id}`, { ownerId: ids.mark });
    const transfer = await max.patch<Rec>(`/v1/accounts/${account.id}`, { ownerId: peer.caller.userId });
    // Assess
    expectProblem(gift, 403);
    expect(unchanged).toEqual(account);
    expectProblem(outside, 403);
    expect(transfer.status).toBe(200);
    expect(transfer.body.ownerId).toBe(peer.caller.userId);
    // The new owner may now change it; the old one may not.
    expect((await peer.client.patch(`/v1/accounts/${account.id}`, { industry: 'Mine now' })).status).toBe(
      200,
    );
    expectProblem(await sally.patch(`/v1/accounts/${account.id}`, { industry: 'Not mine' }), 403);
    expectProblem(await max.patch(`/v1/accounts/${account.id}`, { ownerId: NOBODY }), 400);
  });

  it('lead conversion parts obey the same rule: account, contact and opportunity ownerId', async () => {
    // Prepare
    const byMember = await qualifiedLead('Owner Parts Member');
    const byManager = await qualifiedLead('Owner Parts Manager');
    const byAdmin = await qualifiedLead('Owner Parts Admin');
    const before = await countItems();
    // Act
    const memberGift = await sally.post(`/v1/leads/${byMember.id}/convert`, {
      contact: { ownerId: peer.caller.userId },
    });
    const adminUnknown = await ada.post<Problem>(`/v1/leads/${byAdmin.id}/convert`, {
      account: { ownerId: NOBODY },
      opportunity: { ownerId: NOBODY, amount: '5.00' },
    });
    const managerOutside = await max.post(`/v1/leads/${byManager.id}/convert`, {
      opportunity: { ownerId: ids.mark },
    });
    const afterRefusals = await countItems();
    const managerTeam = await max.post<Conversion>(`/v1/leads/${byManager.id}/convert`, {
      opportunity: { ownerId: peer.caller.userId, amount: '5.00' },
    });
    // Assess
    expectProblem(memberGift, 403);
    expectProblem(adminUnknown, 400);
    expect(adminUnknown.body.errors).toEqual([
      { path: 'account.ownerId', message: 'names no existing user' },
      { path: 'opportunity.ownerId', message: 'names no existing user' },
    ]);
    expectProblem(managerOutside, 403);
    expect(afterRefusals).toBe(before);
    expect(managerTeam.status).toBe(201);
    expect(managerTeam.body.opportunity?.ownerId).toBe(peer.caller.userId);
    expect(managerTeam.body.contact.ownerId).toBe(ids.max);
    expect(managerTeam.body.account?.ownerId).toBe(ids.max);
    expect((await sally.get<Rec>(`/v1/leads/${byMember.id}`)).body.status).toBe('qualified');
  });
});

describe('conversion parts refuse prototype keys as create does (10c)', () => {
  it.each([
    ['account', '__proto__', '{"account":{"__proto__":{"name":"Injected"}}}'],
    ['contact', '__proto__', '{"contact":{"__proto__":{"ownerId":"someone"},"firstName":"A"}}'],
    ['opportunity', '__proto__', '{"opportunity":{"__proto__":{"amount":"1"}}}'],
    ['account', 'constructor', '{"account":{"constructor":{"name":"x"}}}'],
    ['opportunity', 'prototype', '{"opportunity":{"prototype":1}}'],
  ])('%s.%s → 400, nothing written, the lead still qualified', async (part, key, raw) => {
    // Prepare
    const lead = await qualifiedLead(`Proto ${part} ${key}`);
    const before = await countItems();
    // Act
    const res = await sally.post<Problem>(`/v1/leads/${lead.id}/convert`, raw);
    // Assess
    expectProblem(res, 400);
    expect(res.body.errors).toContainEqual({ path: `${part}.${key}`, message: 'is not a known field' });
    expect(await countItems()).toBe(before);
    expect((await sally.get<Rec>(`/v1/leads/${lead.id}`)).body.status).toBe('qualified');
  });

  it('create refuses the same keys (the rule conversion now follows)', async () => {
    const res = await sally.post<Problem>('/v1/accounts', '{"name":"P","__proto__":{"ownerId":"x"}}');
    expectProblem(res, 400);
    expect(res.body.errors).toContainEqual({ path: '__proto__', message: 'is not a known field' });
  });
});

describe('money over HTTP (docs/api.md "Record rules")', () => {
  it('an amount a float would round is a 400 that says to send a string; the same as a string is kept', async () => {
    // Prepare
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Money' });
    const body = (amount: string) => `{"accountId":"${account.id}","name":"Deal","amount":${amount}}`;
    // Act
    const rounded = await sally.post<Problem>('/v1/opportunities', body('0.30000000000000004'));
    const big = await sally.post<Problem>('/v1/opportunities', body('12345678901234567'));
    const exact = await sally.post<Rec>('/v1/opportunities', body('1200.50'));
    const asString = await sally.post<Rec>('/v1/opportunities', body('"1.005"'));
    // Assess
    for (const res of [rounded, big]) {
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ path: 'amount', message: expect.stringContaining('string') }]);
    }
    expect(exact.body.amount).toBe('1200.5');
    expect(asString.body.amount).toBe('1.005');
  });
});
