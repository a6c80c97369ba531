import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { freePort } from '../../infra/local/engines/processes.js';
import { useStackEnv } from '../support/direct.js';
import { stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

describe('when DynamoDB is unreachable', () => {
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  let sally: ApiClient;

  beforeAll(async () => {
    // A port nothing listens on: the SDK gets ECONNREFUSED, as when the store is down.
    useStackEnv({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await freePort()}` });
    gateway = await startWorkerGateway();
    sally = apiClient(gateway.url, await tokenFor(stack(), 'sally'));
  });
  afterAll(() => gateway.stop());

  it('answers 503 problem+json with Retry-After and no internals', async () => {
    for (const res of [await sally.get('/v1/accounts'), await sally.post('/v1/accounts', { name: 'Down' })]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|DynamoDB|at |node_modules/);
    }
  });
});
