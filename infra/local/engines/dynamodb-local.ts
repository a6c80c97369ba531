/**
 * DynamoDB Local 1.25 as a child JVM: in memory for tests, on disk (`-dbPath`) for `npm start`.
 * `-sharedDb` makes every access key and region see one database, as the single AWS table does.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DYNAMODB_LOCAL_JAR,
  DYNAMODB_LOCAL_NATIVE_LIBS,
  ensureDynamoDbLocal,
} from './dynamodb-local-install.js';
import { localAwsConfig } from './local-aws.js';
import {
  freePort,
  type Logger,
  type RunningEngine,
  silentLogger,
  spawnChild,
  waitForChild,
} from './processes.js';

export {
  DYNAMODB_LOCAL_JAR_SHA256,
  dynamoDbLocalDir,
  ensureDynamoDbLocal,
} from './dynamodb-local-install.js';
export { type LocalAwsConfig, localAwsConfig } from './local-aws.js';

export interface DynamoDbLocalOptions {
  port?: number;
  /** Folder for the database files; in memory when omitted. */
  dbPath?: string;
  logsDir: string;
  log?: Logger;
}

/** A cold JVM answers in ~1.5–3 s here; a loaded CI machine gets ample slack. */
const STARTUP_TIMEOUT_MS = 60_000;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningEngine> {
  const log = options.log ?? silentLogger;
  assertJavaInstalled();
  // A first-time download takes a while: it is reported even when the engine's own messages are silenced.
  const dir = await ensureDynamoDbLocal(options.log ?? console.log);
  const port = options.port ?? (await freePort());
  const dbPath = options.dbPath === undefined ? undefined : resolve(options.dbPath);
  if (dbPath !== undefined) mkdirSync(dbPath, { recursive: true });
  const storage = dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath];

  const child = spawnChild(
    'dynamodb-local',
    'java',
    [
      // C1 only and the serial GC: a test database starts faster and needs no server-grade JIT.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(dir, DYNAMODB_LOCAL_NATIVE_LIBS)}`,
      '-jar',
      join(dir, DYNAMODB_LOCAL_JAR),
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
      ...storage,
    ],
    // cwd = the logs folder: a JVM crash report (hs_err_pid*.log) lands next to the log, not in the project.
    { cwd: options.logsDir, logsDir: options.logsDir, log },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  await waitForChild(child, () => answersListTables(endpoint), STARTUP_TIMEOUT_MS);
  log(`DynamoDB Local listening on ${endpoint} (${Date.now() - startedAt} ms, ${dbPath ?? 'in memory'})`);
  return { endpoint, port, pid: child.pid, stop: child.stop };
}

async function answersListTables(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    ...localAwsConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } finally {
    client.destroy();
  }
}

function assertJavaInstalled(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error('java not found: install Java 17 (apt-get install openjdk-17-jre-headless)');
  }
}
