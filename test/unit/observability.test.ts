import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-runtime.js';
import { OBSERVABILITY } from '../../shared/config/env.js';
import { recordItem } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { aRecord } from './fixtures.js';

/** EventBridge, faked: accepts every entry, or refuses every one while `refuse` is set. */
const bus = vi.hoisted(() => ({ refuse: false, sent: 0 }));
vi.mock('@aws-sdk/client-eventbridge', () => ({
  PutEventsCommand: class {
    constructor(readonly input: { Entries: unknown[] }) {}
  },
  EventBridgeClient: class {
    async send(command: { input: { Entries: unknown[] } }) {
      bus.sent += command.input.Entries.length;
      return {
        Entries: command.input.Entries.map((_, i) =>
          bus.refuse ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `ev-${i}` },
        ),
      };
    }
  },
}));

type Json = Record<string, unknown>;
let dir = '';
let logFile = '';
let saved: NodeJS.ProcessEnv;
let stdout: string[] = [];

beforeEach(async () => {
  saved = { ...process.env };
  dir = await mkdtemp(join(tmpdir(), 'concord-obs-'));
  logFile = join(dir, 'handlers.log');
  // This test looks at the EMF lines the local stack switches off; the logs go to a file of its own. The
  // initialization type is what Lambda sets on a container that starts for a request (a cold start).
  Object.assign(process.env, {
    CONCORD_LOG_FILE: logFile,
    POWERTOOLS_METRICS_DISABLED: 'false',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });
  stdout = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
    if (String(chunk).includes('"_aws"')) return Boolean(stdout.push(String(chunk)));
    return write(chunk, ...(rest as []));
  });
  bus.refuse = false;
  bus.sent = 0;
  vi.resetModules();
});
afterEach(async () => {
  process.env = saved;
  vi.restoreAllMocks();
  vi.resetModules();
  await rm(dir, { recursive: true, force: true });
});

/** The EMF lines printed so far, parsed. */
const emf = (): Json[] => stdout.flatMap((chunk) => chunk.trim().split('\n')).map((l) => JSON.parse(l));

/** The first log line with this message, once the file stream has written it. */
async function logLine(message: string, requestId?: string): Promise<Json> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    const line = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json)
      .find((l) => l.message === message && (!requestId || l.function_request_id === requestId));
    if (line || Date.now() > deadline) return line ?? {};
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const metricNames = (line: Json) =>
  (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap((m) =>
    m.Metrics.map((x) => x.Name),
  );

/** GET /v1/accounts/{id} by sally (sales), with these headers. */
const readAccount = (headers: Record<string, string>) =>
  ({
    routeKey: 'GET /v1/accounts/{id}',
    rawPath: '/v1/accounts/x',
    headers,
    pathParameters: { id: newId() },
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      authorizer: {
        jwt: { claims: { sub: 'u-1', 'cognito:username': 'sally', 'cognito:groups': '[sales]' } },
      },
    },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('an API invocation', () => {
  it('logs with the Lambda context and the correlation id, and exposes no cause of a 5xx', async () => {
    // Prepare: nothing listens at the store's endpoint, so the read fails as a store that is down.
    const { handler } = await import('../../functions/api/get-record.js');
    const context = lambdaContext('get-record');
    const event = readAccount({ 'x-correlation-id': 'corr-42' });

    // Act
    const reply = (await handler(event, context)) as { statusCode: number; body: string };

    // Assess
    expect(reply.statusCode).toBe(503);
    expect(JSON.parse(reply.body).detail).toBe('The store is unavailable; try again shortly.');
    expect(await logLine('request failed')).toMatchObject({
      level: 'ERROR',
      service: OBSERVABILITY.serviceName,
      correlation_id: 'corr-42',
      function_name: 'get-record',
      function_request_id: context.awsRequestId,
      cold_start: true,
    });
    // API functions emit no metric of their own (shared/http/metrics.ts says why): no EMF line at all.
    expect(emf()).toEqual([]);
  });

  it('takes the API request id as correlation id when the given one is not an id', async () => {
    // Prepare
    const { handler } = await import('../../functions/api/get-record.js');
    const context = lambdaContext('get-record');

    // Act
    await handler(readAccount({ 'x-correlation-id': 'x\n{"level":"INFO","forged":true}' }), context);

    // Assess
    expect(await logLine('request failed', context.awsRequestId)).toMatchObject({ correlation_id: 'req-1' });
  });
});

describe('a stream batch', () => {
  // The role cells are read from the table in a deployed function; here the code's matrix is in force.
  beforeEach(async () => {
    await import('../../functions/streams/publish-changes.js');
    const { useRefresher } = await import('../../shared/policy/role-cells.js');
    useRefresher(async () => {});
  });

  const batch = (): DynamoDBStreamEvent => ({
    Records: [
      {
        eventID: 'e-1',
        eventName: 'INSERT',
        dynamodb: {
          SequenceNumber: '100',
          NewImage: marshall(recordItem('accounts', aRecord({ name: 'Acme' })), {
            removeUndefinedValues: true,
          }) as never,
        },
      },
    ],
  });

  it('counts the records by collection and the events published, once they are on the bus', async () => {
    // Prepare
    const { handler } = await import('../../functions/streams/publish-changes.js');

    // Act
    const result = await handler(batch(), lambdaContext('publish-changes'));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(emf()).toContainEqual(
      expect.objectContaining({
        ColdStart: 1,
        function_name: 'publish-changes',
        service: OBSERVABILITY.serviceName,
      }),
    );
    expect(emf()).toContainEqual(expect.objectContaining({ collection: 'accounts', RecordsCreated: 1 }));
    expect(JSON.stringify(emf())).toContain(`"Namespace":"${OBSERVABILITY.metricsNamespace}"`);
    const published = emf().find((l) => 'EventsPublished' in l)!;
    expect(published).toMatchObject({ EventsPublished: 1, service: OBSERVABILITY.serviceName });
    expect(metricNames(published)).not.toContain('PublishFailures');
  });

  it('counts and logs what the bus refused after every try, and counts no record', async () => {
    // Prepare
    bus.refuse = true;
    const { handler } = await import('../../functions/streams/publish-changes.js');

    // Act
    const result = await handler(batch(), lambdaContext('publish-changes'));

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    expect(bus.sent).toBe(3);
    expect(emf()).toContainEqual(expect.objectContaining({ PublishFailures: 1, EventsPublished: 0 }));
    expect(emf().some((l) => 'RecordsCreated' in l)).toBe(false);
    expect(await logLine('the bus refused entries')).toMatchObject({
      level: 'WARN',
      codes: ['InternalFailure'],
    });
    expect(await logLine('events not published after every try')).toMatchObject({
      level: 'ERROR',
      sequence: '100',
      function_name: 'publish-changes',
    });
  });
});

describe('tracing', () => {
  const xrayMiddleware = (client: { middlewareStack: { identify(): string[] } }) =>
    client.middlewareStack.identify().filter((m) => m.includes('XRaySDKInstrumentation'));

  it('captures the shared adapters’ AWS clients in a traced function running in Lambda', async () => {
    // Prepare: as Lambda runs a consumer (no global HTTP patching in a test process).
    Object.assign(process.env, {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      POWERTOOLS_TRACE_ENABLED: 'true',
      POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    });
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { instrumentClient } = await import('../../shared/http/observability.js');
    const untraced = instrumentClient(new DynamoDBClient({}));
    const { tracer } = await import('../../shared/http/tracer.js');

    // Act
    const traced = instrumentClient(new DynamoDBClient({}));

    // Assess
    expect(tracer.isTracingEnabled()).toBe(true);
    expect(xrayMiddleware(untraced)).toEqual([]);
    expect(xrayMiddleware(traced)).not.toEqual([]);
  });

  it('is off with the local environment (handler-env), even where it would be on in Lambda', async () => {
    // Prepare
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
    const { tracer } = await import('../../shared/http/tracer.js');
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { instrumentClient } = await import('../../shared/http/observability.js');

    // Act
    const client = instrumentClient(new DynamoDBClient({}));

    // Assess
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(xrayMiddleware(client)).toEqual([]);
  });
});
