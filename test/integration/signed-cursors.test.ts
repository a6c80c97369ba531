import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApiClient, Reply } from '../../infra/local/api-client.js';
import { LIMITS } from '../../shared/config/limits.js';
import { cursorKeys, encodeCursor, signCursor } from '../../shared/db/cursor.js';
import { listQuery, recordItem } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { TIMELINE_MAX_READS } from '../../shared/domain/use-cases/read-records.js';
import { useStackEnv } from '../support/direct.js';
import { as } from '../support/stack.js';

type Rec = { id: string; [k: string]: unknown };
type Page<T> = { items: T[]; nextCursor: string | null };
type TimelinePage = Page<{ collection: string; record: Rec }>;
type Problem = { errors?: { path: string }[] };

/** What a cursor shows anyone who base64-decodes it (its first part). */
const decoded = (cursor: string) => Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8');
/** Key names and key prefixes (as they would show in JSON: ids are base32 and may hold "PK" or "SK"). */
const KEY_WORDS = /"PK"|"SK"|GSI\d|RECORD|ACCOUNT#|TIMELINE#|#OWNER#|#STATE#/;

/** Follows nextCursor to the end; every page and every cursor is kept. */
async function pageThrough<T>(client: ApiClient, path: string, limit: number) {
  const pages: Page<T>[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: Reply<Page<T>> = await client.get<Page<T>>(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

const expectCursorRefused = (res: { status: number; body: unknown }) => {
  expect(res.status).toBe(400);
  expect((res.body as Problem).errors?.map((e) => e.path)).toEqual(['cursor']);
};

describe('the timeline cursor shows nothing the caller may not read', () => {
  let account: Rec;
  /** Newest first, as the timeline lists them, with who may see each. */
  const made: { id: string; collection: string; marketingSees: boolean }[] = [];

  beforeAll(async () => {
    const [sally, sue] = await Promise.all([as('sally'), as('sue')]);
    account = (await sally.post<Rec>('/v1/accounts', { name: 'Cursor Secrets Co' })).body;
    const accountId = account.id;
    const steps: [ApiClient, string, Record<string, unknown>, boolean][] = [
      [sally, 'contacts', { accountId, firstName: 'Cora', lastName: 'One' }, true],
      [sally, 'opportunities', { accountId, name: 'Hidden deal 1', amount: 10 }, false],
      [sue, 'cases', { accountId, subject: 'Hidden case 1' }, false],
      [
        sue,
        'activities',
        { type: 'note', subject: 'Seen', relatedTo: { collection: 'accounts', id: accountId } },
        true,
      ],
      [sally, 'opportunities', { accountId, name: 'Hidden deal 2', amount: 20 }, false],
      [sue, 'cases', { accountId, subject: 'Hidden case 2' }, false],
      [sally, 'contacts', { accountId, firstName: 'Cora', lastName: 'Two' }, true],
      [sally, 'opportunities', { accountId, name: 'Hidden deal 3', amount: 30 }, false],
    ];
    for (const [client, collection, body, marketingSees] of steps) {
      const res = await client.post<Rec>(`/v1/${collection}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      made.unshift({ id: res.body.id, collection, marketingSees });
    }
  });

  it('marketing pages with limit=1: each cursor holds only the last item shown, never a hidden one', async () => {
    // Prepare
    const mark = await as('mark');
    const hiddenIds = made.filter((m) => !m.marketingSees).map((m) => m.id);

    // Act
    const pages = await pageThrough<TimelinePage['items'][number]>(
      mark,
      `/v1/accounts/${account.id}/timeline`,
      1,
    );

    // Assess
    const cursors = pages.map((p) => p.nextCursor).filter((c): c is string => c !== null);
    expect(cursors.length).toBeGreaterThan(0);
    for (const [i, cursor] of cursors.entries()) {
      const text = decoded(cursor);
      expect(text).not.toMatch(KEY_WORDS);
      for (const id of [...hiddenIds, account.id]) expect(text).not.toContain(id);
      expect(text).not.toMatch(/opportunities|cases/);
      // The position is the item the page showed.
      expect(JSON.parse(text)).toEqual({
        c: pages[i]!.items[0]!.collection,
        id: pages[i]!.items[0]!.record.id,
      });
    }
  });

  it.each<[string, string, number]>([
    ['marketing', 'mark', 1],
    ['marketing', 'mark', 2],
    ['sales', 'sally', 3],
  ])(
    '%s (%s) paging with limit=%i sees exactly its visible items, once each, newest first',
    async (_, who, limit) => {
      // Prepare
      const client = await as(who);
      const expected = made.filter((m) => who === 'sally' || m.marketingSees).map((m) => m.id);

      // Act
      const pages = await pageThrough<TimelinePage['items'][number]>(
        client,
        `/v1/accounts/${account.id}/timeline`,
        limit,
      );

      // Assess
      expect(pages.flatMap((p) => p.items.map((i) => i.record.id))).toEqual(expected);
      expect(pages.at(-1)!.nextCursor).toBeNull();
      // Only the last page may come out short.
      for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(limit);
    },
  );

  it('refuses the cursor edited at any one character (400 on cursor)', async () => {
    // Prepare
    const sally = await as('sally');
    const path = `/v1/accounts/${account.id}/timeline?limit=2`;
    const cursor = String((await sally.get<TimelinePage>(path)).body.nextCursor);
    const edits = [...cursor].map(
      (c, i) => cursor.slice(0, i) + (c === 'A' ? 'B' : 'A') + cursor.slice(i + 1),
    );

    // Act
    const replies = await Promise.all(edits.map((e) => sally.get(`${path}&cursor=${encodeURIComponent(e)}`)));

    // Assess
    expect(replies.length).toBeGreaterThan(40);
    for (const res of replies) expectCursorRefused(res);
    expect((await sally.get(`${path}&cursor=${cursor}`)).status).toBe(200);
  });

  it("refuses another account's timeline cursor and a list's cursor", async () => {
    // Prepare
    const sally = await as('sally');
    const other = (await sally.post<Rec>('/v1/accounts', { name: 'Other Co' })).body;
    await sally.post('/v1/contacts', { accountId: other.id, firstName: 'O', lastName: 'Ther' });
    await sally.post('/v1/contacts', { accountId: other.id, firstName: 'O', lastName: 'Ther 2' });
    const timelineCursor = (await sally.get<TimelinePage>(`/v1/accounts/${other.id}/timeline?limit=1`)).body
      .nextCursor;
    const listCursor = (await sally.get<Page<Rec>>('/v1/contacts?limit=1')).body.nextCursor;

    // Act / Assess
    for (const cursor of [timelineCursor, listCursor]) {
      expect(cursor).toBeTruthy();
      expectCursorRefused(await sally.get(`/v1/accounts/${account.id}/timeline?cursor=${cursor}`));
    }
  });
});

describe('list cursors are bound to their list', () => {
  it("refuses the leads list's cursor on the accounts list, and the reverse", async () => {
    // Prepare
    const [mark, sally] = await Promise.all([as('mark'), as('sally')]);
    for (const name of ['Cursor lead 1', 'Cursor lead 2']) await mark.post('/v1/leads', { name });
    for (const name of ['Cursor acct 1', 'Cursor acct 2']) await sally.post('/v1/accounts', { name });
    const leads = (await sally.get<Page<Rec>>('/v1/leads?limit=1')).body.nextCursor;
    const accounts = (await sally.get<Page<Rec>>('/v1/accounts?limit=1')).body.nextCursor;

    // Act / Assess
    expect(leads && accounts).toBeTruthy();
    expectCursorRefused(await sally.get(`/v1/accounts?cursor=${leads}`));
    expectCursorRefused(await sally.get(`/v1/leads?cursor=${accounts}`));
    expect((await sally.get(`/v1/accounts?cursor=${accounts}`)).status).toBe(200);
  });

  it("refuses the unfiltered list's cursor on the ownerId-filtered list, and the reverse", async () => {
    // Prepare
    const sally = await as('sally');
    const me = (await sally.get<{ userId: string }>('/v1/me')).body.userId;
    for (const name of ['Mine 1', 'Mine 2']) await sally.post('/v1/accounts', { name });
    const filtered = `/v1/accounts?ownerId=${encodeURIComponent(me)}&limit=1`;
    const all = (await sally.get<Page<Rec>>('/v1/accounts?limit=1')).body.nextCursor;
    const mine = (await sally.get<Page<Rec>>(filtered)).body.nextCursor;

    // Act / Assess
    expect(all && mine).toBeTruthy();
    expectCursorRefused(await sally.get(`${filtered}&cursor=${all}`));
    expectCursorRefused(await sally.get(`/v1/accounts?limit=1&cursor=${mine}`));
    expect((await sally.get(`${filtered}&cursor=${mine}`)).status).toBe(200);
  });

  it('shows no key name or filter value in a list cursor, only the last item shown', async () => {
    // Prepare
    const sally = await as('sally');
    const me = (await sally.get<{ userId: string }>('/v1/me')).body.userId;

    // Act
    const page = (await sally.get<Page<Rec>>(`/v1/accounts?ownerId=${encodeURIComponent(me)}&limit=1`)).body;

    // Assess
    const text = decoded(String(page.nextCursor));
    expect(text).not.toMatch(KEY_WORDS);
    expect(text).not.toContain(me);
    expect(JSON.parse(text)).toEqual({ c: 'accounts', id: page.items[0]!.id });
  });

  it('refuses a cursor signed with another secret (as after a rotation), takes the same one signed right', async () => {
    // Prepare
    const sally = await as('sally');
    const { items } = (await sally.get<Page<Rec>>('/v1/accounts?limit=1')).body;
    const last = { collection: 'accounts' as const, id: items[0]!.id };
    const q = listQuery('accounts', { by: 'all' });

    // Act
    const rotated = await sally.get(`/v1/accounts?cursor=${encodeCursor(cursorKeys('old secret'), q, last)}`);
    const current = await sally.get(
      `/v1/accounts?cursor=${encodeCursor(cursorKeys(inject('cursorSecret')), q, last)}`,
    );

    // Assess
    expectCursorRefused(rotated);
    expect(current.status).toBe(200);
  });
});

describe('a timeline run of hidden items longer than one request reads', () => {
  const HIDDEN = 1 + (TIMELINE_MAX_READS - 1) * LIMITS.pageSizeMax + 5;

  it('gives a sealed cursor that tells nothing, and the next page resumes after it', async () => {
    // Prepare: a contact, then more cases than one request of marketing's may read (written directly)
    useStackEnv();
    const { db, tableName } = await import('../../shared/db/client.js');
    const sally = await as('sally');
    const account = (await sally.post<Rec>('/v1/accounts', { name: 'Many Cases Co' })).body;
    const contact = (
      await sally.post<Rec>('/v1/contacts', { accountId: account.id, firstName: 'Old', lastName: 'Est' })
    ).body;
    const now = new Date().toISOString();
    const cases = Array.from({ length: HIDDEN }, () =>
      recordItem('cases', {
        id: newId(),
        accountId: account.id,
        subject: 'Hidden',
        status: 'open',
        createdAt: now,
        updatedAt: now,
        createdBy: 'sue',
        updatedBy: 'sue',
        ownerId: 'sue',
        ownerDept: 'support',
        version: 1,
      }),
    );
    for (let i = 0; i < cases.length; i += 25) {
      const batch = cases.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
    }
    const mark = await as('mark');

    // Act
    const pages = await pageThrough<TimelinePage['items'][number]>(
      mark,
      `/v1/accounts/${account.id}/timeline`,
      1,
    );

    // Assess
    expect(pages[0]!.items).toEqual([]);
    const sealed = decoded(String(pages[0]!.nextCursor));
    for (const item of cases) expect(sealed).not.toContain(String(item.id).slice(0, 10));
    expect(sealed).not.toMatch(KEY_WORDS);
    // Nothing but one sealed value: no collection, no id, no key in clear.
    expect(Object.keys(JSON.parse(sealed))).toEqual(['s']);
    expect(JSON.parse(sealed).s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(pages.flatMap((p) => p.items.map((i) => i.record.id))).toEqual([contact.id]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
  });
});

describe('the admin users list takes only its own signed cursors', () => {
  it.each<[string, () => string]>([
    ['a raw token', () => 'some-cognito-pagination-token'],
    [
      'an edited cursor',
      () => `${signCursor(cursorKeys(inject('cursorSecret')), 'admin-users', { t: 'x' })}A`,
    ],
    ['a records list cursor', () => signCursor(cursorKeys(inject('cursorSecret')), 'records', { t: 'x' })],
  ])('refuses %s (400 on cursor)', async (_, cursor) => {
    // Act
    const res = await (await as('ada')).get(`/v1/admin/users?cursor=${encodeURIComponent(cursor())}`);

    // Assess
    expectCursorRefused(res);
  });
});
