import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopAll } from '../../infra/local/engines/processes.js';
import { startStack } from '../../infra/local/stack.js';
import type { StackInfo } from '../../infra/local/stack-info.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** One local stack for the integration suite: real engines, DynamoDB in memory, everything stopped after. */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'concord-it-'));
  const stack = await startStack({ dataDir, persistent: false });
  project.provide('stack', stack.info);
  return async () => {
    await stack.stop();
    await stopAll();
    await rm(dataDir, { recursive: true, force: true });
  };
}
