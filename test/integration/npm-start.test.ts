import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/engines/processes.js';
import type { StackInfo } from '../../infra/local/stack-info.js';

/** Processes whose command line or working directory mentions the folder (ours alone: a fresh temp dir). */
async function processesUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

describe('npm start', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('brings the stack up with demo data, writes stack.json, and Ctrl-C leaves no process behind', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'concord-start-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'infra/local/start.ts'], {
      env: {
        ...process.env,
        CONCORD_LOCAL_DIR: dir,
        PORT: String(port),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    // Act: wait for the summary
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ready in') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }

    // Assess
    expect(output).toContain('Ready in');
    expect(output).toMatch(/seeded \d+ records/);
    const info = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf8')) as StackInfo;
    expect(info.apiUrl).toBe(`http://127.0.0.1:${port}`);
    expect(Object.keys(info.auth).sort()).toEqual([
      'clientId',
      'cognitoEndpoint',
      'issuer',
      'jwksUri',
      'tokenUrl',
      'userPoolId',
    ]);
    expect(info.users.map((u) => u.username)).toEqual(['sally', 'mark', 'sue', 'max', 'ada']);
    expect((await fetch(`${info.apiUrl}/v1/health`)).status).toBe(200);
    expect((await processesUsing(dir)).length).toBeGreaterThan(0);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
    expect(await processesUsing(dir)).toEqual([]);
  }, 120_000);
});
