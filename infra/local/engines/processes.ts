/**
 * Child processes for the local engines (DynamoDB Local, cognito-local, s3rver).
 *
 * Every child is registered here so that one call stops them all, and a last-chance `exit` hook
 * SIGKILLs any survivor: a crashed test run or an uncaught error must not leave a JVM holding a port.
 * SIGINT/SIGTERM/SIGHUP, when nothing else in the process handles them, stop the children before the
 * process dies. Only PIDs that this module spawned are ever signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type Logger = (msg: string) => void;

export const silentLogger: Logger = () => {};

export interface ChildHandle {
  name: string;
  pid: number;
  /** Where the child's stdout and stderr go. */
  logFile: string;
  /** SIGTERM, up to 5 s of grace, then SIGKILL. Resolves once the process is gone. */
  stop(): Promise<void>;
  /** Exit code, or null when a signal ended it. */
  exited: Promise<number | null>;
}

/** An engine started as a child process and answering on a local port. */
export interface RunningEngine {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Folder for `<name>.log`; a folder under the OS temp dir when omitted. */
  logsDir?: string;
}

const STOP_GRACE_MS = 5_000;
const DEFAULT_LOGS_DIR = join(tmpdir(), 'concord-crm', 'logs');

const running = new Map<number, ChildHandle>();
let exitHookInstalled = false;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Whether a server could listen on 127.0.0.1:<port> right now. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  opts: SpawnOptions = {},
): ChildHandle {
  const logsDir = opts.logsDir ?? DEFAULT_LOGS_DIR;
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `${name}.log`);
  // The child writes straight into the file: no pipe for the parent to drain, and the terminal stays clean.
  const fd = openSync(logFile, 'a');
  writeSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // A spawn failure emits 'error' and never 'exit'.
    child.once('error', () => resolve(null));
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${name}: '${command}' was not found or is not executable`);
  }

  let stopping: Promise<void> | undefined;
  const handle: ChildHandle = {
    name,
    pid,
    logFile,
    exited,
    stop: () => {
      stopping ??= stopChild(handle, opts.log ?? silentLogger);
      return stopping;
    },
  };
  running.set(pid, handle);
  void exited.then(() => running.delete(pid));
  installExitHook();
  return handle;
}

async function stopChild(child: ChildHandle, log: Logger): Promise<void> {
  if (!running.has(child.pid)) return;
  signal(child.pid, 'SIGTERM');
  const gone = await Promise.race([child.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!gone) {
    log(`${child.name} (pid ${child.pid}) ignored SIGTERM for ${STOP_GRACE_MS / 1000} s: killing it`);
    signal(child.pid, 'SIGKILL');
    await child.exited;
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running.values()].map((child) => child.stop()));
}

/** The children still alive, for diagnostics. */
export function runningChildren(): readonly ChildHandle[] {
  return [...running.values()];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: nothing to do.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous, so there is no grace period here: this is the last resort.
  process.on('exit', () => {
    for (const pid of running.keys()) signal(pid, 'SIGKILL');
  });
  // A parent killed by a signal never runs 'exit' handlers, which would orphan the JVM on its port.
  for (const sig of SHUTDOWN_SIGNALS) process.on(sig, stopChildrenThenDie);
}

const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function stopChildrenThenDie(sig: NodeJS.Signals): void {
  // An application that handles the signal itself owns the shutdown (and calls stopAll): stay out of its way.
  if (process.listenerCount(sig) > 1) return;
  void stopAll().finally(() => {
    for (const s of SHUTDOWN_SIGNALS) process.removeListener(s, stopChildrenThenDie);
    // Re-raised without our listener, the signal ends the process the way it would have without us.
    process.kill(process.pid, sig);
  });
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A check that throws (connection refused while the server boots) just means "not yet".
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Waits until `check` passes, but fails at once if the child dies first, quoting the end of its log:
 * a JVM that cannot bind its port should not cost a full timeout to diagnose.
 */
export async function waitForChild(
  child: ChildHandle,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const died = child.exited.then((code) => {
    throw new Error(`${child.name} exited (code ${code}) while starting:\n${logTail(child.logFile)}`);
  });
  try {
    await Promise.race([
      waitFor(check, `${child.name} to answer (its log: ${child.logFile})`, timeoutMs),
      died,
    ]);
  } catch (error) {
    await child.stop();
    throw error;
  } finally {
    died.catch(() => {});
  }
}

export function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${logFile})`;
  }
}
