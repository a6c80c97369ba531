/**
 * Puts DynamoDB Local 1.25 (the AWS jar) into a cache folder, once per machine.
 *
 * The jar ships inside the npm package amplify-dynamodb-simulator (folder `package/emulator`). Installing
 * that package drags in 347 MB (a second aws-cdk-lib), so its tarball is fetched with `npm pack` (the npm
 * registry is the one source this project may download from), only `emulator/` is unpacked, the jar is
 * checked against a pinned sha256, and the folder is renamed into place so a half-done copy is never used.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from './processes.js';

const execFileAsync = promisify(execFile);

const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const TARBALL_NAME = 'amplify-dynamodb-simulator-2.9.30.tgz';
/** The tarball's size as `npm pack --json` reports it: lets the progress line show a percentage. */
const TARBALL_BYTES = 56_573_501;
/** sha256 of `package/emulator/DynamoDBLocal.jar` (DynamoDB Local 1.25.1) in that tarball. */
export const DYNAMODB_LOCAL_JAR_SHA256 = '454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7';
export const DYNAMODB_LOCAL_JAR = 'DynamoDBLocal.jar';
export const DYNAMODB_LOCAL_NATIVE_LIBS = 'DynamoDBLocal_lib';

export function dynamoDbLocalDir(): string {
  const cacheRoot = process.env.CONCORD_CACHE_DIR ?? join(homedir(), '.cache', 'concord-crm');
  return join(cacheRoot, 'dynamodb-local-1.25');
}

/** Returns the folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`, fetching it on first use. */
export async function ensureDynamoDbLocal(log: Logger = console.log): Promise<string> {
  const dir = dynamoDbLocalDir();
  if (await isVerifiedInstall(dir)) return dir;
  if (await exists(dir)) {
    log(`The DynamoDB Local copy in ${dir} is incomplete or altered: fetching it again.`);
    await rm(dir, { recursive: true, force: true });
  }

  const startedAt = Date.now();
  await mkdir(dirname(dir), { recursive: true });
  // Next to the cache folder, so the final rename stays on one file system and is atomic.
  const workDir = await mkdtemp(join(dirname(dir), '.dynamodb-local-download-'));
  try {
    log(
      `Fetching DynamoDB Local (${SIMULATOR_PACKAGE}, ${megabytes(TARBALL_BYTES)} MB) from the npm registry…`,
    );
    const tarball = await downloadTarball(workDir, log);
    const emulator = await extractEmulator(tarball, workDir);
    await verifyJar(join(emulator, DYNAMODB_LOCAL_JAR));
    await moveIntoPlace(emulator, dir);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    log(`DynamoDB Local 1.25.1 is ready in ${dir} (${megabytes(TARBALL_BYTES)} MB fetched in ${seconds} s).`);
    return dir;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function downloadTarball(workDir: string, log: Logger): Promise<string> {
  // A private npm cache: its growth is the download's progress, and no 57 MB copy stays in ~/.npm.
  const npmCache = join(workDir, 'npm-cache');
  const progress = reportProgressEverySecond(npmCache, log);
  try {
    await execFileAsync(
      'npm',
      ['pack', SIMULATOR_PACKAGE, '--pack-destination', workDir, '--cache', npmCache, '--loglevel=error'],
      { cwd: workDir, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`npm pack ${SIMULATOR_PACKAGE} failed (is the npm registry reachable?): ${detail}`);
  } finally {
    progress.stop();
  }
  return join(workDir, TARBALL_NAME);
}

function reportProgressEverySecond(folder: string, log: Logger): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void folderBytes(folder)
      .then((bytes) => {
        const percent = Math.min(100, Math.round((bytes / TARBALL_BYTES) * 100));
        log(
          `  downloading DynamoDB Local: ${megabytes(bytes)} / ${megabytes(TARBALL_BYTES)} MB (${percent}%)`,
        );
      })
      .finally(() => {
        busy = false;
      });
  }, 1_000);
  return { stop: () => clearInterval(timer) };
}

async function extractEmulator(tarball: string, workDir: string): Promise<string> {
  const target = join(workDir, 'extracted');
  await mkdir(target);
  try {
    await execFileAsync('tar', ['-xzf', tarball, '-C', target, 'package/emulator/']);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`could not unpack ${TARBALL_NAME} with the system tar: ${detail}`);
  }
  return join(target, 'package', 'emulator');
}

async function verifyJar(jar: string): Promise<void> {
  const actual = await sha256File(jar);
  if (actual === DYNAMODB_LOCAL_JAR_SHA256) return;
  // The caller's `finally` deletes the download, so nothing unverified is left behind.
  throw new Error(
    `DynamoDBLocal.jar from ${SIMULATOR_PACKAGE} has sha256 ${actual}, expected ${DYNAMODB_LOCAL_JAR_SHA256}. ` +
      'The download was deleted and not used; if the package was legitimately republished, re-pin the hash.',
  );
}

async function moveIntoPlace(source: string, target: string): Promise<void> {
  try {
    await rename(source, target);
  } catch (error) {
    // Another process (tests and `npm start` side by side) may have won the race with its own good copy.
    if (await isVerifiedInstall(target)) return;
    throw error;
  }
}

async function isVerifiedInstall(dir: string): Promise<boolean> {
  if (!(await exists(join(dir, DYNAMODB_LOCAL_NATIVE_LIBS)))) return false;
  const jar = join(dir, DYNAMODB_LOCAL_JAR);
  return (await exists(jar)) && (await sha256File(jar)) === DYNAMODB_LOCAL_JAR_SHA256;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

async function folderBytes(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      // npm moves files while downloading: a file that vanished between readdir and stat counts as 0.
      .map((entry) =>
        stat(join(entry.parentPath, entry.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
