import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { as } from '../support/stack.js';

/**
 * Comments, mentions, watching and notifications through the local stack: HTTP → handler → DynamoDB
 * Local → stream → the notify consumer → the recipient's inbox. Who is notified, for which reason, once
 * each, never the actor, never someone who may not read the record; reading them one by one and all at
 * once. Demo users: sally (sales), max (sales manager), mark (marketing), sue (support), ada (admin).
 * The absence of a notification is judged only after a notification of the same change (or a later
 * one) has arrived: the consumer writes every recipient of a change in one go, in stream order.
 */
interface Notification {
  id: string;
  type: 'mention' | 'assignment' | 'handoff' | 'watch';
  at: string;
  read: boolean;
  actor: string | null;
  event: { type: string; entity: string; id: string };
  record: Record<string, unknown> & { id: string };
}
type Page<T> = { items: T[]; nextCursor: string | null };
type Rec = Record<string, unknown> & { id: string; version: number };

const PATIENCE_MS = 30_000;
let sally: ApiClient;
let max: ApiClient;
let mark: ApiClient;
let sue: ApiClient;
let ada: ApiClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sally = await as('sally');
  max = await as('max');
  mark = await as('mark');
  sue = await as('sue');
  ada = await as('ada');
  for (const [name, client] of Object.entries({ sally, max, mark, sue, ada })) {
    const me = await client.get<{ userId: string }>('/v1/me');
    ids[name] = me.body.userId;
  }
});

/** Every notification of the caller (all pages). */
async function inbox(client: ApiClient, unread = false): Promise<Notification[]> {
  const all: Notification[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...(unread ? { unread: 'true' } : {}) });
    if (cursor) query.set('cursor', cursor);
    const res = await client.get<Page<Notification>>(`/v1/notifications?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    all.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}

const about = (recordId: string) => (n: Notification) => n.event.id === recordId;
/** A change to the record, or a comment on it. */
const onRecord = (recordId: string) => (n: Notification) =>
  n.event.id === recordId || (n.record.parent as { id?: string } | undefined)?.id === recordId;

/** Polls the caller's inbox until `count` notifications match, or the patience runs out. */
async function waitForNotifications(
  client: ApiClient,
  match: (n: Notification) => boolean,
  count = 1,
): Promise<Notification[]> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const found = (await inbox(client)).filter(match);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function newAccount(client: ApiClient, name: string, extra: Record<string, unknown> = {}) {
  const res = await client.post<Rec>('/v1/accounts', { name, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function comment(client: ApiClient, path: string, body: string) {
  const res = await client.post<Rec>(`${path}/comments`, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('comments', () => {
  it('are created with ETag and Location, listed newest first, edited by the author, deleted softly', async () => {
    // Prepare
    const account = await newAccount(sally, 'Comment Lifecycle Ltd');
    const path = `/v1/accounts/${account.id}`;

    // Act
    const first = await sally.post<Rec>(`${path}/comments`, { body: 'First call went well.' });
    const second = await comment(sue, path, 'Support saw two tickets from them.');
    const list = await mark.get<Page<Rec>>(`${path}/comments`);

    // Assess
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`${path}/comments/${first.body.id}`);
    expect(first.headers.get('etag')).toBe(`"${first.body.version}"`);
    expect(first.body).toMatchObject({
      parent: { collection: 'accounts', id: account.id },
      body: 'First call went well.',
      ownerId: ids.sally,
      ownerDept: 'sales',
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.id)).toEqual([second.id, first.body.id]);

    // Act: sue may not edit sally's words, not even ada may; sally may, against the version she read
    const bySue = await sue.patch(`${path}/comments/${first.body.id}`, { body: 'rewritten' });
    const byAda = await ada.patch(`${path}/comments/${first.body.id}`, { body: 'rewritten' });
    const stale = await sally.patch(
      `${path}/comments/${first.body.id}`,
      { body: 'stale' },
      { 'If-Match': '"99"' },
    );
    const edit = await sally.patch<Rec>(
      `${path}/comments/${first.body.id}`,
      { body: 'First call went very well.' },
      { 'If-Match': first.headers.get('etag')! },
    );

    // Assess
    expect([bySue.status, byAda.status, stale.status]).toEqual([403, 403, 412]);
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ body: 'First call went very well.', version: first.body.version + 1 });

    // Act: sue may not delete sally's comment; ada (moderation) may delete sue's
    const deleteBySally = await sally.delete(`${path}/comments/${second.id}`);
    const deleteByAda = await ada.delete(`${path}/comments/${second.id}`);
    const again = await ada.delete(`${path}/comments/${second.id}`);
    const after = await sally.get<Page<Rec>>(`${path}/comments`);

    // Assess
    expect(deleteBySally.status).toBe(403);
    expect(deleteByAda.status).toBe(204);
    expect(again.status).toBe(404);
    expect(after.body.items.map((c) => c.id)).toEqual([first.body.id]);
  });

  it('are refused with a problem and nothing written for a bad body, an absent record or a hidden one', async () => {
    // Prepare
    const account = await newAccount(sally, 'Comment Refusals Inc');
    const lead = await mark.post<Rec>('/v1/leads', { name: 'Private Lead', email: 'lead@example.com' });
    expect(lead.status).toBe(201);
    const path = `/v1/accounts/${account.id}/comments`;

    // Act
    const blank = await sally.post(path, { body: '   ' });
    const extra = await sally.post(path, { body: 'ok', parent: { collection: 'leads', id: lead.body.id } });
    const absent = await sally.post('/v1/accounts/01J00000000000000000000000/comments', { body: 'hello' });
    const hidden = await sue.post(`/v1/leads/${lead.body.id}/comments`, { body: 'hello' });
    const list = await sally.get<Page<Rec>>(path);

    // Assess
    expect(blank.status).toBe(400);
    expect(blank.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(extra.status).toBe(400);
    expect(absent.status).toBe(404);
    expect(hidden.status).toBe(404);
    expect(list.body.items).toEqual([]);
  });

  it('show on the account timeline once the stream placed them', async () => {
    // Prepare
    const account = await newAccount(sally, 'Timeline Comments Co');

    // Act
    const note = await comment(sue, `/v1/accounts/${account.id}`, 'Seen on the timeline?');
    const deadline = Date.now() + PATIENCE_MS;
    let items: { collection: string; record: Rec }[] = [];
    while (Date.now() < deadline) {
      const res = await mark.get<Page<{ collection: string; record: Rec }>>(
        `/v1/accounts/${account.id}/timeline`,
      );
      items = res.body.items;
      if (items.some((i) => i.record.id === note.id)) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }

    // Assess
    expect(items).toContainEqual({
      collection: 'comments',
      record: expect.objectContaining({ id: note.id }),
    });
  });
});

describe('notifications', () => {
  it('a mention notifies those who may read the record, once each, never the actor or an unknown name', async () => {
    // Prepare: marketing reads accounts but not opportunities; max (a manager) reads both
    const account = await newAccount(sally, 'Mention Works');
    const opportunity = await sally.post<Rec>('/v1/opportunities', {
      name: 'Mention deal',
      accountId: account.id,
      amount: '5000',
    });
    expect(opportunity.status).toBe(201);

    // Act
    const onAccount = await comment(
      sally,
      `/v1/accounts/${account.id}`,
      'Hi @mark and @Sue, see @nobody-here and @mark again; mail sally@example.com. @sally',
    );
    const onDeal = await comment(sally, `/v1/opportunities/${opportunity.body.id}`, '@mark @max the deal');
    const forMax = await waitForNotifications(max, about(onDeal.id));
    const forMark = await waitForNotifications(mark, about(onAccount.id));
    const forSue = await waitForNotifications(sue, about(onAccount.id));

    // Assess
    expect(forMark).toHaveLength(1);
    expect(forMark[0]).toMatchObject({
      type: 'mention',
      read: false,
      actor: ids.sally,
      event: { type: 'comment.created', entity: 'comment', id: onAccount.id },
      record: { id: onAccount.id, body: expect.stringContaining('@mark') },
    });
    expect(forSue.map((n) => n.type)).toEqual(['mention']);
    expect(forMax.map((n) => n.type)).toEqual(['mention']);
    // The deal's mention reached max, so mark's would have arrived with it: he may not read opportunities.
    expect((await inbox(mark)).filter(about(onDeal.id))).toEqual([]);
    expect(
      (await inbox(sally)).filter((n) => n.event.id === onAccount.id || n.event.id === onDeal.id),
    ).toEqual([]);
  });

  it('an edit notifies only the names it adds', async () => {
    // Prepare
    const account = await newAccount(sally, 'Edited Mentions plc');
    const note = await comment(sally, `/v1/accounts/${account.id}`, 'Looping in @mark.');
    await waitForNotifications(mark, about(note.id));

    // Act
    const edit = await sally.patch<Rec>(`/v1/accounts/${account.id}/comments/${note.id}`, {
      body: 'Looping in @mark and @sue.',
    });
    const forSue = await waitForNotifications(sue, about(note.id));

    // Assess
    expect(edit.status).toBe(200);
    expect(forSue).toHaveLength(1);
    expect(forSue[0]!.event.type).toBe('comment.updated');
    expect((await inbox(mark)).filter(about(note.id))).toHaveLength(1);
  });

  it('watchers hear of changes by others until they stop watching', async () => {
    // Prepare
    const account = await newAccount(sally, 'Watched Holdings');
    const path = `/v1/accounts/${account.id}`;

    // Act: watching twice is one watch
    const watches = [await max.put(`${path}/watch`, undefined), await max.put(`${path}/watch`, undefined)];
    expect((await sue.put(`${path}/watch`, undefined)).status).toBe(204);
    expect((await sally.put(`${path}/watch`, undefined)).status).toBe(204);
    const patched = await sally.patch<Rec>(path, { industry: 'Logistics' });
    const forMax = await waitForNotifications(max, about(account.id));

    // Assess
    expect(watches.map((w) => w.status)).toEqual([204, 204]);
    expect(patched.status).toBe(200);
    expect(forMax, JSON.stringify(forMax, null, 1)).toHaveLength(1);
    expect(forMax[0]).toMatchObject({
      type: 'watch',
      actor: ids.sally,
      event: { type: 'account.updated', entity: 'account', id: account.id },
      record: { id: account.id, industry: 'Logistics' },
    });

    // Act: max stops (twice: still 204); sue still watches and hears of the next change and a comment
    const unwatch = [await max.delete(`${path}/watch`), await max.delete(`${path}/watch`)];
    await sally.patch(path, { industry: 'Freight' });
    await comment(sally, path, 'A note for the watchers.');
    const forSue = await waitForNotifications(sue, onRecord(account.id), 3);

    // Assess
    expect(unwatch.map((w) => w.status)).toEqual([204, 204]);
    expect(forSue.every((n) => n.type === 'watch')).toBe(true);
    expect(forSue.map((n) => n.event.type).sort()).toEqual(
      ['account.updated', 'account.updated', 'comment.created'].sort(),
    );
    // The comment reached sue, so max's notifications of the same changes would have arrived with it.
    expect((await inbox(max)).filter(onRecord(account.id))).toHaveLength(1);
    // Her own changes never notify the actor, though she watches.
    expect((await inbox(sally)).filter(onRecord(account.id))).toEqual([]);
  });

  it('an assignment notifies the new owner; a watch of an absent record is 404', async () => {
    // Act: max (a sales manager) creates an account for sally
    const account = await newAccount(max, 'Assigned Partners', { ownerId: ids.sally });
    const forSally = await waitForNotifications(sally, about(account.id));
    const absent = await max.put('/v1/accounts/01J00000000000000000000000/watch', undefined);

    // Assess
    expect(forSally.map((n) => [n.type, n.event.type, n.actor])).toEqual([
      ['assignment', 'account.created', ids.max],
    ]);
    expect(absent.status).toBe(404);
  });

  it("a handoff notifies the receiving department's members, and its answer the requester", async () => {
    // Prepare
    const account = await newAccount(sally, 'Handed Over Ltd');

    // Act
    const handoff = await sally.post<Rec>('/v1/handoffs', {
      record: { collection: 'accounts', id: account.id },
      toDept: 'support',
      reason: 'Please set up their support plan',
    });
    expect(handoff.status, JSON.stringify(handoff.body)).toBe(201);
    const forSue = await waitForNotifications(sue, about(handoff.body.id));
    const accepted = await sue.post(`/v1/handoffs/${handoff.body.id}/accept`);
    const forSally = await waitForNotifications(sally, about(handoff.body.id));

    // Assess: sales' own members hear nothing of their colleague's request
    expect(forSue.map((n) => [n.type, n.event.type])).toEqual([['handoff', 'handoff.requested']]);
    expect(accepted.status).toBe(200);
    expect(forSally.map((n) => [n.type, n.event.type, n.actor])).toEqual([
      ['handoff', 'handoff.accepted', ids.sue],
    ]);
    expect((await inbox(max)).filter(about(handoff.body.id))).toEqual([]);
  });

  it('a watcher of another department sees the record only as their role may', async () => {
    // Prepare: marketing may not see a contact's email and phone unless it opted in
    const contact = await sally.post<Rec>('/v1/contacts', {
      firstName: 'Hidden',
      lastName: 'Details',
      email: 'hidden@example.com',
      phone: '+15550100',
      marketingOptIn: false,
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    expect((await mark.put(`/v1/contacts/${contact.body.id}/watch`, undefined)).status).toBe(204);

    // Act
    await sally.patch(`/v1/contacts/${contact.body.id}`, { title: 'CTO' });
    const [seen] = await waitForNotifications(mark, about(contact.body.id));

    // Assess
    expect(seen).toMatchObject({ type: 'watch', event: { type: 'contact.updated' } });
    expect(seen!.record).toMatchObject({ id: contact.body.id, title: 'CTO', lastName: 'Details' });
    expect(seen!.record).not.toHaveProperty('email');
    expect(seen!.record).not.toHaveProperty('phone');
  });

  it('are marked read one by one and all at once, and listed unread only on request', async () => {
    // Prepare: two mentions of mark
    const account = await newAccount(sally, 'Read Receipts GmbH');
    const one = await comment(sally, `/v1/accounts/${account.id}`, '@mark one');
    const two = await comment(sally, `/v1/accounts/${account.id}`, '@mark two');
    const [first] = await waitForNotifications(mark, about(one.id));
    await waitForNotifications(mark, about(two.id));

    // Act
    const read = await mark.post(`/v1/notifications/${first!.id}/read`);
    const readAgain = await mark.post(`/v1/notifications/${first!.id}/read`);
    const unknown = await mark.post('/v1/notifications/01J00000000000000000000000/read');
    const othersOne = await sue.post(`/v1/notifications/${first!.id}/read`);
    const unread = await inbox(mark, true);

    // Assess
    expect([read.status, readAgain.status, unknown.status, othersOne.status]).toEqual([204, 204, 404, 404]);
    expect(unread.map((n) => n.id)).not.toContain(first!.id);
    expect(unread.some(about(two.id))).toBe(true);
    expect((await inbox(mark)).find((n) => n.id === first!.id)?.read).toBe(true);

    // Act
    const all = await mark.post<{ marked: number }>('/v1/notifications/read-all');
    const after = await inbox(mark, true);

    // Assess: what was unread is read (the stream may bring mark new ones meanwhile: they may be unread)
    expect(all.status).toBe(200);
    expect(all.body.marked).toBeGreaterThanOrEqual(unread.length);
    const readIds = new Set(unread.map((n) => n.id));
    expect(after.filter((n) => readIds.has(n.id))).toEqual([]);
    expect((await inbox(mark)).filter(about(two.id)).map((n) => n.read)).toEqual([true]);
  });

  it('a bad query is a 400 problem', async () => {
    // Act
    const res = await mark.get('/v1/notifications?unread=yes');
    const extra = await mark.get('/v1/notifications?since=1');

    // Assess
    expect(res.status).toBe(400);
    expect(extra.status).toBe(400);
  });
});
