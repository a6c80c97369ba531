import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { useStackEnv } from '../support/direct.js';
import { stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

/** A client's patience (test/faults/probe.ts): an answer must come within it, store or no store. */
const PATIENCE_MS = 5_000;

describe('when DynamoDB accepts connections but never answers', () => {
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  let sally: ApiClient;
  const sockets = new Set<Socket>();
  // A store that hangs (a frozen JVM, a black-holed network): connects, reads, never replies.
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    useStackEnv({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` });
    gateway = await startWorkerGateway();
    sally = apiClient(gateway.url, await tokenFor(stack(), 'sally'));
  });
  afterAll(async () => {
    await gateway.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('answers 503 problem+json with Retry-After within the client patience, for a read and a write', async () => {
    // Prepare: the handlers' first call loads them (a cold start, as a Lambda has one): not timed.
    expect((await sally.get('/v1/accounts')).status).toBe(503);

    // Act
    const replies = await Promise.all(
      [() => sally.get('/v1/accounts'), () => sally.post('/v1/accounts', { name: 'Hung' })].map(
        async (call) => {
          const began = performance.now();
          const reply = await call();
          return { reply, ms: performance.now() - began };
        },
      ),
    );

    // Assess
    for (const { reply, ms } of replies) {
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(ms).toBeLessThan(PATIENCE_MS);
    }
  });
});
