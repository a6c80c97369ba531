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
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { Construct } from 'constructs';
import { ENV, OBSERVABILITY } from '../../shared/config/env.js';
import { ROLES_KEY_PREFIX, TABLE_DEFINITION } from '../../shared/db/keys.js';

/** The project folder: entries, the lock file and esbuild are found from here, whatever the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Access = 'R' | 'RW';

/**
 * DynamoDB actions per access level. No Scan: lists read an index or an item collection (house rule),
 * so a handler that tries to Scan fails loudly. Transactions are authorized per contained action.
 */
const TABLE_ACTIONS: Record<Access, string[]> = {
  R: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  RW: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
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

export interface AppFunctionProps {
  /** Entry file, relative to the project folder (e.g. `functions/api/me.ts`). */
  entry: string;
  description?: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /** Files of an npm package the code reads at run time (not imports), shipped beside the bundle. */
  packageFiles?: PackageFiles;
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
 * A Lambda function with the house defaults fixed (Node 22 on arm64, X-Ray, JSON logs to its own log
 * group, a minified ESM bundle built by the local esbuild) and `bind*` methods that grant least privilege
 * AND set the environment variable the code reads, so the two never drift apart.
 *
 * Its role carries no AWS managed policy: it may write to its own log group and nothing else until bound.
 */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id, AppFunction.functionProps(scope, id, props));
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: an LTS runtime that Lambda supports. The same code runs in the local stack ' +
        'on Node 20 (bundles target node20); the runtime moves up together with the local Node version.',
    });
    Validations.of(this.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which do not support ' +
        'resource-level permissions (the X-Ray service authorization reference lists no resource types).',
    });
  }

  private static functionProps(scope: Construct, id: string, props: AppFunctionProps): NodejsFunctionProps {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      // Logs of a deleted function are noise; the audit trail lives in the table, not in logs.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    const common: NodejsFunctionProps = {
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      description: props.description,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      // The observability pair every function's schema requires (shared/config/env.ts); the bind* calls
      // add the variable of each grant.
      environment: {
        [ENV.serviceName]: OBSERVABILITY.serviceName,
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
   * lambda:InvokeFunction on the job function only (unqualified: not its versions, which
   * grantInvoke would add as `<arn>:*`); sets JOB_FUNCTION.
   */
  bindJob(job: IFunction): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [job.functionArn] }),
    );
    this.addEnvironment(ENV.jobFunction, job.functionName);
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
 * The id of cdk-nag's AwsSolutions-IAM5 finding for a wildcard resource, as cdk-nag spells it, so an
 * acknowledgement covers that resource only and never the whole role. cdk-nag does not export its
 * flattening from the package index; the deep import is its own function, not a copy that could drift.
 */
export function nagWildcardFinding(scope: Construct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}
