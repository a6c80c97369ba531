import { describe, expect, it } from 'vitest';
import { eventually } from '../support/change-log.js';
import { as } from '../support/stack.js';

/**
 * The audit trail through the local stack: changes → stream → the audit consumer → GET /v1/audit.
 * Managers of the owning department and admins read it (before/after); members get 403, callers who
 * may not read the collection 404.
 */
interface Entry {
  actor: string | null;
  type: string;
  action: string;
  changedFields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
interface Trail {
  items: Entry[];
  nextCursor: string | null;
}

const trailOf = (collection: string, id: string) => `/v1/audit?collection=${collection}&id=${id}`;

async function trailWith(path: string, count: number): Promise<Trail> {
  const ada = await as('ada');
  return eventually(`${count} audit entries at ${path}`, async () => {
    const res = await ada.get<Trail>(`${path}&limit=100`);
    return res.status === 200 && res.body.items.length >= count ? res.body : undefined;
  });
}

describe('GET /v1/audit', () => {
  it('shows who changed what, before and after, newest first, to managers and admins; members get 403', async () => {
    // Prepare
    const [sally, max, ada, mark] = [await as('sally'), await as('max'), await as('ada'), await as('mark')];
    const account = await sally.post<{ id: string }>('/v1/accounts', { name: `Audit ${Date.now()}` });
    const deal = await sally.post<{ id: string; ownerId: string }>('/v1/opportunities', {
      accountId: account.body.id,
      name: 'Audited deal',
      amount: '100.00',
    });
    expect(deal.status).toBe(201);
    expect(
      (await sally.patch(`/v1/opportunities/${deal.body.id}`, { amount: '250.00', stage: 'proposal' }))
        .status,
    ).toBe(200);
    const path = trailOf('opportunities', deal.body.id);

    // Act
    await trailWith(path, 2);
    const [asManager, asAdmin, asMember, asOther] = [
      await max.get<Trail>(path),
      await ada.get<Trail>(path),
      await sally.get(path),
      await mark.get(path),
    ];

    // Assess
    expect(asManager.status).toBe(200);
    expect(asAdmin.status).toBe(200);
    for (const trail of [asManager.body, asAdmin.body]) {
      expect(trail.items.map((e) => e.action)).toEqual(['updated', 'created']);
      expect(trail.items[0]).toMatchObject({
        actor: deal.body.ownerId,
        type: 'opportunity.stage_changed',
        changedFields: ['amount', 'stage'],
        before: { amount: '100.00', stage: 'prospecting' },
        after: { amount: '250.00', stage: 'proposal' },
      });
      expect(trail.items[1]).toMatchObject({ before: null, after: { id: deal.body.id, amount: '100.00' } });
    }
    expect(asMember.status).toBe(403);
    expect(asOther.status).toBe(404);
  });

  it('outlives the record, pages with a signed cursor, and refuses a cursor of another trail', async () => {
    // Prepare
    const sally = await as('sally');
    const max = await as('max');
    const one = await sally.post<{ id: string }>('/v1/accounts', { name: `Audit gone ${Date.now()}` });
    const other = await sally.post<{ id: string }>('/v1/accounts', { name: `Audit other ${Date.now()}` });
    expect((await sally.patch(`/v1/accounts/${one.body.id}`, { industry: 'Retail' })).status).toBe(200);
    expect((await sally.delete(`/v1/accounts/${one.body.id}`)).status).toBe(204);
    const path = trailOf('accounts', one.body.id);
    await trailWith(path, 3);
    await trailWith(trailOf('accounts', other.body.id), 1);

    // Act
    const first = await max.get<Trail>(`${path}&limit=2`);
    const second = await max.get<Trail>(
      `${path}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    const foreign = await max.get(
      `${trailOf('accounts', other.body.id)}&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.items.map((e) => e.action)).toEqual(['deleted', 'updated']);
    expect(first.body.items[0]!.before).toMatchObject({ id: one.body.id, industry: 'Retail' });
    expect(second.body.items.map((e) => e.action)).toEqual(['created']);
    expect(second.body.nextCursor).toBeNull();
    expect(foreign.status).toBe(400);
  });
});
