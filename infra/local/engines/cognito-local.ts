/**
 * cognito-local as a child process. It keeps its pools, clients and users in `./.cognito` under its working
 * directory, so it runs with cwd = dataDir and its data survives restarts of `npm start`. (Its signing key
 * ships inside the package, so it never changes.) Tokens name the port in their issuer, so the port is
 * remembered in dataDir too and taken again on the next start: old tokens keep working.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageBin } from './package-bin.js';
import {
  freePort,
  isPortFree,
  type Logger,
  type RunningEngine,
  silentLogger,
  spawnChild,
  waitForChild,
} from './processes.js';

export {
  initiateAuth,
  type LocalTokens,
  type PoolSpec,
  type ProvisionedPool,
  provisionUserPool,
} from './cognito-pool.js';

export interface CognitoLocalOptions {
  port?: number;
  dataDir: string;
  /** Lambda triggers by Cognito's trigger name (`PreTokenGeneration`), invoked at `lambdaEndpoint`. */
  triggers?: { lambdaEndpoint: string; functions: Readonly<Record<string, string>> };
  logsDir: string;
  log?: Logger;
}

const STARTUP_TIMEOUT_MS = 30_000;
/** In dataDir, beside `.cognito`: the port of the last start. */
const PORT_FILE = 'port';

/** Its endpoint is also the issuer's origin: tokens carry `iss: <endpoint>/<userPoolId>`. */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<RunningEngine> {
  const log = options.log ?? silentLogger;
  const dataDir = resolve(options.dataDir);
  await writeConfig(dataDir, options.triggers);
  const port = options.port ?? (await rememberedPort(dataDir, log));
  const child = spawnChild('cognito-local', process.execPath, [packageBin('cognito-local')], {
    cwd: dataDir,
    env: {
      ...process.env,
      PORT: String(port),
      // HOST is both the bind address and the issuer's host. 127.0.0.1 rather than `localhost`, which may
      // resolve to ::1 first and then be unreachable by a client that dials 127.0.0.1 (or the reverse).
      HOST: '127.0.0.1',
      // An inherited NODE_OPTIONS (a tsx loader, a debugger hook) has no business in this child.
      NODE_OPTIONS: '',
    },
    logsDir: options.logsDir,
    log,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  await waitForChild(child, () => servesJwks(endpoint), STARTUP_TIMEOUT_MS);
  log(`cognito-local listening on ${endpoint} (${Date.now() - startedAt} ms, data in ${dataDir}/.cognito)`);
  return { endpoint, port, pid: child.pid, stop: child.stop };
}

/**
 * The port of the last start on this data folder when it is still free, else a new one (remembered for
 * the next start). The issuer is `http://127.0.0.1:<port>/<poolId>`: a new port makes every token issued
 * before it invalid, which the log says plainly.
 */
export async function rememberedPort(dataDir: string, log: Logger = silentLogger): Promise<number> {
  const file = join(dataDir, PORT_FILE);
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  const before =
    /^\d{1,5}$/.test(text) && Number(text) > 0 && Number(text) < 65_536 ? Number(text) : undefined;
  if (before && (await isPortFree(before))) return before;
  const port = await freePort();
  if (before) {
    log(
      `warning: cognito-local's port ${before} (remembered in ${file}) is taken: using ${port}. The token issuer ` +
        'changes with it, so tokens issued before this start will stop working: sign in again.',
    );
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${port}\n`);
  return port;
}

/**
 * cognito-local's built-in pool defaults say `UsernameAttributes: ['email']`, merged into every CreateUserPool
 * (an empty array in the request cannot clear it), so AdminCreateUser would insist that usernames be emails.
 * Its own config file can replace the defaults: then a pool behaves as on AWS, where a pool created without
 * UsernameAttributes takes plain usernames. It also names the Lambda triggers and where to invoke them.
 * Rewritten at each start; nothing else lives in this file.
 */
async function writeConfig(dataDir: string, triggers: CognitoLocalOptions['triggers']): Promise<void> {
  const configDir = join(dataDir, '.cognito');
  await mkdir(configDir, { recursive: true });
  const config = {
    UserPoolDefaults: { UsernameAttributes: [] },
    ...(triggers && {
      // Its Lambda client (aws-sdk v2) pointed at the local Invoke API (infra/local/lambda-invoke.ts).
      LambdaClient: { endpoint: triggers.lambdaEndpoint },
      TriggerFunctions: triggers.functions,
    }),
  };
  await writeFile(join(configDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** The JWKS route answers for any pool id, so it tells that the HTTP server is up before any pool exists. */
async function servesJwks(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/any/.well-known/jwks.json`, {
    signal: AbortSignal.timeout(1_000),
  });
  return response.ok;
}
