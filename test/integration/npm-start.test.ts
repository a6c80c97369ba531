import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, tokenFor } from '../../infra/local/api-client.js';
import { freePort } from '../../infra/local/engines/processes.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { COLLECTION_NAMES } from '../../shared/domain/collections.js';
import { ROUTES } from '../../shared/http/routes.js';

/**
 * `npm start` as a newcomer runs it: a child process on its own CONCORD_LOCAL_DIR (a fresh temp folder),
 * stopped with Ctrl-C (SIGINT), after which none of its processes may remain.
 */
const READY_TIMEOUT_MS = 90_000;
const dirs: string[] = [];

/** Our processes: those whose command line, working directory or environment names the temp folder. */
async function processesUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const read = (what: string) => readFile(`/proc/${entry}/${what}`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if ([await read('cmdline'), await read('environ'), cwd].some((text) => text.includes(dir))) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

interface Started {
  info: StackInfo;
  output(): string;
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

async function npmStart(dir: string, port: number, args: string[] = []): Promise<Started> {
  // As package.json's start script runs it: node with tsx's loader, so Ctrl-C reaches the stack itself
  // (tsx's CLI relays a signal and kills its child when the child does not confirm it within 30 ms).
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', ...args], {
    env: {
      ...process.env,
      CONCORD_LOCAL_DIR: dir,
      PORT: String(port),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return exited;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!output.includes('Ready in') && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!output.includes('Ready in')) {
    await stop();
    throw new Error(`npm start ${args.join(' ')} did not get ready:\n${output}`);
  }
  const info = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf8')) as StackInfo;
  return { info, output: () => output, stop };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'concord-start-'));
  dirs.push(dir);
  return dir;
}

/**
 * What a newcomer finds in support's "Slack", "WeChat Work" and mailbox once the demo data is in: a
 * handoff sent to support (docs/channels.md, "On the local stack"). Polled: the messages follow the seed.
 */
async function demoHandoffMessages(info: StackInfo, dir: string) {
  const deadline = Date.now() + 60_000;
  const has = (text: string) => text.includes('handoff.requested: handoff');
  const got = { slack: false, wecom: false, email: false };
  while (Date.now() < deadline && !(got.slack && got.wecom && got.email)) {
    for (const kind of ['slack', 'wecom'] as const) {
      const lines = (await readFile(join(dir, 'data', 'channels', `${kind}.jsonl`), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { path: string; payload: unknown });
      const path = kind === 'slack' ? '/services/demo/support' : '/cgi-bin/webhook/send?key=demo-support';
      got[kind] = lines.some((l) => l.path === path && has(JSON.stringify(l.payload)));
    }
    const store = (await (await fetch(info.email.storeUrl)).json()) as {
      emails: { destination: { to: string[] }; subject: string }[];
    };
    got.email = store.emails.some(
      (e) => e.destination.to.includes('support-team@demo.concord.local') && has(e.subject),
    );
    if (!(got.slack && got.wecom && got.email)) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return got;
}

/** The README's walkthrough block, pointed at this stack. */
async function readmeWalkthrough(info: StackInfo, dir: string): Promise<string> {
  const readme = await readFile('README.md', 'utf8');
  const block = /<!-- walkthrough -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no <!-- walkthrough --> sh block');
  return block.replaceAll('http://127.0.0.1:3000', info.apiUrl).replaceAll('.local/', `${dir}/`);
}

describe('npm start', () => {
  afterAll(async () => {
    // A failed test may leave its stack running: end what is ours, by PID, then drop the folders.
    for (const dir of dirs) {
      for (const pid of await processesUsing(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone in the meantime.
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('brings the stack up with demo data, runs the README walkthrough, and Ctrl-C leaves no process behind', async () => {
    // Prepare
    const dir = await tempDir();
    const port = await freePort();

    // Act
    const started = await npmStart(dir, port);
    const { info } = started;
    const script = await readmeWalkthrough(info, dir);
    const walkthrough = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      timeout: 30_000,
    });
    const handoffMessages = await demoHandoffMessages(info, dir);

    // Assess
    expect(started.output()).toMatch(/seeded \d+ records/);
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
    expect(walkthrough.stdout).toContain('"department":"sales"');
    expect(walkthrough.stdout).toContain('Acme Robotics');
    expect(walkthrough.stdout).toContain('"detail-type":"account.created"');
    // Today's charts, one link per report, served by the local S3 without a token
    const charts = [...started.output().matchAll(/^ {2}[a-z-]+ +(http:\S+\.svg)$/gm)].map((m) => m[1]!);
    expect(charts).toHaveLength(6);
    const chart = await fetch(charts[0]!);
    expect(chart.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await chart.text()).toContain('>Accounts by owning department</text>');
    expect(handoffMessages).toEqual({ slack: true, wecom: true, email: true });
    expect(started.output()).toMatch(/mailbox \(SES\)\s+http:\/\/127\.0\.0\.1:\d+\//);
    expect((await processesUsing(dir)).length).toBeGreaterThan(0);

    expect(await started.stop()).toBe(0);
    expect(started.output()).toContain('stopped');
    expect(await processesUsing(dir)).toEqual([]);
  }, 180_000);

  it('--empty starts with no records but the demo users; a restart keeps the issuer, so an old token still works', async () => {
    // Prepare: an empty start, and a token from it
    const dir = await tempDir();
    const port = await freePort();
    const first = await npmStart(dir, port, ['--empty']);
    const token = await tokenFor(first.info, 'sally');
    const ada = apiClient(first.info.apiUrl, await tokenFor(first.info, 'ada'));
    // Comments are listed under their record only: an empty table has none to list.
    const listed = COLLECTION_NAMES.filter((c) =>
      ROUTES.some((r) => r.method === 'GET' && r.path === `/v1/${c}`),
    );
    const lists = await Promise.all(
      listed.map(async (c) => [c, (await ada.get<{ items: unknown[] }>(`/v1/${c}`)).body.items]),
    );
    expect(await first.stop()).toBe(0);
    expect(await processesUsing(dir)).toEqual([]);

    // Act: start again on the same folder
    const second = await npmStart(dir, port);
    const me = await apiClient(second.info.apiUrl, token).get<{ username: string }>('/v1/me');
    expect(await second.stop()).toBe(0);

    // Assess
    expect(first.output()).toContain('no demo records (--empty)');
    expect(first.output()).not.toMatch(/seeded \d+ records/);
    expect(listed).toContain('handoffs');
    expect(Object.fromEntries(lists)).toEqual(Object.fromEntries(listed.map((c) => [c, []])));
    expect(second.output()).toContain('data kept from the last start');
    expect(second.info.auth).toEqual(first.info.auth);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('sally');
    expect(await processesUsing(dir)).toEqual([]);
  }, 180_000);
});
