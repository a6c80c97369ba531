import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { countItems, useStackEnv } from '../support/direct.js';
import { type HookedProxy, startHookedProxy } from '../support/hooked-proxy.js';
import { as, stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

type Rec = { id: string; version: number; [k: string]: unknown };
type Problem = { status: number; errors?: { path: string; message: string }[] };

const WRITES = ['UpdateItem', 'TransactWriteItems', 'PutItem'];
const NO_SUCH_ID = '01JZZZZZZZZZZZZZZZZZZZZZZ9';

/**
 * docs/api.md "Record rules" references, checked inside the write (issue 6, item 5): a PATCH that re-points
 * `accountId`/`contactId` checks its targets in the same transaction as the update, and a case's
 * contact belongs to the case's account. The requests under test go through a gateway in this worker
 * whose DynamoDB traffic passes a proxy that can hold the write back while a racing change (made
 * through the shared stack, around the proxy) lands between the use case's read and its write.
 */
describe('references checked inside the write', () => {
  let proxy: HookedProxy;
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  let sally: ApiClient;
  let sue: ApiClient;
  /** The same users on the shared stack: their writes are the racing ones, never held back. */
  let racingSally: ApiClient;
  let racingSue: ApiClient;

  beforeAll(async () => {
    proxy = await startHookedProxy(stack().dynamodbEndpoint);
    useStackEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.url });
    gateway = await startWorkerGateway();
    sally = apiClient(gateway.url, await tokenFor(stack(), 'sally'));
    sue = apiClient(gateway.url, await tokenFor(stack(), 'sue'));
    racingSally = await as('sally');
    racingSue = await as('sue');
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.stop();
  });

  async function created(client: ApiClient, path: string, body: Record<string, unknown>): Promise<Rec> {
    const res = await client.post<Rec>(path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }
  const account = (name: string) => created(sally, '/v1/accounts', { name });
  const contact = (accountId?: string) =>
    created(sally, '/v1/contacts', {
      firstName: 'Ref',
      lastName: 'Check',
      ...(accountId ? { accountId } : {}),
    });
  const theCase = (accountId: string, contactId?: string) =>
    created(sue, '/v1/cases', { accountId, subject: 'Ref case', ...(contactId ? { contactId } : {}) });
  const stored = async (client: ApiClient, path: string) => (await client.get<Rec>(path)).body;

  function expectInvalid(res: { status: number; body: unknown }, path: string, message?: RegExp) {
    expect(res.status).toBe(400);
    const errors = (res.body as Problem).errors ?? [];
    expect(errors.map((e) => e.path)).toEqual([path]);
    if (message) expect(errors[0]?.message).toMatch(message);
  }

  describe('a PATCH that re-points a reference', () => {
    it('checks the target in the one transaction of the update, and replies with what it stored', async () => {
      // Prepare
      const [a1, a2] = [await account('Ref A1'), await account('Ref A2')];
      const c = await contact(a1.id);
      proxy.reset();
      // Act
      const res = await sally.patch<Rec>(`/v1/contacts/${c.id}`, { accountId: a2.id });
      const calls = proxy.calls();
      // Assess
      expect(res.status).toBe(200);
      expect(calls).toEqual(['GetItem', 'TransactWriteItems']);
      expect(res.headers.get('etag')).toBe('"2"');
      expect(res.body).toEqual(await stored(sally, `/v1/contacts/${c.id}`));
      expect(res.body).toMatchObject({ accountId: a2.id, version: 2 });
    });

    it('a PATCH that changes no reference stays one conditional UpdateItem', async () => {
      const c = await contact((await account('Ref plain')).id);
      proxy.reset();
      const res = await sally.patch<Rec>(`/v1/contacts/${c.id}`, { title: 'CTO' });
      expect(res.status).toBe(200);
      expect(proxy.calls()).toEqual(['UpdateItem']);
    });

    it('an account that does not exist, or was deleted, is a 400 on accountId and changes nothing', async () => {
      // Prepare
      const a1 = await account('Ref keep');
      const gone = await account('Ref gone');
      expect((await sally.delete(`/v1/accounts/${gone.id}`)).status).toBe(204);
      const c = await contact(a1.id);
      for (const target of [NO_SUCH_ID, gone.id]) {
        // Act
        const res = await sally.patch(`/v1/contacts/${c.id}`, { accountId: target });
        // Assess
        expectInvalid(res, 'accountId', /no existing record/);
      }
      expect(await stored(sally, `/v1/contacts/${c.id}`)).toEqual(c);
    });

    it('a delete of the target that lands between the read and the write refuses the PATCH (the contact stays)', async () => {
      // Prepare
      const [a1, a2] = [await account('Ref race home'), await account('Ref race target')];
      const c = await contact(a1.id);
      const raced = proxy.before(WRITES, async () => {
        expect((await racingSally.delete(`/v1/accounts/${a2.id}`)).status).toBe(204);
      });
      // Act
      const res = await sally.patch(`/v1/contacts/${c.id}`, { accountId: a2.id });
      await raced;
      // Assess: the delete was committed before the write, so the write must not point at it
      expectInvalid(res, 'accountId', /no existing record/);
      expect(await stored(sally, `/v1/contacts/${c.id}`)).toEqual(c);
      expect((await sally.get(`/v1/accounts/${a2.id}`)).status).toBe(404);
    });

    it('a change to the record itself between the read and the write: 409 without If-Match, 412 with it', async () => {
      // Prepare
      const [a1, a2] = [await account('Ref lost home'), await account('Ref lost target')];
      const c = await contact(a1.id);
      const raced = proxy.before(WRITES, async () => {
        expect((await racingSally.patch(`/v1/contacts/${c.id}`, { title: 'Raced' })).status).toBe(200);
      });
      // Act
      const res = await sally.patch<Problem>(`/v1/contacts/${c.id}`, { accountId: a2.id });
      await raced;
      const stale = await sally.patch(`/v1/contacts/${c.id}`, { accountId: a2.id }, { 'if-match': '"1"' });
      // Assess
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(stale.status).toBe(412);
      expect(await stored(sally, `/v1/contacts/${c.id}`)).toMatchObject({
        accountId: a1.id,
        title: 'Raced',
        version: 2,
      });
    });
  });

  describe("a case's contact belongs to the case's account", () => {
    it('create: a contact of another account, or of none, is a 400 on contactId and writes nothing', async () => {
      // Prepare
      const [a1, a2] = [await account('Case home'), await account('Case other')];
      const others = await contact(a2.id);
      const loose = await contact();
      for (const contactId of [others.id, loose.id]) {
        const before = await countItems();
        // Act
        const res = await sue.post('/v1/cases', { accountId: a1.id, subject: 'Wrong contact', contactId });
        // Assess
        expectInvalid(res, 'contactId', /another account/);
        expect(await countItems(), 'a refused create writes nothing').toBe(before);
      }
      const missing = await sue.post('/v1/cases', {
        accountId: a1.id,
        subject: 'No contact',
        contactId: NO_SUCH_ID,
      });
      expectInvalid(missing, 'contactId', /no existing record/);
    });

    it('create: a contact of the same account is accepted', async () => {
      const a1 = await account('Case fine');
      const c = await contact(a1.id);
      const made = await theCase(a1.id, c.id);
      expect(made).toMatchObject({ accountId: a1.id, contactId: c.id });
    });

    it('PATCH of contactId alone is checked against the stored account of the case', async () => {
      // Prepare
      const [a1, a2] = [await account('Case patch home'), await account('Case patch other')];
      const mine = await contact(a1.id);
      const theirs = await contact(a2.id);
      const k = await theCase(a1.id);
      // Act
      const wrong = await sue.patch(`/v1/cases/${k.id}`, { contactId: theirs.id });
      const unchanged = await stored(sue, `/v1/cases/${k.id}`);
      const right = await sue.patch<Rec>(`/v1/cases/${k.id}`, { contactId: mine.id });
      // Assess
      expectInvalid(wrong, 'contactId', /another account/);
      expect(unchanged).toEqual(k);
      expect(right.status).toBe(200);
      expect(right.body).toEqual(await stored(sue, `/v1/cases/${k.id}`));
      expect(right.body).toMatchObject({ contactId: mine.id, version: 2 });
    });

    it('PATCH of accountId alone must keep the stored contact on the new account (400 on accountId)', async () => {
      // Prepare
      const [a1, a2] = [await account('Case move from'), await account('Case move to')];
      const c1 = await contact(a1.id);
      const c2 = await contact(a2.id);
      const k = await theCase(a1.id, c1.id);
      // Act
      const moved = await sue.patch(`/v1/cases/${k.id}`, { accountId: a2.id });
      const unchanged = await stored(sue, `/v1/cases/${k.id}`);
      const both = await sue.patch<Rec>(`/v1/cases/${k.id}`, { accountId: a2.id, contactId: c2.id });
      const back = await sue.patch<Rec>(`/v1/cases/${k.id}`, { accountId: a1.id, contactId: null });
      // Assess
      expectInvalid(moved, 'accountId', /contact/);
      expect(unchanged).toEqual(k);
      expect(both.status).toBe(200);
      expect(both.body).toMatchObject({ accountId: a2.id, contactId: c2.id });
      expect(back.status).toBe(200);
      expect(back.body.accountId).toBe(a1.id);
      expect(back.body).not.toHaveProperty('contactId');
    });

    it('a contact moved to another account between the read and the write refuses the PATCH', async () => {
      // Prepare
      const [a1, a2] = [await account('Case race home'), await account('Case race away')];
      const c = await contact(a1.id);
      const k = await theCase(a1.id);
      const raced = proxy.before(WRITES, async () => {
        expect((await racingSally.patch(`/v1/contacts/${c.id}`, { accountId: a2.id })).status).toBe(200);
      });
      // Act
      const res = await sue.patch(`/v1/cases/${k.id}`, { contactId: c.id });
      await raced;
      // Assess
      expectInvalid(res, 'contactId', /another account/);
      expect(await stored(sue, `/v1/cases/${k.id}`)).toEqual(k);
    });

    it('the account of the case changed between the read and the write: nothing written (409)', async () => {
      // Prepare
      const [a1, a2] = [await account('Case acct race 1'), await account('Case acct race 2')];
      const c = await contact(a1.id);
      const k = await theCase(a1.id);
      const raced = proxy.before(WRITES, async () => {
        expect((await racingSue.patch(`/v1/cases/${k.id}`, { accountId: a2.id })).status).toBe(200);
      });
      // Act: the contact fits the account read (a1), not the one now stored (a2)
      const res = await sue.patch(`/v1/cases/${k.id}`, { contactId: c.id });
      await raced;
      // Assess
      expect(res.status).toBe(409);
      const after = await stored(sue, `/v1/cases/${k.id}`);
      expect(after.accountId).toBe(a2.id);
      expect(after).not.toHaveProperty('contactId');
    });
  });
});
