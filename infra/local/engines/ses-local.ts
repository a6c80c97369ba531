/**
 * aws-ses-v2-local as a child process: the SES v2 API (SendEmail) on a free port, every email it takes
 * listed as JSON at `/store` and readable in a browser at `/`. It keeps mail in memory only: a restart of
 * the local stack starts with an empty mailbox.
 */
import { packageBin } from './package-bin.js';
import {
  freePort,
  type Logger,
  type RunningEngine,
  silentLogger,
  spawnChild,
  waitForChild,
} from './processes.js';

export interface SesLocalOptions {
  port?: number;
  logsDir: string;
  log?: Logger;
}

export interface RunningSes extends RunningEngine {
  /** Every email sent, as JSON (`{ emails: [...] }`). */
  storeUrl: string;
  /** The mailbox as a web page. */
  webUrl: string;
}

const STARTUP_TIMEOUT_MS = 30_000;

export async function startSesLocal(options: SesLocalOptions): Promise<RunningSes> {
  const log = options.log ?? silentLogger;
  const port = options.port ?? (await freePort());
  const child = spawnChild(
    'aws-ses-v2-local',
    process.execPath,
    [packageBin('aws-ses-v2-local'), '--host', '127.0.0.1', '--port', String(port)],
    // An inherited NODE_OPTIONS (a tsx loader, a debugger hook) has no business in this child.
    { env: { ...process.env, NODE_OPTIONS: '' }, logsDir: options.logsDir, log },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  await waitForChild(
    child,
    async () => (await fetch(`${endpoint}/health-check`, { signal: AbortSignal.timeout(1_000) })).ok,
    STARTUP_TIMEOUT_MS,
  );
  log(`aws-ses-v2-local listening on ${endpoint} (${Date.now() - startedAt} ms)`);
  return {
    endpoint,
    port,
    pid: child.pid,
    stop: child.stop,
    storeUrl: `${endpoint}/store`,
    webUrl: `${endpoint}/`,
  };
}
