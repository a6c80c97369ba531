import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** Process helpers for the benchmarks: the project folder, tsx's CLI, and a look at the process table. */

const execFileAsync = promisify(execFile);

/** Children this benchmark spawned and that are still running: stopped by `stopOwnChildren` on an abort. */
const own = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  own.add(child);
  child.once('exit', () => own.delete(child));
  return child;
}

/**
 * SIGTERM to every child this benchmark spawned that still runs (their own shutdown stops their
 * children), and waits for them to exit; SIGKILL after `graceMs`.
 */
export async function stopOwnChildren(graceMs = 10_000): Promise<void> {
  await Promise.all(
    [...own].map(async (child) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signalOwn(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && signalOwn(child.pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

export interface ProcessRow {
  pid: number;
  ppid: number;
  args: string;
}

export async function processTable(): Promise<ProcessRow[]> {
  const { stdout } = await execFileAsync('ps', ['-e', '-o', 'pid=,ppid=,args='], { maxBuffer: 8 << 20 });
  const rows: ProcessRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) rows.push({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! });
  }
  return rows;
}

/** Every process below `root` in the tree (children, grandchildren, …), as it is right now. */
export async function descendantsOf(root: number): Promise<ProcessRow[]> {
  const rows = await processTable();
  const found: ProcessRow[] = [];
  const frontier = [root];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push(row);
        frontier.push(row.pid);
      }
    }
  }
  return found;
}

/** Signals one PID that this benchmark started (directly or as a descendant); a gone process is fine. */
export function signalOwn(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Runs `node <args>` to completion and returns its stdout (stderr is kept for the error message). */
export function runNode(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd ?? PROJECT_ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signalOwn(child.pid, 'SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`node ${args.join(' ')} exited ${code ?? signal}: ${err.trim().slice(-2000)}`));
    });
  });
}
