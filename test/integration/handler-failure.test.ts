import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { ENV } from '../../shared/config/env.js';
import { useStackEnv } from '../support/direct.js';
import { stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

describe('a handler that throws', () => {
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  let sally: ApiClient;

  beforeAll(async () => {
    // A function deployed without its table name fails its init (the env parse): a real internal failure.
    useStackEnv();
    delete process.env[ENV.tableName];
    gateway = await startWorkerGateway();
    sally = apiClient(gateway.url, await tokenFor(stack(), 'sally'));
  });
  afterAll(() => gateway.stop());

  it('gives a 500 problem without internals, and the gateway keeps serving', async () => {
    const failed = await sally.get('/v1/accounts');
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(failed.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something went wrong on our side.',
    });
    expect(JSON.stringify(failed.body)).not.toContain(ENV.tableName);
    const health = await apiClient(gateway.url).get('/v1/health');
    expect(health.status).toBe(200);
  });
});
