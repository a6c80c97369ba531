import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { LIST_SHARDS } from '../../shared/config/partitions.js';
import { eventually } from '../support/change-log.js';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy.js';
import { useStackEnv } from '../support/direct.js';
import { stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

type Rec = { id: string; version: number };

/** DynamoDB round trips per route, counted on the wire in front of DynamoDB Local. */
describe('DynamoDB round trips per route', () => {
  let proxy: CountingProxy;
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  let sally: ApiClient;
  let mark: ApiClient;
  let ada: ApiClient;

  beforeAll(async () => {
    proxy = await startCountingProxy(stack().dynamodbEndpoint);
    useStackEnv({ AWS_ENDPOINT_URL_DYNAMODB: proxy.url });
    gateway = await startWorkerGateway();
    sally = apiClient(gateway.url, await tokenFor(stack(), 'sally'));
    mark = apiClient(gateway.url, await tokenFor(stack(), 'mark'));
    ada = apiClient(gateway.url, await tokenFor(stack(), 'ada'));
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.stop();
  });

  /**
   * The calls of one request. A function checks the role permissions' version at most every 15 s
   * (docs/api.md "Role permissions"): a request first brings the gateway's handlers up to date, so the
   * count is the route's own, not that amortized check.
   */
  async function count<T>(act: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
    expect((await sally.get('/v1/me')).status).toBe(200);
    proxy.reset();
    const result = await act();
    return { result, calls: proxy.calls() };
  }

  it('create = 1 (a Put), and still 1 with an Idempotency-Key (one transaction)', async () => {
    const plain = await count(() => sally.post<Rec>('/v1/accounts', { name: 'Trips' }));
    expect(plain.calls).toEqual(['PutItem']);
    const keyed = await count(() =>
      sally.post<Rec>('/v1/accounts', { name: 'Trips 2' }, { 'idempotency-key': `rt-${Date.now()}` }),
    );
    expect(keyed.calls).toEqual(['TransactWriteItems']);
  });

  it('get = 1, patch = 1, list = one Query per shard (in parallel), timeline = 1, delete = 1', async () => {
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Trips 3' });
    expect((await count(() => sally.get(`/v1/accounts/${account.id}`))).calls).toEqual(['GetItem']);
    expect((await count(() => sally.patch(`/v1/accounts/${account.id}`, { industry: 'x' }))).calls).toEqual([
      'UpdateItem',
    ]);
    // A sharded list (shared/config/partitions.ts) reads every shard for a page, all at once.
    expect((await count(() => sally.get('/v1/accounts?limit=10'))).calls).toEqual(
      Array<string>(LIST_SHARDS).fill('Query'),
    );
    expect((await count(() => sally.get(`/v1/accounts/${account.id}/timeline`))).calls).toEqual(['Query']);
    expect((await count(() => sally.delete(`/v1/accounts/${account.id}`))).calls).toEqual(['UpdateItem']);
  });

  it('comment = 1, notifications page = 1, mark read = 1, feed page = 1, audit page = 1, handoff move = 1', async () => {
    // Prepare: a comment that mentions mark, and his notification of it
    const { body: account } = await sally.post<Rec>('/v1/accounts', { name: 'Trips 4' });
    const created = await count(() =>
      sally.post<Rec>(`/v1/accounts/${account.id}/comments`, { body: '@mark round trips' }),
    );
    const notification = await eventually('mark is notified', async () => {
      const page = await mark.get<{ items: { id: string; event: { id: string } }[] }>('/v1/notifications');
      return page.body.items.find((n) => n.event.id === created.result.body.id);
    });
    const handoff = await sally.post<Rec>('/v1/handoffs', {
      record: { collection: 'accounts', id: account.id },
      toDept: 'marketing',
      reason: 'Counting round trips',
    });

    // Act
    const page = await count(() => mark.get('/v1/notifications?limit=10'));
    const read = await count(() => mark.post(`/v1/notifications/${notification.id}/read`));
    const feed = await count(() => mark.get('/v1/changes?limit=10'));
    const audit = await count(() => ada.get(`/v1/audit?collection=accounts&id=${account.id}`));
    const move = await count(() => mark.post(`/v1/handoffs/${handoff.body.id}/accept`));

    // Assess
    expect(created.result.status).toBe(201);
    expect(created.calls).toEqual(['TransactWriteItems']);
    expect([page.result.status, read.result.status, feed.result.status, move.result.status]).toEqual([
      200, 204, 200, 200,
    ]);
    expect(page.calls).toEqual(['Query']);
    expect(read.calls).toEqual(['UpdateItem']);
    expect(feed.calls).toEqual(['Query']);
    expect(audit.calls).toEqual(['Query']);
    expect(move.calls).toEqual(['UpdateItem']);
  });

  it('convert = 2 (read the lead, then one transaction)', async () => {
    const { body: lead } = await mark.post<Rec>('/v1/leads', { name: 'Round Trip', status: 'qualified' });
    const convert = await count(() => sally.post(`/v1/leads/${lead.id}/convert`, {}));
    expect(convert.result.status).toBe(201);
    expect(convert.calls).toEqual(['GetItem', 'TransactWriteItems']);
  });
});
