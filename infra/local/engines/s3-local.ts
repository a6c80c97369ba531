/**
 * s3rver as a child process: the report files land in plain folders under dataDir.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_REGION } from './local-aws.js';
import { packageBin } from './package-bin.js';
import {
  freePort,
  type Logger,
  type RunningEngine,
  silentLogger,
  spawnChild,
  waitForChild,
} from './processes.js';

export interface S3LocalOptions {
  port?: number;
  dataDir: string;
  bucket: string;
  logsDir: string;
  log?: Logger;
}

/** s3rver knows one account, whose key pair is S3RVER/S3RVER; any other key id gets InvalidAccessKeyId. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
const STARTUP_TIMEOUT_MS = 30_000;

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    region: LOCAL_REGION,
    endpoint,
    credentials: { ...S3RVER_CREDENTIALS },
    // s3rver serves path-style URLs; bucket.127.0.0.1 would not resolve.
    forcePathStyle: true,
    // Otherwise the SDK sends aws-chunked uploads with trailing checksums, which s3rver stores verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function startS3Local(options: S3LocalOptions): Promise<RunningEngine> {
  const log = options.log ?? silentLogger;
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawnChild(
    's3rver',
    process.execPath,
    [
      packageBin('s3rver'),
      '--directory',
      dataDir,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--silent',
    ],
    {
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy
      // provider: without it the second page is a 500. The inherited NODE_OPTIONS is dropped on purpose.
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      logsDir: options.logsDir,
      log,
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  await waitForChild(child, () => answersListBuckets(endpoint), STARTUP_TIMEOUT_MS);
  await ensureBucket(endpoint, options.bucket).catch(async (error: unknown) => {
    await child.stop();
    throw error;
  });
  log(
    `s3rver listening on ${endpoint} (${Date.now() - startedAt} ms, bucket ${options.bucket} in ${dataDir})`,
  );
  return { endpoint, port, pid: child.pid, stop: child.stop };
}

async function answersListBuckets(endpoint: string): Promise<boolean> {
  const client = s3Client(endpoint);
  try {
    await client.send(new ListBucketsCommand({}));
    return true;
  } finally {
    client.destroy();
  }
}

async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const client = s3Client(endpoint);
  try {
    const found = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (!found) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
