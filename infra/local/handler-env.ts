import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENV } from '../../shared/config/env.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { LOCAL_REGION } from './engines/local-aws.js';

export interface LocalEndpoints {
  dynamodb: string;
  cognito: string;
  userPoolId: string;
  eventbridge?: string;
  s3?: string;
  /** Signs cursors: what Secrets Manager holds in AWS (see localCursorSecret). */
  cursorSecret: string;
}

/**
 * The environment a handler reads, as CDK sets it in AWS, pointed at the local engines through the
 * SDK's own AWS_ENDPOINT_URL_<SERVICE> variables. Used by the stack, and by tests and benchmarks
 * that run handlers in their own process.
 */
export function handlerEnv(e: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    // s3rver only knows S3RVER/S3RVER; DynamoDB Local and the rest accept any alphanumeric key.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: e.cognito,
    ...(e.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: e.eventbridge } : {}),
    ...(e.s3 ? { AWS_ENDPOINT_URL_S3: e.s3 } : {}),
    [ENV.tableName]: RESOURCE_NAMES.table,
    [ENV.busName]: RESOURCE_NAMES.bus,
    [ENV.userPoolId]: e.userPoolId,
    [ENV.bucketName]: RESOURCE_NAMES.reportsBucket,
    [ENV.cursorSecret]: e.cursorSecret,
  };
}

/**
 * The local stand-in for the cursor secret: made once per data folder and kept in it, so cursors
 * survive a restart as tokens do, and a `--fresh` start (a new folder) refuses the old ones.
 */
export async function localCursorSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'cursor-secret');
  const kept = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (kept) return kept.trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
