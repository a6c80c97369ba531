import { appendFileSync, mkdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopAll } from '../../infra/local/engines/processes.js';
import { startStack } from '../../infra/local/stack.js';
import type { StackInfo } from '../../infra/local/stack-info.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
    /** The stack's cursor secret: for tests that forge cursors or run handlers in their own process. */
    cursorSecret: string;
  }
}

/** Where the run's logs stay after the temp data folder is gone (test-results/ is git-ignored). */
const LOGS_DIR = resolve('test-results', 'integration-logs');

/**
 * One local stack for the integration suite: real engines, DynamoDB in memory, everything stopped after.
 *
 * Tests provoke errors on purpose (a handler that throws, a store that is down, a stream consumer that
 * fails), so the logs those write would bury the test output. They go to files in LOGS_DIR instead:
 * `handlers.log` (the handlers' Powertools JSON lines, from this process and from every test worker,
 * which inherit the environment set here), `stack.log` (gateway, stream poller, bus and scheduler) and
 * the engines' own logs. A failing test is debugged from there.
 */
export default async function setup(project: TestProject) {
  await rm(LOGS_DIR, { recursive: true, force: true });
  await mkdir(LOGS_DIR, { recursive: true });
  // Set before any handler or SDK client is loaded, here or in a worker.
  process.env.CONCORD_LOG_FILE = join(LOGS_DIR, 'handlers.log');
  // The SDK's notice that later versions need Node 22 says nothing about the code under test.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stackLog = join(LOGS_DIR, 'stack.log');
  const log = (msg: string) => {
    try {
      mkdirSync(LOGS_DIR, { recursive: true });
      appendFileSync(stackLog, `${new Date().toISOString()} ${msg}\n`);
    } catch {
      // Another run cleared the folder just now: a lost line is better than a failing stack.
    }
  };

  const dataDir = await mkdtemp(join(tmpdir(), 'concord-it-'));
  const stack = await startStack({ dataDir, persistent: false, log });
  project.provide('stack', stack.info);
  project.provide('cursorSecret', stack.cursorSecret);
  return async () => {
    await stack.stop();
    await stopAll();
    await cp(join(dataDir, 'logs'), join(LOGS_DIR, 'engines'), { recursive: true }).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  };
}
