import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, type IFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  type ICommandHooks,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { ENV, OBSERVABILITY } from '../../shared/config/env.js';
import { ROLES_KEY_PREFIX, TABLE_DEFINITION } from '../../shared/db/keys.js';
import type { TableItemsGrant } from '../../shared/http/route-types.js';
import { serviceNameOf, stageOf } from '../stages.js';

/** The project folder: entries, the lock file and esbuild are found from here, whatever the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Access = 'R' | 'RW';

/**
 * DynamoDB actions per access level. No Scan: lists read an index or an item collection (house rule),
 * so a handler that tries to Scan fails loudly. Transactions are authorized per contained action.
 */
const TABLE_ACTIONS: Record<Access, string[]> = {
  // ConditionCheckItem reads less than GetItem does: a write transaction's checks of other records.
  R: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  // What the record writes call: one conditional Put or Update, or a transaction of those. No DeleteItem
  // (a delete is a soft delete, an update: a hard one would bypass the trail) and no batch: a function
  // that truly needs one of these is granted it on its own items (`tableItems`). Checked against every
  // function's bundle by test/infra/bundles.test.ts.
  RW: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
};

const BUCKET_OBJECT_ACTIONS: Record<Access, string[]> = {
  R: ['s3:GetObject'],
  RW: ['s3:GetObject', 's3:PutObject'],
};

/**
 * Report snapshots live under `reports/` (docs/reports.md), import and export files under `imports/` and
 * `exports/` (docs/import-export.md); a function gets the one prefix its grant names and nothing else.
 */
export type BucketPrefix = 'reports/' | 'imports/' | 'exports/';

/** Binds a bucket grant: `reports/`, or each prefix the grant names. */
export function bindBucketGrant(
  fn: AppFunction,
  bucket: IBucket,
  grant: Access | { access: Access; prefixes: readonly BucketPrefix[] },
): void {
  if (typeof grant === 'string') fn.bindBucket(bucket, grant);
  else for (const prefix of grant.prefixes) fn.bindBucket(bucket, grant.access, prefix);
}

/**
 * The ESM bundle runs CommonJS dependencies too: esbuild's `require` shim needs a real `require`.
 * Aliased so it cannot clash with a name in the bundle.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __concordCreateRequire } from 'node:module'; const require = __concordCreateRequire(import.meta.url);";

/**
 * How every function is bundled (esbuild through NodejsFunction). test/infra/bundles.test.ts builds every
 * handler with these same options and imports each bundle, so that CI runs what Lambda would.
 */
export const BUNDLING = {
  minify: true,
  format: OutputFormat.ESM,
  target: 'node20',
  sourceMap: true,
  // Maps for stack traces only: without the sources they are a fraction of the size to ship and load.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // Bundle the AWS SDK too: pinned versions, tree-shaken, no dependence on the runtime's copy.
  externalModules: [],
  // The local esbuild (a devDependency) builds every bundle: Docker is never needed.
  forceDockerBundling: false,
} as const;

export interface AppFunctionProps {
  /** Entry file, relative to the project folder (e.g. `functions/api/me.ts`). */
  entry: string;
  description?: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /** Files of an npm package the code reads at run time (not imports), shipped beside the bundle. */
  packageFiles?: PackageFiles;
  /** Concurrency set aside for this function (and its ceiling); none when not given. */
  reservedConcurrentExecutions?: number;
  /**
   * Where a failed invocation goes. An asynchronously invoked function (a job, a schedule's target) gets
   * its own dead-letter queue, encrypted and TLS-only (`deadLetterQueue`); any other states why it needs
   * none (a synchronous caller gets the error; an event source mapping has its own destination).
   */
  failedInvocations: { deadLetterQueue: true } | { noDeadLetterQueue: string };
}

export interface PackageFiles {
  name: string;
  files: readonly string[];
}

/**
 * Copies the files into `node_modules/<name>/` of the bundle's folder: there a `createRequire` from the
 * bundle resolves `<name>/<file>` as it does from the sources locally, so the code has one lookup.
 */
function copyPackageFiles(pkg: PackageFiles): ICommandHooks {
  const from = dirname(createRequire(join(PROJECT_ROOT, 'package.json')).resolve(`${pkg.name}/package.json`));
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => {
      const to = join(outputDir, 'node_modules', pkg.name);
      return [`mkdir -p "${to}"`, ...pkg.files.map((f) => `cp "${join(from, f)}" "${to}/"`)];
    },
  };
}

/**
 * A Lambda function with the house defaults fixed (the latest Node.js on arm64, X-Ray, JSON logs to its own log
 * group, a minified ESM bundle built by the local esbuild) and `bind*` methods that grant least privilege
 * AND set the environment variable the code reads, so the two never drift apart.
 *
 * Its role carries no AWS managed policy: it may write to its own log group and nothing else until bound.
 */
export class AppFunction extends NodejsFunction {
  /** The entry file, relative to the project folder (what test/infra/bundles.test.ts builds). */
  public readonly entryFile: string;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id, AppFunction.functionProps(scope, id, props));
    this.entryFile = props.entry;
    if ('noDeadLetterQueue' in props.failedInvocations) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: props.failedInvocations.noDeadLetterQueue,
      });
    }
    Validations.of(this.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which do not support ' +
        'resource-level permissions (the X-Ray service authorization reference lists no resource types).',
    });
  }

  private static functionProps(scope: Construct, id: string, props: AppFunctionProps): NodejsFunctionProps {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: stageOf(scope.node).logRetention.functions,
      // Logs of a deleted function are noise; the audit trail lives in the table, not in logs.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    const deadLetterQueue =
      'deadLetterQueue' in props.failedInvocations ? deadLetterQueueFor(scope, `${id}Dlq`) : undefined;

    const common: NodejsFunctionProps = {
      deadLetterQueue,
      // The latest Node.js Lambda offers; bundles target node20, the oldest Node the local stack runs on.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      description: props.description,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      // The observability pair every function's schema requires (shared/config/env.ts); the bind* calls
      // add the variable of each grant.
      environment: {
        [ENV.serviceName]: serviceNameOf(stageOf(scope.node)),
        [ENV.metricsNamespace]: OBSERVABILITY.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    };

    const entry = join(PROJECT_ROOT, props.entry);
    if (!existsSync(entry)) {
      // `cdk synth --exclusively`, `cdk deploy <other stack>` and the infra tests skip bundling for this
      // stack (context `aws:cdk:bundling-stacks`): no code is built, so a placeholder stands in for a
      // handler that is not written yet. Where the code is really built, a missing entry is an error.
      if (Stack.of(scope).bundlingRequired) {
        throw new Error(`AppFunction ${id}: entry ${props.entry} does not exist (looked in ${PROJECT_ROOT})`);
      }
      return {
        ...common,
        code: Code.fromInline(
          "exports.handler = async () => { throw new Error('synthesized without bundling'); };",
        ),
        handler: 'index.handler',
      };
    }

    return {
      ...common,
      entry,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        ...BUNDLING,
        externalModules: [...BUNDLING.externalModules],
        mainFields: [...BUNDLING.mainFields],
        ...(props.packageFiles ? { commandHooks: copyPackageFiles(props.packageFiles) } : {}),
      },
    };
  }

  /** Read (`R`) or read-write (`RW`) on the table and Query on each of its indexes; sets TABLE_NAME. */
  bindTable(table: ITable, access: Access): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: TABLE_ACTIONS[access], resources: [table.tableArn] }),
    );
    // Index ARNs named one by one from the key module, rather than `index/*`.
    const indexArns = Object.keys(TABLE_DEFINITION.indexes).map((name) => `${table.tableArn}/index/${name}`);
    this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns }));
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /**
   * The given item actions on the table, on items whose partition key starts with `keyPrefix` only
   * (IAM's dynamodb:LeadingKeys); sets TABLE_NAME. For a function that keeps its own items (a lock)
   * and has no business with records.
   */
  bindTableItemGrants(table: ITable, grant: TableItemsGrant | readonly TableItemsGrant[]): this {
    const grants: readonly TableItemsGrant[] = 'keyPrefix' in grant ? [grant] : grant;
    for (const { actions, keyPrefix } of grants) this.bindTableItems(table, actions, keyPrefix);
    return this;
  }

  bindTableItems(table: ITable, actions: readonly string[], keyPrefix: string): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [...actions],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keyPrefix}*`] } },
      }),
    );
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /** Reads the role cells admins changed, and nothing else of the table; sets TABLE_NAME. */
  bindRoleCells(table: ITable): this {
    return this.bindTableItems(table, ['dynamodb:GetItem', 'dynamodb:Query'], ROLES_KEY_PREFIX);
  }

  /** PutEvents on this bus only; sets EVENT_BUS_NAME. */
  bindBus(bus: IEventBus): this {
    bus.grantPutEventsTo(this);
    this.addEnvironment(ENV.busName, bus.eventBusName);
    return this;
  }

  /**
   * Objects under one prefix (read, or read and write) and listing that prefix; sets REPORTS_BUCKET.
   * cdk-nag reports the `<prefix>*` object wildcard (AwsSolutions-IAM5); the acknowledgement names that
   * one finding. The bucket must be known when this runs (an import by export name, not CDK's automatic
   * cross-stack reference, whose output name is settled only at synth).
   */
  bindBucket(bucket: IBucket, access: Access, prefix: BucketPrefix = 'reports/'): this {
    const objects = bucket.arnForObjects(`${prefix}*`);
    this.addToRolePolicy(
      new PolicyStatement({ actions: BUCKET_OBJECT_ACTIONS[access], resources: [objects] }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${prefix}*` } },
      }),
    );
    this.addEnvironment(ENV.bucketName, bucket.bucketName);
    Validations.of(this.role!).acknowledge({
      id: nagWildcardFinding(this, objects),
      reason:
        `Objects under ${prefix} only (one object per file, named by report or by job); ` +
        "X-Ray's actions have no resource-level permissions (see the constructor's acknowledgement).",
    });
    return this;
  }

  /**
   * lambda:InvokeFunction on that one function (unqualified: not its versions, which grantInvoke would
   * add as `<arn>:*`); sets the variable that names it (JOB_FUNCTION, REPORT_FUNCTION).
   */
  bindInvoke(target: IFunction, variable: typeof ENV.jobFunction | typeof ENV.reportFunction): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
    );
    this.addEnvironment(variable, target.functionName);
    return this;
  }

  /** Cognito emails invited users their temporary password (in AWS); sets INVITATION_DELIVERY. */
  bindInvitations(): this {
    this.addEnvironment(ENV.invitationDelivery, 'email');
    return this;
  }

  /**
   * ses:SendEmail from the sender's domain identity only (SES v2 authorizes the identity the From
   * address belongs to); sets CHANNEL_EMAIL_FROM.
   */
  bindEmail(from: string): this {
    const domain = from.slice(from.lastIndexOf('@') + 1);
    const stack = Stack.of(this);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain })],
      }),
    );
    this.addEnvironment(ENV.emailFrom, from);
    return this;
  }

  /** Read (GetSecretValue) on the cursor secret only; sets CURSOR_SECRET_ARN. */
  bindCursorSecret(secret: ISecret): this {
    secret.grantRead(this);
    this.addEnvironment(ENV.cursorSecretArn, secret.secretArn);
    return this;
  }

  /** The given cognito-idp actions on this user pool only; sets USER_POOL_ID. */
  bindUserPool(pool: IUserPool, actions: readonly string[]): this {
    this.addToRolePolicy(new PolicyStatement({ actions: [...actions], resources: [pool.userPoolArn] }));
    this.addEnvironment(ENV.userPoolId, pool.userPoolId);
    return this;
  }
}

/**
 * A dead-letter queue: encrypted at rest, TLS only, two weeks to look at a message. It is the end of the
 * line itself, so it has no dead-letter queue of its own (cdk-nag's findings acknowledged as such).
 */
export function deadLetterQueueFor(scope: Construct, id: string, props: QueueProps = {}): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...props,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (of a function, an event source mapping or a rule target), ' +
      'which cdk-nag does not recognise unless a RedrivePolicy names it.',
  });
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'A dead-letter queue needs no dead-letter queue: it is where failed messages end, alarmed on.',
  });
  return queue;
}

/**
 * The id of cdk-nag's AwsSolutions-IAM5 finding for a wildcard resource, as cdk-nag spells it, so an
 * acknowledgement covers that resource only and never the whole role. cdk-nag does not export its
 * flattening from the package index; the deep import is its own function, not a copy that could drift.
 */
export function nagWildcardFinding(scope: Construct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}
