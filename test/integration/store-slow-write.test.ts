import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { useStackEnv } from '../support/direct.js';
import { stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

/** A client's patience (test/faults/probe.ts). */
const PATIENCE_MS = 5_000;

/**
 * A write that commits but whose answer never comes back (a store that is slow under load, a lost
 * reply): a proxy in front of DynamoDB Local forwards the next PutItem, lets it commit, and withholds
 * the reply until the handler gives up on it. The handler must not retry the write on its own: the
 * retry fails the write's own condition (the item is there now) and the client got a 500.
 */
describe('when a write commits but its answer does not come back', () => {
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  let sally: ApiClient;
  let proxy: Server;
  let withhold = false;
  const puts: string[] = [];

  beforeAll(async () => {
    const upstream = new URL(stack().dynamodbEndpoint);
    proxy = createServer((req, res) => {
      const op =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      if (op === 'PutItem') puts.push(withhold ? 'withheld' : 'answered');
      const hold = withhold && op === 'PutItem';
      if (hold) withhold = false;
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          // Withheld: read and dropped; the handler's socket closes when it gives up.
          if (hold) return void up.resume();
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as { port: number };
    useStackEnv({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` });
    gateway = await startWorkerGateway();
    sally = apiClient(gateway.url, await tokenFor(stack(), 'sally'));
    // The handlers' first call loads them (a cold start): not part of what is timed below.
    expect((await sally.post('/v1/accounts', { name: 'Warm-up' })).status).toBe(201);
  });
  afterAll(async () => {
    await gateway.stop();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('answers 503 with Retry-After within the client patience, not 500, and sends the write once', async () => {
    // Prepare
    withhold = true;
    puts.length = 0;

    // Act
    const began = performance.now();
    const reply = await sally.post('/v1/accounts', { name: `Slow write ${Date.now()}` });
    const ms = performance.now() - began;

    // Assess
    expect(reply.status).toBe(503);
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ms).toBeLessThan(PATIENCE_MS);
    expect(puts).toEqual(['withheld']);
  });
});
