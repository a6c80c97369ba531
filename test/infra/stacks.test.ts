import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { ALL_GROUPS, DEPARTMENTS } from '../../shared/config/departments.js';
import { ENV } from '../../shared/config/env.js';
import { SCHEDULES } from '../../shared/config/schedules.js';
import { STREAM_CONSUMER_NAMES, STREAM_CONSUMERS } from '../../shared/config/streams.js';
import {
  AUDIT_KEY_PREFIX,
  COLLECTION_ATTRIBUTE,
  FEED_KEY_PREFIX,
  ROLE_CELL_STREAM_KEYS,
  ROLES_KEY_PREFIX,
  TABLE_DEFINITION,
  USER_KEY_PREFIX,
} from '../../shared/db/keys.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import { FALLBACK, type Grants, HANDLERS, ROUTES, routeKey } from '../../shared/http/routes.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let built: BuiltApp;
let assemblyDir: string;
let stateful: Template;
let service: Template;

beforeAll(() => {
  // Bundling skipped for every stack: synth is fast and does not depend on the handler files.
  built = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  // Throws with cdk-nag's report if a finding is not acknowledged (the app runs the AwsSolutions pack).
  assemblyDir = built.app.synth().directory;
  stateful = Template.fromStack(built.stateful);
  service = Template.fromStack(built.service);
});

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

const logicalId = (construct: { node: { defaultChild?: unknown } }): string => {
  const cfn = construct.node.defaultChild as CfnResource;
  return Stack.of(cfn).getLogicalId(cfn);
};

const functionOf = (handler: string) => built.service.api.functions.get(handler)!;

const functionResource = (fn: { node: { defaultChild?: unknown } }): Resource =>
  service.toJSON().Resources[logicalId(fn)] as Resource;

/** Every statement of the policies attached to a function's role. */
function statementsOf(fn: { node: { defaultChild?: unknown } }): Statement[] {
  const roleRef = (functionResource(fn).Properties.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  return resourcesOf(service, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statements: Statement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('StatefulStack', () => {
  it('provisions the table from TABLE_DEFINITION: keys, every GSI, stream, TTL, PITR', () => {
    // Prepare
    const expectedIndexes = Object.entries(TABLE_DEFINITION.indexes).map(([name, keys]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: keys.pk, KeyType: 'HASH' },
        { AttributeName: keys.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));

    // Act
    const tables = resourcesOf(stateful, 'AWS::DynamoDB::Table');

    // Assess
    expect(tables).toHaveLength(1);
    // Kept or not per stage: test/infra/production.test.ts.
    const [, table] = tables[0]!;
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: TABLE_DEFINITION.streamView },
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(expectedIndexes);
  });

  it('makes one Cognito group per entry of ALL_GROUPS and an admin-only pool', () => {
    // Act
    const groups = resourcesOf(stateful, 'AWS::Cognito::UserPoolGroup').map(
      ([, g]) => g.Properties.GroupName,
    );

    // Assess
    expect(groups.sort()).toEqual([...ALL_GROUPS].sort());
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: Match.objectLike({ MinimumLength: Match.anyValue(), RequireSymbols: true }),
      },
    });
  });

  it('gives the app client password and SRP sign-in and no secret', () => {
    // Assess
    stateful.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
    });
  });

  it('has the bus with an archive, and a private, versioned, TLS-only reports bucket', () => {
    // Prepare
    const bucketId = logicalId(built.stateful.reportsBucket);

    // Act
    const bucket = stateful.toJSON().Resources[bucketId] as Resource;

    // Assess
    stateful.resourceCountIs('AWS::Events::EventBus', 1);
    stateful.resourceCountIs('AWS::Events::Archive', 1);
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has the cursor secret, generated by CloudFormation (no value in the template)', () => {
    // Act
    const secrets = resourcesOf(stateful, 'AWS::SecretsManager::Secret');

    // Assess
    expect(secrets).toHaveLength(1);
    expect(secrets[0]![0]).toBe(logicalId(built.stateful.cursorSecret));
    expect(secrets[0]![1].Properties).toMatchObject({ GenerateSecretString: { PasswordLength: 64 } });
    expect(secrets[0]![1].Properties).not.toHaveProperty('SecretString');
  });
});

describe('ServiceStack: API', () => {
  it('has one route per ROUTES entry, JWT-authorized unless public', () => {
    // Act
    const routes = resourcesOf(service, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

    // Assess: one per entry, and the catch-all ($default), which needs no token
    expect(routes).toHaveLength(ROUTES.length + 1);
    expect(routes.find((r) => r.RouteKey === FALLBACK.routeKey)?.AuthorizationType).toBe('NONE');
    for (const route of ROUTES) {
      const found = routes.filter((r) => r.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      expect(found[0]!.AuthorizationType).toBe(route.auth === 'public' ? 'NONE' : 'JWT');
      if (route.auth !== 'public') expect(found[0]!.AuthorizerId).toBeDefined();
    }
    service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: Match.anyValue(), Issuer: Match.anyValue() },
    });
  });

  it("sends each route to its handler's function", () => {
    // Prepare
    const integrations = Object.fromEntries(resourcesOf(service, 'AWS::ApiGatewayV2::Integration'));
    const routes = resourcesOf(service, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

    for (const { key, handler } of [
      ...ROUTES.map((r) => ({ key: routeKey(r), handler: r.handler })),
      { key: FALLBACK.routeKey, handler: FALLBACK.handler },
    ]) {
      // Act
      const target = routes.find((r) => r.RouteKey === key)!.Target as {
        'Fn::Join': [string, [string, { Ref: string }]];
      };
      const integration = integrations[target['Fn::Join'][1][1].Ref]!;

      // Assess
      expect(integration.Properties.IntegrationUri, key).toEqual({
        'Fn::GetAtt': [logicalId(functionOf(handler.name)), 'Arn'],
      });
    }
  });

  it('logs access and throttles on the default stage', () => {
    // Assess
    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingBurstLimit: Match.anyValue(), ThrottlingRateLimit: Match.anyValue() },
    });
  });
});

describe('ServiceStack: functions', () => {
  it('has one function per handler, stream consumer, scheduled job, the channel delivery and the import job, all the latest Node.js on arm64 with JSON logs', () => {
    // Act
    const functions = resourcesOf(service, 'AWS::Lambda::Function').map(([, f]) => f.Properties);

    // Assess
    expect(built.service.api.functions.size).toBe(HANDLERS.size);
    expect(built.service.fanout.consumers.size).toBe(STREAM_CONSUMER_NAMES.length);
    expect(built.service.schedules.functions.size).toBe(new Set(SCHEDULES.map((s) => s.handler)).size);
    // … the channel delivery (test/infra/channels.test.ts) and the import job (below).
    expect(functions).toHaveLength(
      HANDLERS.size + STREAM_CONSUMER_NAMES.length + built.service.schedules.functions.size + 2,
    );
    for (const fn of functions) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    }
  });

  it('lets API Gateway invoke each API function through this API only, with one permission each', () => {
    // Prepare: the HTTP API's logical id, which every permission's source ARN must name
    const [apiId] = resourcesOf(service, 'AWS::ApiGatewayV2::Api').map(([id]) => id);
    const permissions = resourcesOf(service, 'AWS::Lambda::Permission').map(([, r]) => r.Properties);

    for (const [name] of HANDLERS) {
      // Act
      const mine = permissions.filter(
        (p) =>
          JSON.stringify(p.FunctionName) ===
          JSON.stringify({ 'Fn::GetAtt': [logicalId(functionOf(name)), 'Arn'] }),
      );

      // Assess
      expect(mine, name).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
      expect(JSON.stringify(mine[0]!.SourceArn), name).toContain(`{"Ref":"${apiId}"}`);
      expect(JSON.stringify(mine[0]!.SourceArn), name).toContain('/*/*/*');
    }
  });

  it('roles carry no AWS managed policy', () => {
    // Act
    const roles = resourcesOf(service, 'AWS::IAM::Role').map(([, r]) => r.Properties);

    // Assess
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it('gives each function what its route-table grants name, and no other service', () => {
    // Prepare: the AWS service each kind of grant reaches (typed: a new kind must be added here)
    const SERVICE_OF: Record<keyof Grants, string> = {
      table: 'dynamodb',
      tableItems: 'dynamodb',
      roles: 'dynamodb',
      userPool: 'cognito-idp',
      cursors: 'secretsmanager',
      bus: 'events',
      bucket: 's3',
      // No permission of its own: how the pool's invitation travels (AdminCreateUser is in userPool).
      invitations: 'cognito-idp',
      // No permission of its own (a webhook is a plain HTTPS request); it comes with the channel settings' items.
      webhooks: 'dynamodb',
      email: 'ses',
      jobs: 'lambda',
      reports: 'lambda',
    };

    for (const [name, handler] of HANDLERS) {
      // Act
      const actions = actionsOf(statementsOf(functionOf(name))).filter((a) => !/^(logs|xray):/.test(a));
      const services = new Set(actions.map((a) => a.split(':')[0]));

      // Assess
      const granted = Object.keys(handler.grants) as (keyof Grants)[];
      expect([...services].sort(), name).toEqual([...new Set(granted.map((g) => SERVICE_OF[g]))].sort());
      if (handler.grants.userPool) {
        expect(actions.filter((a) => a.startsWith('cognito-idp:')).sort(), name).toEqual(
          [...handler.grants.userPool].sort(),
        );
      }
    }
  });

  it('get-record may read the table but not write it, record writes may not delete, and nothing may Scan', () => {
    // Act
    const getRecord = actionsOf(statementsOf(functionOf('get-record')));
    const createRecord = actionsOf(statementsOf(functionOf('create-record')));
    const consumers = [...built.service.fanout.consumers.values()].map((c) => c.fn);
    const all = [...built.service.api.functions.values(), ...consumers].flatMap((fn) =>
      actionsOf(statementsOf(fn)),
    );

    // Assess
    expect(getRecord).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(getRecord).not.toContain(write);
      expect(createRecord).toContain(write);
    }
    // A delete is a soft delete (an update): a hard delete or a batch would bypass the trail.
    for (const bypass of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem']) {
      expect(createRecord).not.toContain(bypass);
      expect(actionsOf(statementsOf(functionOf('delete-record')))).not.toContain(bypass);
    }
    expect(all.filter((a) => a.startsWith('dynamodb:Scan') || a === 'dynamodb:*')).toEqual([]);
  });

  it('only the paging functions may read the cursor secret, only that secret, and they get its ARN', () => {
    // Prepare
    const paging = new Set([...HANDLERS].filter(([, h]) => h.grants.cursors).map(([name]) => name));
    expect([...paging]).toEqual(
      expect.arrayContaining(['list-records', 'account-timeline', 'admin-list-users']),
    );
    const envOf = (fn: { node: { defaultChild?: unknown } }) =>
      (functionResource(fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const secretStatements = (fn: { node: { defaultChild?: unknown } }) =>
      statementsOf(fn).filter((s) => actionsOf([s]).some((a) => a.startsWith('secretsmanager:')));

    // Act
    const readers = [...built.service.api.functions.entries()].filter(
      ([, fn]) => secretStatements(fn).length,
    );

    // Assess
    expect(readers.map(([handler]) => handler).sort()).toEqual([...paging].sort());
    expect(secretStatements(built.service.fanout.publisher)).toEqual([]);
    for (const [handler, fn] of built.service.api.functions) {
      const arn = envOf(fn)[ENV.cursorSecretArn];
      if (!paging.has(handler)) {
        expect(arn, handler).toBeUndefined();
        continue;
      }
      expect(arn, handler).toBeDefined();
      for (const statement of secretStatements(fn)) {
        expect(statement.Resource, handler).toEqual(arn);
        expect(
          actionsOf([statement]).every((a) => /^secretsmanager:(GetSecretValue|DescribeSecret)$/.test(a)),
        ).toBe(true);
      }
    }
  });

  it('only the admin functions touch Cognito (owners are checked in the table), and only on the user pool', () => {
    // Prepare
    const poolArn = built.service.resolve(built.stateful.userPool.userPoolArn);

    for (const handler of HANDLERS.keys()) {
      // Act
      const cognito = statementsOf(functionOf(handler)).filter((s) =>
        actionsOf([s]).some((a) => a.startsWith('cognito-idp:')),
      );

      // Assess
      if (!handler.startsWith('admin-')) {
        expect(cognito, handler).toEqual([]);
        continue;
      }
      expect(cognito.length, handler).toBeGreaterThan(0);
      for (const statement of cognito) expect(statement.Resource, handler).toEqual(poolArn);
      expect(actionsOf(cognito)).not.toContain('cognito-idp:*');
    }
    expect(actionsOf(statementsOf(functionOf('admin-set-groups')))).toEqual(
      expect.arrayContaining(['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminRemoveUserFromGroup']),
    );
  });

  it('run-report may invoke the report renderer alone, reads report files and neither reads the table nor writes files', () => {
    // Prepare
    const renderer = built.service.schedules.reportRenderer;
    const runReport = functionOf('run-report');
    const statements = statementsOf(runReport);

    // Act
    const invoke = statements.filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    const actions = actionsOf(statements).filter((a) => !/^(logs|xray):/.test(a));

    // Assess
    expect(invoke.map((s) => s.Resource)).toEqual([built.service.resolve(renderer.functionArn)]);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(actions.filter((a) => /^s3:(Put|Delete)/.test(a))).toEqual([]);
    expect(functionResource(runReport).Properties.Timeout).toBe(29);
    const env = (functionResource(runReport).Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.REPORT_FUNCTION).toEqual(built.service.resolve(renderer.functionName));
  });

  it("admin-set-groups may write the user's own items (role lock, directory entry) and nothing else in the table", () => {
    // Act
    const table = statementsOf(functionOf('admin-set-groups')).filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('dynamodb:')),
    );

    // Assess
    expect(actionsOf(table).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    for (const statement of table) {
      expect(statement.Resource).toEqual(built.service.resolve(built.stateful.table.tableArn));
      expect((statement as { Condition?: unknown }).Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${USER_KEY_PREFIX}*`] },
      });
    }
  });

  it('sets the environment a function reads exactly where it is granted the resource', () => {
    // Prepare
    const envOf = (fn: { node: { defaultChild?: unknown } }) =>
      (functionResource(fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    // Assess
    expect(envOf(functionOf('get-record'))).toHaveProperty(ENV.tableName);
    expect(envOf(functionOf('health'))).not.toHaveProperty(ENV.tableName);
    expect(envOf(functionOf('admin-list-users'))).toHaveProperty(ENV.userPoolId);
    expect(envOf(built.service.fanout.publisher)).toHaveProperty(ENV.busName);
    for (const handler of ['health', 'openapi'] as const) {
      expect(actionsOf(statementsOf(functionOf(handler))).filter((a) => !/^(logs|xray):/.test(a))).toEqual(
        [],
      );
    }
    // /v1/me shows the role permissions in force: it reads the role cells, and nothing else of the table.
    const me = statementsOf(functionOf('me')).filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('dynamodb:')),
    );
    expect(actionsOf(me).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(me[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ROLES_KEY_PREFIX}*`] },
    });
  });
});

describe('ServiceStack: change fan-out', () => {
  it.each(STREAM_CONSUMER_NAMES.map((n) => [n]))(
    'consumes the stream for %s with exactly its settings of shared/config/streams.ts, its filter and its own DLQ',
    (name) => {
      // Prepare
      const settings = STREAM_CONSUMERS[name];
      const consumer = built.service.fanout.consumers.get(name)!;

      // Act
      const mappings = resourcesOf(service, 'AWS::Lambda::EventSourceMapping').filter(
        ([, m]) =>
          JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(consumer.fn) }),
      );

      // Assess: every property (but the app's tags), so that a setting CDK adds or drops shows here
      expect(mappings).toHaveLength(1);
      const { Tags: _tags, ...properties } = mappings[0]![1].Properties;
      expect(properties).toEqual({
        EventSourceArn: expect.anything(),
        FunctionName: { Ref: logicalId(consumer.fn) },
        StartingPosition: settings.startingPosition,
        BatchSize: settings.batchSize,
        MaximumBatchingWindowInSeconds: settings.maxBatchingWindowSeconds,
        BisectBatchOnFunctionError: settings.bisectBatchOnError,
        MaximumRetryAttempts: settings.retryAttempts,
        MaximumRecordAgeInSeconds: settings.maxRecordAgeSeconds,
        ParallelizationFactor: settings.parallelizationFactor,
        FunctionResponseTypes: settings.reportBatchItemFailures ? ['ReportBatchItemFailures'] : undefined,
        FilterCriteria: { Filters: settings.filters.map((f) => ({ Pattern: JSON.stringify(f) })) },
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(consumer.deadLetterQueue), 'Arn'] } },
        },
      });
    },
  );

  it('has one event source mapping per stream consumer; publish-changes takes record changes only', () => {
    // Assess
    const onStream = resourcesOf(service, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties.StartingPosition !== undefined,
    );
    expect(onStream).toHaveLength(STREAM_CONSUMER_NAMES.length);
    expect(STREAM_CONSUMERS['publish-changes'].filters).toEqual([
      { dynamodb: { NewImage: { [COLLECTION_ATTRIBUTE]: { S: [{ exists: true }] } } } },
      // role.permissions_changed: an admin's change of a role cell
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: ROLE_CELL_STREAM_KEYS } },
    ]);
  });

  it.each([
    ['change-feed', FEED_KEY_PREFIX],
    ['audit', AUDIT_KEY_PREFIX],
  ] as const)(
    'lets %s write only its own items (dynamodb:LeadingKeys) and read no record',
    (name, prefix) => {
      // Act
      const statements = statementsOf(built.service.fanout.consumers.get(name)!.fn).filter((s) =>
        actionsOf([s]).some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams'),
      );
      const roleReads = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ROLES_KEY_PREFIX}*`] } };
      const onTable = statements.filter(
        (s) =>
          !actionsOf([s]).some((a) => a.startsWith('dynamodb:GetRecords')) &&
          JSON.stringify(s.Condition) !== JSON.stringify(roleReads),
      );

      // Assess
      expect(onTable).toHaveLength(1);
      expect(actionsOf(onTable).sort()).toEqual(['dynamodb:BatchWriteItem']);
      expect(onTable[0]!.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] },
      });
    },
  );

  it('has one bus rule per DEPARTMENT_RULES entry with the exact pattern, to its department queue', () => {
    // Act
    const rules = resourcesOf(service, 'AWS::Events::Rule').map(([, r]) => r.Properties);

    // Assess
    expect(rules).toHaveLength(DEPARTMENT_RULES.length);
    for (const spec of DEPARTMENT_RULES) {
      const rule = rules.find((r) => r.Name === spec.name);
      expect(rule, spec.name).toBeDefined();
      expect(rule!.EventPattern).toEqual(spec.pattern);
      const queue = built.service.fanout.inboxes.get(spec.department)!.queue;
      expect(rule!.Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] } }),
      ]);
    }
  });

  it('gives every department an encrypted queue with a DLQ and a rule for handoffs sent to it', () => {
    // Act
    const rules = resourcesOf(service, 'AWS::Events::Rule').map(([, r]) => r.Properties);

    for (const department of DEPARTMENTS) {
      const inbox = built.service.fanout.inboxes.get(department)!;
      const handoffs = rules.filter(
        (r) =>
          (
            r.EventPattern as { detail?: { record?: { toDept?: string[] } } }
          ).detail?.record?.toDept?.includes(department) === true,
      );

      // Assess
      expect(handoffs, department).toHaveLength(1);
      service.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(inbox.deadLetterQueue), 'Arn'] } },
      });
      expect(service.toJSON().Resources[logicalId(inbox.queue)].Properties.SqsManagedSseEnabled).toBe(true);
    }
    const queues = resourcesOf(service, 'AWS::SQS::Queue');
    // … and the dead-letter queues of the asynchronously invoked functions (the job, the scheduled ones).
    expect(queues).toHaveLength(
      2 * DEPARTMENTS.length + STREAM_CONSUMER_NAMES.length + 1 + built.service.schedules.functions.size,
    );
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('alarms on every dead-letter queue (in the monitoring stack)', () => {
    // Act
    const monitoring = Template.fromStack(built.monitoring);
    const dlqAlarms = resourcesOf(monitoring, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );

    // Assess
    service.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(dlqAlarms).toHaveLength(
      DEPARTMENTS.length + STREAM_CONSUMER_NAMES.length + 1 + built.service.schedules.functions.size,
    );
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('leaves no unacknowledged finding and no CDK error', () => {
    // Act: cdk-nag 3 reports through CDK's policy validation, into the assembly's validation report.
    const report = JSON.parse(readFileSync(join(assemblyDir, VALIDATION_REPORT_FILE), 'utf8')) as {
      pluginReports: { pluginName: string; violations?: { ruleName: string; severity: string }[] }[];
    };
    const findings = report.pluginReports
      .filter((r) => r.pluginName === 'AwsSolutions')
      .flatMap((r) => r.violations ?? []);

    // Assess
    expect(findings).toEqual([]);
    for (const stack of [built.stateful, built.service, built.monitoring]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual(
        [],
      );
    }
  });
});

describe('cdk-nag is really on', () => {
  it('fails synth on an unacknowledged finding', async () => {
    // Prepare: the same app, plus a queue that breaks the AwsSolutions rules (no DLQ, no TLS-only policy).
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    const app = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    new Queue(app.service, 'UnsafeQueue');

    // Act
    const synth = () => app.app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-SQS/);
  });
});
