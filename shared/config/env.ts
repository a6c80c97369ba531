import * as z from 'zod/mini';

/**
 * Environment of the functions, parsed once at module scope and failing fast: a missing variable is a
 * deployment error, never something to paper over with a default. CDK sets the variables (AppFunction:
 * the observability pair on every function, each bind* call the variable of what it grants), the local
 * stack sets them all (infra/local/handler-env.ts), and test/infra checks every function against its schema.
 */
export const ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  tableName: 'TABLE_NAME',
  busName: 'EVENT_BUS_NAME',
  userPoolId: 'USER_POOL_ID',
  bucketName: 'REPORTS_BUCKET',
  /** The cursor-signing secret itself (local stack) … */
  cursorSecret: 'CURSOR_SECRET',
  /** … or the ARN of the Secrets Manager secret that holds it (AWS). One of the two must be set. */
  cursorSecretArn: 'CURSOR_SECRET_ARN',
  /**
   * Who picks an invited user's temporary password: `email`, Cognito, which emails it (AWS); `answer`, the
   * function, which returns it as well as the pool emailing it (the local stack: docs/identity.md).
   */
  invitationDelivery: 'INVITATION_DELIVERY',
  /** `allow` on the local stack only: channel webhooks may then point at 127.0.0.1/localhost (never in AWS). */
  loopbackWebhooks: 'CHANNEL_LOOPBACK_WEBHOOKS',
  /** The sender of channel emails: an SES identity (docs/channels.md). */
  emailFrom: 'CHANNEL_EMAIL_FROM',
  /** The department queues the channel delivery consumes, as JSON: `{ "<queue ARN>": { department, url, deadLetterUrl } }`. */
  channelQueues: 'CHANNEL_QUEUES',
  /** Where a record's link in a channel message points: `<base>/v1/<collection>/<id>`. */
  recordLinkBase: 'RECORD_LINK_BASE',
  /** The job function (docs/import-export.md) that the import and export routes invoke. */
  jobFunction: 'JOB_FUNCTION',
  /** The report renderer (the scheduled report-snapshots function), which the run-report route invokes. */
  reportFunction: 'REPORT_FUNCTION',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** The values of the observability pair: one service, one metrics namespace, in AWS and locally. */
export const OBSERVABILITY = { serviceName: 'concord-crm', metricsNamespace: 'ConcordCrm' } as const;

/** An empty value counts as missing. */
const set = z.string().check(z.minLength(1));

/** What a function may touch: the keys of its grants (shared/http/route-types.ts `Grants`). */
export type Resource =
  | 'table'
  | 'tableItems'
  | 'roles'
  | 'userPool'
  | 'cursors'
  | 'bus'
  | 'bucket'
  | 'invitations'
  | 'webhooks'
  | 'email'
  | 'channelQueues'
  | 'jobs'
  | 'reports';
export type Uses = Readonly<Partial<Record<Resource, unknown>>>;

/** Every function: Powertools names its logs and metrics from these, else `service_undefined`. */
const OBSERVABILITY_ENV = { [ENV.serviceName]: set, [ENV.metricsNamespace]: set };

/** The variables each grant comes with (AppFunction.bind* sets exactly these). */
const RESOURCE_ENV: Record<Resource, Record<string, z.ZodMiniType<string | undefined>>> = {
  table: { [ENV.tableName]: set },
  tableItems: { [ENV.tableName]: set },
  roles: { [ENV.tableName]: set },
  userPool: { [ENV.userPoolId]: set },
  // The secret itself (local stack) or the ARN of the Secrets Manager secret that holds it (AWS).
  cursors: { [ENV.cursorSecret]: z.optional(set), [ENV.cursorSecretArn]: z.optional(set) },
  bus: { [ENV.busName]: set },
  bucket: { [ENV.bucketName]: set },
  invitations: { [ENV.invitationDelivery]: z.enum(['email', 'answer']) },
  // Channels: webhooks are posted to (loopback receivers allowed only where this says so), email is sent
  // through SES from this sender, and the delivery consumer knows its queues and where records live.
  webhooks: { [ENV.loopbackWebhooks]: z.optional(z.literal('allow')) },
  email: { [ENV.emailFrom]: set },
  channelQueues: { [ENV.channelQueues]: set, [ENV.recordLinkBase]: set },
  jobs: { [ENV.jobFunction]: set },
  reports: { [ENV.reportFunction]: set },
};

const oneCursorSecret = z.refine<FunctionEnv>((v) => Boolean(v[ENV.cursorSecret] ?? v[ENV.cursorSecretArn]), {
  message: `${ENV.cursorSecret} or ${ENV.cursorSecretArn}`,
});

export type FunctionEnv = Readonly<Partial<Record<EnvName, string>>>;

/**
 * The schema of one function's environment: the observability pair plus the variables of what it uses.
 * The kinds (API functions, stream consumers, scheduled jobs) share it; they differ by their grants, and
 * the environment follows the grants exactly, so a function never holds the name of what it may not touch.
 */
export function envSchemaOf(uses: Uses): z.ZodMiniType<FunctionEnv> {
  const used = (Object.keys(uses) as Resource[]).filter((r) => uses[r]);
  const schema = z.object(Object.assign({}, OBSERVABILITY_ENV, ...used.map((r) => RESOURCE_ENV[r])));
  return (uses.cursors ? schema.check(oneCursorSecret) : schema) as z.ZodMiniType<FunctionEnv>;
}

/** What a parse failed on, by variable name: `TABLE_NAME, CURSOR_SECRET or CURSOR_SECRET_ARN`. */
export function missingVariables(error: z.core.$ZodError): string[] {
  return [...new Set(error.issues.map((i) => (i.path.length ? String(i.path[0]) : i.message)))];
}

/** The parsed values of every function loaded in this process (one in Lambda; all of them locally). */
const parsed: Partial<Record<EnvName, string>> = {};

/**
 * Parses this function's environment from process.env and keeps it for the adapters (envValue). Called
 * at module scope of the entry (apiHandler, a stream consumer), so a missing variable fails the init
 * with a message naming it, before any request.
 */
export function loadEnv(uses: Uses): FunctionEnv {
  const result = envSchemaOf(uses).safeParse(process.env);
  if (!result.success) {
    throw new Error(`Missing environment variable(s): ${missingVariables(result.error).join(', ')}`);
  }
  for (const name of Object.values(ENV)) {
    const value = result.data[name];
    if (value) parsed[name] = value;
  }
  return result.data;
}

/**
 * A variable of the parsed environment. Throws when no loaded function's schema had it: the code uses a
 * resource its function is not granted (in AWS its role could not reach it either).
 */
export function envValue(name: EnvName): string {
  const value = parsed[name];
  if (!value)
    throw new Error(`${name} is not in this function's environment: it is not granted what sets it`);
  return value;
}

/** envValue, or undefined where the variable is one of a pair (the cursor secret or its ARN). */
export function optionalEnvValue(name: EnvName): string | undefined {
  return parsed[name];
}
