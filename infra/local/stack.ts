import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USERS } from '../../shared/config/demo.js';
import { ALL_GROUPS } from '../../shared/config/departments.js';
import { ENV } from '../../shared/config/env.js';
import { jobEntry, TRANSFER_JOB } from '../../shared/config/jobs.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { REPORT_RENDERER, SCHEDULES, scheduledEntry } from '../../shared/config/schedules.js';
import type { StreamConsumerName } from '../../shared/config/streams.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import { startLocalChannels } from './channels.js';
import { attachDepartmentQueues } from './department-queues.js';
import { startCognitoLocal } from './engines/cognito-local.js';
import { startCognitoMail } from './engines/cognito-mail.js';
import { groupsOfUser, initiateAuth, provisionUserPool } from './engines/cognito-pool.js';
import { startDynamoDbLocal } from './engines/dynamodb-local.js';
import { localAwsConfig } from './engines/local-aws.js';
import { freePort, type Logger, silentLogger } from './engines/processes.js';
import { startS3Local } from './engines/s3-local.js';
import { type LocalBus, startEventBus } from './event-bus.js';
import { startGateway } from './gateway.js';
import { handlerEnv, JOB_FUNCTION_NAME, localCursorSecret, REPORT_FUNCTION_NAME } from './handler-env.js';
import { jwtAuthorizer } from './jwt-authorizer.js';
import { startLambdaInvoke } from './lambda-invoke.js';
import { lambdaContext, loadHandler } from './lambda-runtime.js';
import { type LocalScheduler, startScheduler } from './scheduler.js';
import type { StackInfo } from './stack-info.js';
import { startStreamConsumers } from './stream-consumers.js';
import type { StreamPoller } from './stream-poller.js';
import { ensureTable } from './table.js';
import { tokenRoute } from './token-route.js';

export interface StackOptions {
  /** API port; a free one when omitted. */
  port?: number;
  dataDir: string;
  /** Keep DynamoDB data on disk (npm start) instead of in memory (tests). */
  persistent: boolean;
  /** Wipe dataDir first. */
  fresh?: boolean;
  log?: Logger;
  /** Called with each step's name as the stack comes up. */
  progress?: (step: string) => void;
}

export interface RunningStack {
  info: StackInfo;
  bus: LocalBus;
  /** Every stream consumer's poller at once: drain waits for them all, stop stops them all. */
  streams: StreamPoller;
  /** Each stream consumer's own poller (shared/config/streams.ts), by name. */
  consumers: ReadonlyMap<StreamConsumerName, StreamPoller>;
  /** True when the table was made on this start (so demo data may be seeded). */
  fresh: boolean;
  /** What the handlers sign cursors with (kept in dataDir): for tests that forge or read cursors. */
  cursorSecret: string;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const fn = (path: string) => join(root, 'functions', path);

/** The pool's PreTokenGeneration trigger (in AWS: StatefulStack.userSync). */
const SIGN_IN_TRIGGER = 'sync-user';

/** Puts the user's groups in the trigger event, where Cognito has them and cognito-local leaves a gap. */
function withGroups(pool: { cognitoEndpoint: string; userPoolId: string }) {
  return async (event: unknown) => {
    const e = event as { userName: string; request: { groupConfiguration?: Record<string, unknown> } };
    const groups = await groupsOfUser(pool.cognitoEndpoint, pool.userPoolId, e.userName);
    e.request.groupConfiguration = { ...e.request.groupConfiguration, groupsToOverride: groups };
    return e;
  };
}

/**
 * The whole backend on this machine: real engines as child processes, and in this process the
 * gateway, the stream poller, the event bus and the scheduler around the very same handlers.
 */
export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const log = opts.log ?? silentLogger;
  const step = opts.progress ?? (() => undefined);
  const dataDir = resolve(opts.dataDir);
  if (opts.fresh) await rm(dataDir, { recursive: true, force: true });
  const logsDir = join(dataDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };

  try {
    step('DynamoDB Local, cognito-local and S3 (s3rver)');
    const dbDir = join(dataDir, 'dynamodb');
    if (opts.persistent) await mkdir(dbDir, { recursive: true });
    const signInTrigger = { cognitoEndpoint: '', userPoolId: '' };
    const lambdas = await startLambdaInvoke({
      port: await freePort(),
      functions: {
        [SIGN_IN_TRIGGER]: {
          entry: fn(`triggers/${SIGN_IN_TRIGGER}.ts`),
          prepare: withGroups(signInTrigger),
        },
        // Started by POST /v1/imports/{id}/start, asynchronously, as in AWS.
        [JOB_FUNCTION_NAME]: { entry: join(root, jobEntry(TRANSFER_JOB)) },
        // Invoked by POST /v1/reports/{name}/run and waited for (RequestResponse), as in AWS.
        [REPORT_FUNCTION_NAME]: { entry: join(root, scheduledEntry(REPORT_RENDERER)) },
      },
      log,
    });
    stops.push(lambdas.stop);
    const [dynamo, cognito, s3] = await Promise.all([
      startDynamoDbLocal({ dbPath: opts.persistent ? dbDir : undefined, logsDir, log }),
      startCognitoLocal({
        dataDir: join(dataDir, 'cognito'),
        logsDir,
        log,
        triggers: { lambdaEndpoint: lambdas.endpoint, functions: { PreTokenGeneration: SIGN_IN_TRIGGER } },
      }),
      startS3Local({ dataDir: join(dataDir, 's3'), bucket: RESOURCE_NAMES.reportsBucket, logsDir, log }),
    ]);
    stops.push(dynamo.stop, cognito.stop, s3.stop);

    step('user pool, groups and demo users');
    const pool = await provisionUserPool(cognito.endpoint, {
      poolName: RESOURCE_NAMES.userPool,
      clientName: RESOURCE_NAMES.userPoolClient,
      groups: ALL_GROUPS,
      users: DEMO_USERS,
    });
    Object.assign(signInTrigger, { cognitoEndpoint: cognito.endpoint, userPoolId: pool.userPoolId });
    // The handlers reach cognito-local through the stand-in that emails invitations (as Cognito does).
    const cognitoMail = await startCognitoMail({ cognitoEndpoint: cognito.endpoint, log });
    stops.push(cognitoMail.stop);

    step('table and stream');
    const aws = localAwsConfig(dynamo.endpoint);
    const table = await ensureTable(aws, RESOURCE_NAMES.table);

    const busPort = await freePort();
    const cursorSecret = await localCursorSecret(dataDir);
    // The handlers run in this process and read their configuration as a Lambda does: from env.
    Object.assign(
      process.env,
      handlerEnv({
        dynamodb: dynamo.endpoint,
        cognito: cognitoMail.endpoint,
        userPoolId: pool.userPoolId,
        eventbridge: `http://127.0.0.1:${busPort}`,
        s3: s3.endpoint,
        cursorSecret,
        lambda: lambdas.endpoint,
      }),
    );

    step('user directory');
    // Each demo user signs in once, so the sign-in trigger mirrors them into the directory (as the
    // invitation route will do for a user made through the API) before anyone names them as an owner.
    await Promise.all(
      DEMO_USERS.map((u) => initiateAuth(cognito.endpoint, pool.clientId, u.username, u.password)),
    );

    step('event bus and department rules');
    const eventsLog = join(dataDir, 'events.jsonl');
    const bus = await startEventBus({
      port: busPort,
      busName: RESOURCE_NAMES.bus,
      rules: DEPARTMENT_RULES,
      eventsLog,
      log,
    });
    stops.push(bus.stop);

    step('channels: SES (aws-ses-v2-local), webhook receivers, department queues');
    const channels = await startLocalChannels({ dataDir, logsDir, log });
    stops.push(channels.stop);
    Object.assign(process.env, channels.env);
    cognitoMail.useMailbox(channels.email.endpoint);
    const queues = await attachDepartmentQueues(
      bus,
      DEPARTMENT_RULES,
      join(dataDir, 'queues'),
      channels.inboxes,
    );

    step('stream pollers');
    const consumers = await startStreamConsumers(aws, table.streamArn, dataDir, log);
    stops.push(consumers.stop);

    step('scheduler');
    const scheduler: LocalScheduler = startScheduler(
      SCHEDULES.map((s) => ({
        name: s.name,
        expression: s.expression,
        fire: async (at) => {
          const handler = await loadHandler(fn(`scheduled/${s.handler}.ts`));
          await handler({ ...s.input, scheduledAt: at.toISOString() }, lambdaContext(s.handler));
        },
      })),
      log,
    );
    stops.push(() => scheduler.stop());

    step('API gateway');
    const port = opts.port ?? (await freePort());
    const apiUrl = `http://127.0.0.1:${port}`;
    const server: Server = await startGateway({
      port,
      authorize: jwtAuthorizer({ issuer: pool.issuer, jwksUri: pool.jwksUri, clientId: pool.clientId }),
      extraRoutes: { 'POST /local/token': tokenRoute(cognito.endpoint, pool.clientId) },
      log,
    });
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
    server.closeIdleConnections?.();

    step('channel delivery');
    // Record links in channel messages point at this API (in AWS: the HTTP API's URL).
    process.env[ENV.recordLinkBase] = apiUrl;
    await channels.startDelivery();

    const info: StackInfo = {
      apiUrl,
      docsUrl: `${apiUrl}/v1/docs`,
      auth: {
        issuer: pool.issuer,
        jwksUri: pool.jwksUri,
        tokenUrl: `${apiUrl}/local/token`,
        userPoolId: pool.userPoolId,
        clientId: pool.clientId,
        cognitoEndpoint: cognito.endpoint,
      },
      users: DEMO_USERS.map(({ username, password, groups }) => ({ username, password, groups })),
      bucket: RESOURCE_NAMES.reportsBucket,
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      eventsLog,
      eventBus: { endpoint: `http://127.0.0.1:${busPort}`, name: RESOURCE_NAMES.bus },
      queues,
      deadLetters: consumers.deadLetterFiles['publish-changes'],
      deadLetterFiles: consumers.deadLetterFiles,
      tableName: RESOURCE_NAMES.table,
      email: channels.email,
      receivers: channels.receivers,
    };
    return {
      info,
      bus,
      streams: consumers,
      consumers: consumers.pollers,
      fresh: table.created,
      cursorSecret,
      stop: async () => {
        server.closeAllConnections?.();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
