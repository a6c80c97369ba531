import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ALL_GROUPS } from '../../shared/config/departments.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { TABLE_DEFINITION } from '../../shared/db/keys.js';
import { EVENT_SOURCE } from '../../shared/events/names.js';

/**
 * What holds data or identity: the table, the user pool, the bus and the reports bucket. Kept apart
 * from the service stack so that functions and routes can be replaced freely while these stay (RETAIN).
 */
export class StatefulStack extends Stack {
  public readonly table: Table;
  public readonly userPool: UserPool;
  public readonly userPoolClient: UserPoolClient;
  public readonly bus: EventBus;
  public readonly reportsBucket: Bucket;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = this.createTable();
    [this.userPool, this.userPoolClient] = this.createUserPool();
    this.bus = this.createBus();
    this.reportsBucket = this.createReportsBucket();
  }

  /** Provisioned from the key module, like DynamoDB Local: one definition, no drift. */
  private createTable(): Table {
    const string = (name: string) => ({ name, type: AttributeType.STRING });
    const table = new Table(this, 'Table', {
      partitionKey: string(TABLE_DEFINITION.partitionKey),
      sortKey: string(TABLE_DEFINITION.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[TABLE_DEFINITION.streamView],
      timeToLiveAttribute: TABLE_DEFINITION.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [indexName, keys] of Object.entries(TABLE_DEFINITION.indexes)) {
      table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: string(keys.pk),
        sortKey: string(keys.sk),
        // Lists and the timeline return whole records: projecting ALL saves a GetItem per item.
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private createUserPool(): [UserPool, UserPoolClient] {
    const pool = new UserPool(this, 'UserPool', {
      userPoolName: RESOURCE_NAMES.userPool,
      // Admins create users; a CRM holds customer data, nobody enrols themselves.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Customer data behind a password alone is one phished password away: TOTP is required (AwsSolutions-COG2).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus tier: threat protection blocks risky and compromised-credential sign-ins (AwsSolutions-COG8).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Roles are groups, and the groups come from the department config: adding `finance` adds its group.
    for (const groupName of ALL_GROUPS) pool.addGroup(`Group-${groupName}`, { groupName });
    const client = pool.addClient('ApiClient', {
      userPoolClientName: RESOURCE_NAMES.userPoolClient,
      // A public client (browser, CLI): a secret could not be kept, and the JWT authorizer does not need one.
      generateSecret: false,
      // Tokens come from InitiateAuth (SRP, or password over TLS); there is no hosted UI to redirect to.
      disableOAuth: true,
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    return [pool, client];
  }

  private createBus(): EventBus {
    // Named: departments subscribe to it by name from their own stacks.
    const bus = new EventBus(this, 'Bus', { eventBusName: RESOURCE_NAMES.bus });
    // Every change event kept for replay, e.g. to feed a consumer that was broken or is new.
    const archive = bus.archive('Archive', {
      description: 'Every Concord CRM change event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(90),
    });
    bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return bus;
  }

  private createReportsBucket(): Bucket {
    const secure = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    // Server access logs of the reports bucket (who fetched which report). cdk-nag sees it is a log target.
    const accessLogs = new Bucket(this, 'ReportsAccessLogs', {
      ...secure,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    // Named by CDK: bucket names are global, RESOURCE_NAMES.reportsBucket would collide across accounts.
    return new Bucket(this, 'ReportsBucket', {
      ...secure,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'reports-bucket/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });
  }
}
