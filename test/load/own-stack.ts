import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { attachDepartmentQueues } from '../../infra/local/department-queues.js';
import { startDynamoDbLocal } from '../../infra/local/engines/dynamodb-local.js';
import { type Logger, runningChildren, stopAll } from '../../infra/local/engines/processes.js';
import { type LocalBus, startEventBus } from '../../infra/local/event-bus.js';
import { type RunningStack, startStack } from '../../infra/local/stack.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import { descendantsOf, type ProcessRow } from '../bench/processes.js';

/**
 * A local stack of the load, fault and soak runs' own, in a temp folder, started in this process as
 * the benchmarks start theirs (never the shared integration stack: a run kills engines). Faults are
 * made through the engines module: an engine is found among the children it registered and killed
 * by its PID; DynamoDB Local comes back on the same port and the same data folder; the bus server
 * is stopped and started again on its port, with the same rules, log and department queues.
 */
export type EngineName = 'dynamodb-local' | 'cognito-local' | 's3rver';

export interface OwnStack {
  stack: RunningStack;
  dataDir: string;
  /** The handlers' JSON log (CONCORD_LOG_FILE), when this process set one before loading them. */
  handlerLog: string | undefined;
  /** The bus serving now (a new one after startBus). */
  bus(): LocalBus;
  pidOf(engine: EngineName): number | undefined;
  /** SIGKILL to the engine's PID, as a crash would; resolves once it is gone. */
  kill(engine: EngineName): Promise<void>;
  /** DynamoDB Local again, on its old port and data folder (the stack must be persistent). */
  restartDynamoDb(): Promise<void>;
  stopBus(): Promise<void>;
  startBus(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnStack(opts: { persistent: boolean; log?: Logger }): Promise<OwnStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-reliability-'));
  let stack: RunningStack;
  try {
    stack = await startStack({ dataDir, persistent: opts.persistent, log: opts.log });
  } catch (error) {
    await stopAll();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let bus: LocalBus = stack.bus;
  const busPort = Number(new URL(stack.bus.endpoint).port);
  const queuesDir = dirname(Object.values(stack.info.queues)[0] ?? join(dataDir, 'queues', 'x'));
  const engine = (name: EngineName) => runningChildren().find((c) => c.name === name);

  return {
    stack,
    dataDir,
    handlerLog: process.env.CONCORD_LOG_FILE,
    bus: () => bus,
    pidOf: (name) => engine(name)?.pid,
    kill: async (name) => {
      const child = engine(name);
      if (!child) throw new Error(`${name} is not running`);
      process.kill(child.pid, 'SIGKILL');
      await child.exited;
    },
    restartDynamoDb: async () => {
      if (!opts.persistent) throw new Error('an in-memory DynamoDB Local has no data to come back to');
      // The stack's own layout (infra/local/stack.ts): data in <dataDir>/dynamodb, logs in <dataDir>/logs.
      await startDynamoDbLocal({
        port: Number(new URL(stack.info.dynamodbEndpoint).port),
        dbPath: join(dataDir, 'dynamodb'),
        logsDir: join(dataDir, 'logs'),
        log: opts.log,
      });
    },
    stopBus: () => bus.stop(),
    startBus: async () => {
      bus = await startEventBus({
        port: busPort,
        busName: RESOURCE_NAMES.bus,
        rules: DEPARTMENT_RULES,
        eventsLog: stack.info.eventsLog,
        log: opts.log,
      });
      await attachDepartmentQueues(bus, DEPARTMENT_RULES, queuesDir);
    },
    stop: async () => {
      await stack.stop();
      // A bus started again is not the stack's to stop; closing the old one twice is harmless.
      if (bus !== stack.bus) await bus.stop();
      // Engines started again (DynamoDB Local) are registered in the engines module like the first ones.
      await stopAll();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Engine processes (the DynamoDB Local JVM, cognito-local, s3rver) still below this one: none after a stop. */
export async function leftoverEngines(): Promise<ProcessRow[]> {
  return (await descendantsOf(process.pid)).filter((r) => /DynamoDBLocal|cognito-local|s3rver/.test(r.args));
}
