import type { Server } from 'node:http';
import { freePort } from '../../infra/local/engines/processes.js';
import { startGateway } from '../../infra/local/gateway.js';
import { jwtAuthorizer } from '../../infra/local/jwt-authorizer.js';
import { stack } from './stack.js';

/**
 * A second gateway, inside this test worker, over the same handlers: lets a test run them with its
 * own environment (a counting proxy, a store that is down) while the shared stack keeps serving.
 */
export async function startWorkerGateway(): Promise<{ url: string; stop(): Promise<void> }> {
  const { auth } = stack();
  const port = await freePort();
  const server: Server = await startGateway({
    port,
    authorize: jwtAuthorizer({ issuer: auth.issuer, jwksUri: auth.jwksUri, clientId: auth.clientId }),
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
