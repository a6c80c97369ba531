import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiClient, type Reply, tokenFor } from '../../infra/local/api-client.js';
import { freePort } from '../../infra/local/engines/processes.js';
import { startGateway } from '../../infra/local/gateway.js';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { jwtAuthorizer } from '../../infra/local/jwt-authorizer.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { startCountingProxy } from '../support/counting-proxy.js';
import { runNode } from './processes.js';
import { heading, table } from './stats.js';

/**
 * DynamoDB operations per route, counted on the wire by the counting proxy in front of DynamoDB Local.
 *
 * The handlers' DynamoDB client is made once per process (as in a Lambda container) from
 * AWS_ENDPOINT_URL_DYNAMODB, so a process that already served requests cannot be re-pointed at the
 * proxy: the counting runs in a child process with its own gateway over the same handlers, against
 * the parent's stack (its DynamoDB Local, its user pool).
 */

export interface RouteTrips {
  route: string;
  status: number;
  calls: string[];
}

const STACK_ENV = 'CONCORD_BENCH_STACK';
const RESULT_PREFIX = 'ROUND_TRIPS ';

/** In the parent: runs the child and prints what it counted. */
export async function benchRoundTrips(info: StackInfo): Promise<RouteTrips[]> {
  heading('3. Round trips: DynamoDB operations per route (counted on the wire)');
  // `--import tsx`: one process (tsx's CLI would add a second one between us and the child).
  const out = await runNode(['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [STACK_ENV]: JSON.stringify(info) },
    timeoutMs: 120_000,
  });
  const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`the round-trip child printed no result:\n${out}`);
  const trips = JSON.parse(line.slice(RESULT_PREFIX.length)) as RouteTrips[];
  console.log(
    table(
      ['route', 'status', 'operations', 'DynamoDB calls'],
      trips.map((t) => [t.route, String(t.status), String(t.calls.length), t.calls.join(' → ') || '(none)']),
    ),
  );
  return trips;
}

/** In the child: a counting proxy, this process's handlers pointed at it, a gateway, and the routes. */
async function countInChild(info: StackInfo): Promise<RouteTrips[]> {
  const proxy = await startCountingProxy(info.dynamodbEndpoint);
  Object.assign(
    process.env,
    handlerEnv({
      dynamodb: proxy.url,
      cognito: info.auth.cognitoEndpoint,
      userPoolId: info.auth.userPoolId,
      // This process's handlers sign and read their own cursors: none crosses to the stack's.
      cursorSecret: randomBytes(32).toString('base64url'),
    }),
  );
  const port = await freePort();
  const server: Server = await startGateway({
    port,
    authorize: jwtAuthorizer({
      issuer: info.auth.issuer,
      jwksUri: info.auth.jwksUri,
      clientId: info.auth.clientId,
    }),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const sally = apiClient(url, await tokenFor(info, 'sally'));
    const mark = apiClient(url, await tokenFor(info, 'mark'));
    const trips: RouteTrips[] = [];
    const count = async <T>(route: string, act: () => Promise<Reply<T>>): Promise<Reply<T>> => {
      proxy.reset();
      const reply = await act();
      trips.push({ route, status: reply.status, calls: proxy.calls() });
      return reply;
    };
    type Rec = { id: string };
    const account = await count('POST /v1/accounts (create)', () =>
      sally.post<Rec>('/v1/accounts', { name: 'Trips' }),
    );
    await count('POST /v1/accounts + Idempotency-Key', () =>
      sally.post<Rec>('/v1/accounts', { name: 'Trips 2' }, { 'idempotency-key': `bench-${Date.now()}` }),
    );
    const id = account.body.id;
    await count('GET /v1/accounts/{id}', () => sally.get(`/v1/accounts/${id}`));
    await count('PATCH /v1/accounts/{id}', () => sally.patch(`/v1/accounts/${id}`, { industry: 'x' }));
    await count('GET /v1/accounts?limit=10 (list)', () => sally.get('/v1/accounts?limit=10'));
    await count('GET /v1/accounts/{id}/timeline', () => sally.get(`/v1/accounts/${id}/timeline`));
    await count('DELETE /v1/accounts/{id}', () => sally.delete(`/v1/accounts/${id}`));
    const lead = await mark.post<Rec>('/v1/leads', { name: 'Round Trip', status: 'qualified' });
    if (lead.status !== 201) throw new Error(`creating a lead answered ${lead.status}`);
    await count('POST /v1/leads/{id}/convert', () => sally.post(`/v1/leads/${lead.body.id}/convert`, {}));
    return trips;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await proxy.stop();
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const raw = process.env[STACK_ENV];
  if (!raw) {
    console.error(`${STACK_ENV} is not set: this file is run by test/bench/run.ts`);
    process.exit(2);
  }
  countInChild(JSON.parse(raw) as StackInfo).then(
    (trips) => {
      console.log(`${RESULT_PREFIX}${JSON.stringify(trips)}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error((error as Error).stack ?? String(error));
      process.exit(1);
    },
  );
}
