import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDynamoDbLocal } from '../../infra/local/engines/dynamodb-local.js';
import { freePort } from '../../infra/local/engines/processes.js';
import {
  descendantsOf,
  PROJECT_ROOT,
  type ProcessRow,
  processTable,
  signalOwn,
  TSX_CLI,
  track,
} from './processes.js';
import { heading, ms, summarize, table } from './stats.js';

/**
 * Startup: wall time from launching `npm start` (node + tsx CLI + infra/local/start.ts) to its
 * `Ready in` line, on a fresh data folder (demo data seeded) and on a restart of the same folder
 * (nothing seeded). Each run is stopped with SIGINT; afterwards nothing it started may be left.
 */

const READY_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 30_000;

export interface StartRun {
  kind: 'fresh' | 'restart';
  run: number;
  /** Launch → `Ready in` line, as measured here. */
  readyMs: number;
  /** The stack's own figure (`Ready in N s`), from its start of main(): excludes node + tsx boot. */
  selfReportedMs: number;
  seeded: number | undefined;
  /** SIGINT → process exit. */
  stopMs: number;
  /** Processes left alive after the exit (killed by the benchmark), described. */
  leaks: string[];
}

export interface StartupResult {
  runs: StartRun[];
  fresh: ReturnType<typeof summarize>;
  restart: ReturnType<typeof summarize>;
  leaks: string[];
}

async function startOnce(localDir: string, kind: StartRun['kind'], run: number): Promise<StartRun> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [TSX_CLI, 'infra/local/start.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      CONCORD_LOCAL_DIR: localDir,
      PORT: String(port),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not launch the local stack');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });

  let readyMs = Number.NaN;
  let selfReportedMs = Number.NaN;
  let seeded: number | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const seed = /^\s*seeded (\d+) records/.exec(line);
      if (seed) seeded = Number(seed[1]);
      if (line.startsWith('Ready in')) {
        readyMs = performance.now() - began;
        selfReportedMs = Number(/Ready in ([\d.]+)s/.exec(line)?.[1] ?? Number.NaN) * 1000;
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`the local stack exited before it was ready:\n${stderr}`)));
    setTimeout(
      () => reject(new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    ).unref();
  });

  const leaks: string[] = [];
  let tree: ProcessRow[] = [];
  let stopMs = Number.NaN;
  try {
    await ready;
  } finally {
    // The whole tree as it runs (tsx's CLI → node start.ts → JVM, cognito-local, s3rver): all of it must go.
    tree = await descendantsOf(pid).catch(() => []);
    const stopping = performance.now();
    signalOwn(pid, 'SIGINT');
    const gone = await Promise.race([exited.then(() => true), sleep(EXIT_TIMEOUT_MS).then(() => false)]);
    stopMs = performance.now() - stopping;
    if (!gone) {
      leaks.push(`pid ${pid} (the npm start process) ignored SIGINT for ${EXIT_TIMEOUT_MS / 1000} s: killed`);
      signalOwn(pid, 'SIGKILL');
      await exited;
    }
    // Give a child that is exiting right now a moment, then check its descendants and any JVM on this folder.
    await sleep(200);
    const now = await processTable();
    // Same PID and same command line: a survivor of ours, not a new process that reused the PID.
    const survivors = now.filter((p) => tree.some((t) => t.pid === p.pid && t.args === p.args));
    const jvms = now.filter(
      (p) => /\bjava\b/.test(p.args) && p.args.includes(localDir) && !survivors.some((s) => s.pid === p.pid),
    );
    for (const p of [...survivors, ...jvms]) {
      leaks.push(`pid ${p.pid} survived the stop: ${p.args.slice(0, 160)}`);
      signalOwn(p.pid, 'SIGKILL');
    }
  }
  if ((kind === 'fresh') !== (seeded !== undefined)) {
    console.log(
      `  note: run ${run} was meant as ${kind} but ${seeded === undefined ? 'seeded nothing' : 'seeded'}`,
    );
  }
  return { kind, run, readyMs, selfReportedMs, seeded, stopMs, leaks };
}

/**
 * A start that fails before it is ready (e.g. its free port taken in between by another process on a
 * busy machine) is reported and tried once more; a second failure ends the benchmark.
 */
async function startWithOneRetry(localDir: string, kind: StartRun['kind'], run: number): Promise<StartRun> {
  try {
    return await startOnce(localDir, kind, run);
  } catch (error) {
    console.log(
      `  run ${run} ${kind}: failed, trying once more: ${(error as Error).message.split('\n').slice(0, 3).join(' | ')}`,
    );
    if (kind === 'fresh') {
      await rm(localDir, { recursive: true, force: true });
      await mkdir(localDir, { recursive: true });
    }
    return startOnce(localDir, kind, run);
  }
}

export async function benchStartup(workDir: string, pairs = 3): Promise<StartupResult> {
  heading('1. Startup: `npm start` → "Ready in"');
  // The cold path (download and verify the DynamoDB Local jar) is not what is measured: make sure it is done.
  await ensureDynamoDbLocal((msg) => console.log(`  (cache) ${msg}`));
  const runs: StartRun[] = [];
  for (let i = 1; i <= pairs; i++) {
    const localDir = await mkdtemp(join(workDir, 'start-'));
    try {
      for (const kind of ['fresh', 'restart'] as const) {
        const r = await startWithOneRetry(localDir, kind, i);
        runs.push(r);
        console.log(
          `  run ${i} ${kind.padEnd(7)} ready ${ms(r.readyMs)} (stack's own clock ${ms(r.selfReportedMs)}), ` +
            `seeded ${r.seeded ?? 0}, stop ${ms(r.stopMs)}${r.leaks.length ? `, LEAKS: ${r.leaks.length}` : ''}`,
        );
      }
    } finally {
      await rm(localDir, { recursive: true, force: true });
    }
  }
  const fresh = summarize(runs.filter((r) => r.kind === 'fresh').map((r) => r.readyMs));
  const restart = summarize(runs.filter((r) => r.kind === 'restart').map((r) => r.readyMs));
  const leaks = runs.flatMap((r) => r.leaks);
  console.log();
  console.log(
    table(
      ['start', 'runs', 'median', 'min', 'max', 'stack clock (median)', 'stop (median)'],
      (['fresh', 'restart'] as const).map((kind) => {
        const mine = runs.filter((r) => r.kind === kind);
        const s = kind === 'fresh' ? fresh : restart;
        return [
          kind === 'fresh' ? 'fresh (seeds demo data)' : 'restart (same data, no seed)',
          String(s.n),
          ms(s.median),
          ms(s.min),
          ms(s.max),
          ms(summarize(mine.map((r) => r.selfReportedMs)).median),
          ms(summarize(mine.map((r) => r.stopMs)).median),
        ];
      }),
    ),
  );
  console.log(
    leaks.length
      ? `  LEAK: ${leaks.length} process(es) outlived SIGINT and were killed:\n    ${leaks.join('\n    ')}`
      : '  no process outlived SIGINT (tsx, node, JVM, cognito-local, s3rver all gone after every run)',
  );
  return { runs, fresh, restart, leaks };
}
