import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_EMAIL_FROM } from '../../shared/config/channels.js';
import { ENV, loadEnv, OBSERVABILITY, type Uses } from '../../shared/config/env.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { LOCAL_REGION } from './engines/local-aws.js';

/** The job function's name on the local Invoke endpoint (in AWS: the function CDK names). */
export const JOB_FUNCTION_NAME = 'concord-crm-run-job';
export const REPORT_FUNCTION_NAME = 'concord-crm-report-snapshots';

export interface LocalEndpoints {
  dynamodb: string;
  cognito: string;
  userPoolId: string;
  eventbridge?: string;
  s3?: string;
  /** Signs cursors: what Secrets Manager holds in AWS (see localCursorSecret). */
  cursorSecret: string;
  /** Channels: the local SES and SQS, the delivery consumer's queues (JSON) and the API's URL for record links. */
  ses?: string;
  sqs?: string;
  channelQueues?: string;
  apiUrl?: string;
  /** The local Lambda Invoke endpoint (infra/local/lambda-invoke.ts): the import route starts its job there. */
  lambda?: string;
}

/**
 * The environment a handler reads, as CDK sets it in AWS, pointed at the local engines through the
 * SDK's own AWS_ENDPOINT_URL_<SERVICE> variables: every variable of every function's schema
 * (shared/config/env.ts), since one process runs them all, and nothing else of ours. The one source of
 * handler environment for the stack, the tests and the benchmarks.
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
    ...(e.ses ? { AWS_ENDPOINT_URL_SESV2: e.ses } : {}),
    ...(e.sqs ? { AWS_ENDPOINT_URL_SQS: e.sqs } : {}),
    ...(e.lambda ? { AWS_ENDPOINT_URL_LAMBDA: e.lambda } : {}),
    // No X-Ray daemon here; and EMF lines would only bury the output (metrics are tested in test/unit).
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    [ENV.serviceName]: OBSERVABILITY.serviceName,
    [ENV.metricsNamespace]: OBSERVABILITY.metricsNamespace,
    [ENV.tableName]: RESOURCE_NAMES.table,
    [ENV.busName]: RESOURCE_NAMES.bus,
    [ENV.userPoolId]: e.userPoolId,
    [ENV.bucketName]: RESOURCE_NAMES.reportsBucket,
    [ENV.cursorSecret]: e.cursorSecret,
    // An invited user's temporary password comes back in the answer too (the invitation goes to the local SES).
    [ENV.invitationDelivery]: 'answer',
    // Channels: loopback receivers are allowed here only (never in AWS); aws-ses-v2-local takes any sender.
    [ENV.loopbackWebhooks]: 'allow',
    [ENV.emailFrom]: DEFAULT_EMAIL_FROM,
    [ENV.channelQueues]: e.channelQueues ?? '{}',
    [ENV.recordLinkBase]: e.apiUrl ?? 'http://127.0.0.1:3000',
    [ENV.jobFunction]: JOB_FUNCTION_NAME,
    [ENV.reportFunction]: REPORT_FUNCTION_NAME,
  };
}

/** Everything a function may be granted: the local process holds every function at once. */
export const EVERY_GRANT: Uses = {
  table: true,
  tableItems: true,
  userPool: true,
  cursors: true,
  bus: true,
  bucket: true,
  invitations: true,
  webhooks: true,
  email: true,
  channelQueues: true,
  jobs: true,
  reports: true,
};

/**
 * Sets handlerEnv(e) (and `overrides`) in this process and parses it as a function granted everything
 * would: for code that calls the adapters without a handler (tests, benchmarks).
 */
export function useHandlerEnv(e: LocalEndpoints, overrides: Record<string, string> = {}) {
  Object.assign(process.env, handlerEnv(e), overrides);
  loadEnv(EVERY_GRANT);
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
