import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiClient, tokenFor } from '../../infra/local/api-client.js';
import { jwtAuthorizer } from '../../infra/local/jwt-authorizer.js';
import { lambdaContext, loadHandler } from '../../infra/local/lambda-runtime.js';
import { type RunningStack, startStack } from '../../infra/local/stack.js';
import { recordKey } from '../../shared/db/keys.js';
import { HANDLERS, handlerEntry } from '../../shared/http/routes.js';
import { PROJECT_ROOT } from './processes.js';
import { heading, ms, ratio, type Summary, summarize, table } from './stats.js';

/**
 * Framework overhead: the same read and the same conditional write, once through the whole local
 * API (HTTP → gateway → JWT → handler → DynamoDB Local), once through the handler alone (the part
 * that runs inside Lambda in AWS), and once as the bare SDK call. Interleaved, so drift hits all alike.
 */

/** Handler (framework inside the Lambda) over the bare SDK call: the goal. */
export const GOAL_RATIO = 1.2;
const WARMUP = 50;

type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
type ApiResult = APIGatewayProxyStructuredResultV2;

export type Variant =
  | 'gateway GET'
  | 'handler GET'
  | 'bare GetItem'
  | 'gateway PATCH'
  | 'handler PATCH'
  | 'bare UpdateItem'
  | 'JWT verify'
  | 'gateway GET /v1/health'
  | 'gateway GET /v1/me';

export interface LatencyResult {
  n: number;
  stats: Record<Variant, Summary>;
  ratios: {
    getGateway: number;
    patchGateway: number;
    getHandler: number;
    patchHandler: number;
    getGatewayP95: number;
    patchGatewayP95: number;
  };
}

export interface LatencyContext {
  stack: RunningStack;
  dataDir: string;
  stop(): Promise<void>;
}

/** The in-process stack the latency (and round-trip) benchmarks share: in memory, in a temp folder. */
export async function startBenchStack(workDir: string): Promise<LatencyContext> {
  const dataDir = await mkdtemp(join(workDir, 'stack-'));
  const stack = await startStack({ dataDir, persistent: false });
  return {
    stack,
    dataDir,
    stop: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function eventFor(
  method: 'GET' | 'PATCH',
  path: string,
  routeKey: string,
  id: string,
  claims: Record<string, string>,
  token: string,
  body?: string,
): ApiEvent {
  const now = new Date();
  const headers: Record<string, string> = {
    host: '127.0.0.1',
    authorization: `Bearer ${token}`,
    'user-agent': 'concord-bench',
    ...(body ? { 'content-type': 'application/json' } : {}),
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers,
    pathParameters: { id },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'concord-bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

function expectStatus(what: string, status: number | undefined, wanted: number) {
  if (status !== wanted) throw new Error(`${what} answered ${status}, expected ${wanted}`);
}

export async function benchLatency(ctx: LatencyContext, n = 300): Promise<LatencyResult> {
  heading(`2. Latency: gateway vs handler vs bare SDK (N=${n} each, after ${WARMUP} warm-up calls)`);
  const { info } = ctx.stack;
  // The stream poller shares this Node thread; in AWS the stream consumer is another Lambda, off the
  // request path. Paused here so that neither side of the comparison pays for the other's stream records.
  await ctx.stack.streams.stop();

  const token = await tokenFor(info, 'sally');
  const api = apiClient(info.apiUrl, token);
  const created = await api.post<{ id: string; version: number; ownerId: string }>('/v1/accounts', {
    name: 'Bench Account',
  });
  expectStatus('POST /v1/accounts', created.status, 201);
  const { id, ownerId } = created.body;
  let version = created.body.version;
  const key = recordKey('accounts', id);
  const path = `/v1/accounts/${id}`;

  // The bare client: built exactly as shared/db/client.ts builds the handlers' (endpoint from the same env).
  const bare = DynamoDBDocumentClient.from(
    new DynamoDBClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const tableName = info.tableName;

  const authorize = jwtAuthorizer({
    issuer: info.auth.issuer,
    jwksUri: info.auth.jwksUri,
    clientId: info.auth.clientId,
  });
  const verified = await authorize(`Bearer ${token}`);
  if (!verified.ok) throw new Error(`the token did not verify: ${verified.reason}`);
  const claims = verified.claims;

  const getHandler = await loadHandler<ApiEvent, ApiResult>(
    join(PROJECT_ROOT, handlerEntry(HANDLERS.get('get-record')!)),
  );
  const patchHandler = await loadHandler<ApiEvent, ApiResult>(
    join(PROJECT_ROOT, handlerEntry(HANDLERS.get('update-record')!)),
  );

  let seq = 0;
  const versionOf = (body: string | undefined) => (JSON.parse(body ?? '{}') as { version: number }).version;

  // Each variant builds its inputs first and returns the milliseconds of the measured part only.
  const measured: Record<Variant, () => Promise<number>> = {
    'gateway GET': async () => {
      const t = performance.now();
      const r = await api.get(path);
      const d = performance.now() - t;
      expectStatus('gateway GET', r.status, 200);
      return d;
    },
    'handler GET': async () => {
      const event = eventFor('GET', path, 'GET /v1/accounts/{id}', id, claims, token);
      const context = lambdaContext('get-record');
      const t = performance.now();
      const r = await getHandler(event, context);
      const d = performance.now() - t;
      expectStatus('handler GET', r.statusCode, 200);
      return d;
    },
    'bare GetItem': async () => {
      const t = performance.now();
      const r = await bare.send(new GetCommand({ TableName: tableName, Key: key }));
      const d = performance.now() - t;
      if (!r.Item) throw new Error('bare GetItem found nothing');
      return d;
    },
    'gateway PATCH': async () => {
      const body = { industry: `x${seq++}` };
      const t = performance.now();
      const r = await api.patch<{ version: number }>(path, body);
      const d = performance.now() - t;
      expectStatus('gateway PATCH', r.status, 200);
      version = r.body.version;
      return d;
    },
    'handler PATCH': async () => {
      const event = eventFor(
        'PATCH',
        path,
        'PATCH /v1/accounts/{id}',
        id,
        claims,
        token,
        JSON.stringify({ industry: `x${seq++}` }),
      );
      const context = lambdaContext('update-record');
      const t = performance.now();
      const r = await patchHandler(event, context);
      const d = performance.now() - t;
      expectStatus('handler PATCH', r.statusCode, 200);
      version = versionOf(r.body);
      return d;
    },
    'bare UpdateItem': async () => {
      // What the handler's one UpdateItem does: SET the field + audit fields, bump the version, on the
      // condition that the item exists, is not deleted, is the caller's, and is at the expected version.
      const command = new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #f = :f, #ua = :ua, #ub = :ub, #v = #v + :one',
        ConditionExpression:
          'attribute_exists(#pk) AND attribute_not_exists(#del) AND #owner = :owner AND #v = :expected',
        ExpressionAttributeNames: {
          '#f': 'industry',
          '#ua': 'updatedAt',
          '#ub': 'updatedBy',
          '#v': 'version',
          '#pk': 'PK',
          '#del': '_deletedAt',
          '#owner': 'ownerId',
        },
        ExpressionAttributeValues: {
          ':f': `x${seq++}`,
          ':ua': new Date().toISOString(),
          ':ub': ownerId,
          ':one': 1,
          ':owner': ownerId,
          ':expected': version,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      const t = performance.now();
      const r = await bare.send(command);
      const d = performance.now() - t;
      version = r.Attributes?.version as number;
      return d;
    },
    'JWT verify': async () => {
      const t = performance.now();
      const r = await authorize(`Bearer ${token}`);
      const d = performance.now() - t;
      if (!r.ok) throw new Error(`JWT verify failed: ${r.reason}`);
      return d;
    },
    'gateway GET /v1/health': async () => {
      const t = performance.now();
      const r = await api.get('/v1/health');
      const d = performance.now() - t;
      expectStatus('gateway health', r.status, 200);
      return d;
    },
    'gateway GET /v1/me': async () => {
      const t = performance.now();
      const r = await api.get('/v1/me');
      const d = performance.now() - t;
      expectStatus('gateway me', r.status, 200);
      return d;
    },
  };
  const variants = Object.keys(measured) as Variant[];
  const samples = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
  const started = performance.now();
  for (let i = 0; i < WARMUP + n; i++) {
    // Round robin, starting one further each time, so no variant always follows the same neighbour.
    for (let j = 0; j < variants.length; j++) {
      const v = variants[(i + j) % variants.length]!;
      const d = await measured[v]();
      if (i >= WARMUP) samples[v].push(d);
    }
  }
  bare.destroy();
  console.log(`  ${variants.length} variants × ${WARMUP + n} calls in ${ms(performance.now() - started)}`);

  const stats = Object.fromEntries(variants.map((v) => [v, summarize(samples[v])])) as Record<
    Variant,
    Summary
  >;
  const r = (a: Variant, b: Variant, k: 'median' | 'p95' = 'median') => stats[a][k] / stats[b][k];
  const ratios = {
    getGateway: r('gateway GET', 'bare GetItem'),
    patchGateway: r('gateway PATCH', 'bare UpdateItem'),
    getHandler: r('handler GET', 'bare GetItem'),
    patchHandler: r('handler PATCH', 'bare UpdateItem'),
    getGatewayP95: r('gateway GET', 'bare GetItem', 'p95'),
    patchGatewayP95: r('gateway PATCH', 'bare UpdateItem', 'p95'),
  };

  console.log();
  console.log(
    table(
      ['variant', 'median', 'p95', 'mean', 'min'],
      variants.map((v) => [v, ms(stats[v].median), ms(stats[v].p95), ms(stats[v].mean), ms(stats[v].min)]),
    ),
  );
  const meets = (x: number) => (x <= GOAL_RATIO ? 'meets' : 'MISSES');
  const pairs: [Variant, Variant][] = [
    ['gateway GET', 'bare GetItem'],
    ['gateway PATCH', 'bare UpdateItem'],
    ['handler GET', 'bare GetItem'],
    ['handler PATCH', 'bare UpdateItem'],
  ];
  console.log();
  console.log(
    table(
      ['ratio (median)', 'value', `goal ≤ ${GOAL_RATIO}×`, 'p95 ratio'],
      pairs.map(([a, b]) => [
        `${a} / ${b}`,
        ratio(stats[a].median, stats[b].median),
        meets(r(a, b)),
        ratio(stats[a].p95, stats[b].p95),
      ]),
    ),
  );
  const m = (v: Variant) => stats[v].median;
  console.log(`
  Where the GET overhead goes (medians; differences of medians are approximate):
    bare GetItem (SDK + DynamoDB Local)             ${ms(m('bare GetItem'))}
    + inside the Lambda (middy, zod, policy, shape)  ${ms(m('handler GET') - m('bare GetItem'))}
    + local gateway: HTTP hop, routing, JWT, event   ${ms(m('gateway GET') - m('handler GET'))}
        of which JWT verify alone                    ${ms(m('JWT verify'))}
        HTTP round trip + gateway, no JWT, no store  ${ms(m('gateway GET /v1/health'))} (GET /v1/health)
        the same with JWT, no store                  ${ms(m('gateway GET /v1/me'))} (GET /v1/me)
  In AWS the HTTP hop, routing and JWT check are API Gateway's; only the "handler" rows run in the Lambda.`);
  return { n, stats, ratios };
}
