import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { THRESHOLDS } from '../../infra/constructs/observability.js';
import { STAGES, type StageName, serviceNameOf, stackNames } from '../../infra/stages.js';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { OBSERVABILITY } from '../../shared/config/env.js';
import { STREAM_CONSUMER_NAMES } from '../../shared/config/streams.js';
import { TABLE_DEFINITION } from '../../shared/db/keys.js';
import { METRICS } from '../../shared/http/metric-names.js';

/**
 * Production in AWS (issue 13, docs/operations.md): each stage as its config says, dev and prod side by
 * side in one account. Both stages synthesized once, unbundled; each synth also runs the cdk-nag packs.
 */
type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const STAGE_NAMES = ['dev', 'prod'] as const;
const built = {} as Record<
  StageName,
  { app: BuiltApp; stateful: Template; service: Template; monitoring: Template; assemblyDir: string }
>;

beforeAll(() => {
  for (const stage of STAGE_NAMES) {
    const app = buildApp({ context: { 'aws:cdk:bundling-stacks': [], stage } });
    // Throws with cdk-nag's report on an unacknowledged finding of either pack.
    const assemblyDir = app.app.synth().directory;
    built[stage] = {
      app,
      assemblyDir,
      stateful: Template.fromStack(app.stateful),
      service: Template.fromStack(app.service),
      monitoring: Template.fromStack(app.monitoring),
    };
  }
});

const resourcesOf = (template: Template): [string, Resource][] =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).map(([id, r]) => [
    id,
    { ...r, Properties: r.Properties ?? {} },
  ]);

const logicalId = (construct: { node: { defaultChild?: unknown } }): string => {
  const cfn = construct.node.defaultChild as CfnResource;
  return Stack.of(cfn).getLogicalId(cfn);
};

/**
 * The physical names a template sets itself (strings, not tokens), by resource type and property:
 * what two stages in one account must not share. Rules are named per bus, and each stage has its own bus.
 */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::Events::EventBus': 'Name',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::Cognito::UserPoolClient': 'ClientName',
  'AWS::Cognito::UserPoolDomain': 'Domain',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
};

function physicalNames(stage: StageName): string[] {
  const { stateful, service, monitoring } = built[stage];
  const names: string[] = [];
  for (const template of [stateful, service, monitoring]) {
    for (const [, r] of resourcesOf(template)) {
      const property = NAME_PROPERTIES[r.Type];
      const value = property ? r.Properties[property] : undefined;
      if (typeof value === 'string') names.push(`${r.Type} ${value}`);
    }
    for (const output of Object.values(template.toJSON().Outputs ?? {}) as { Export?: { Name?: unknown } }[])
      if (typeof output.Export?.Name === 'string') names.push(`export ${output.Export.Name}`);
  }
  return names;
}

describe('stages side by side', () => {
  it('names every stack after its stage', () => {
    for (const stage of STAGE_NAMES) {
      // Act
      const { app } = built[stage];

      // Assess
      expect([app.stateful.stackName, app.service.stackName, app.monitoring.stackName]).toEqual(
        Object.values(stackNames(stage)),
      );
      expect(app.stateful.stackName).toBe(`ConcordCrm-${stage}-Stateful`);
    }
  });

  it('gives no physical name to both stages, and every name it sets carries the stage', () => {
    // Act
    const dev = physicalNames('dev');
    const prod = physicalNames('prod');

    // Assess
    expect(dev.length).toBeGreaterThan(4);
    expect(dev.filter((n) => prod.includes(n))).toEqual([]);
    for (const stage of STAGE_NAMES) {
      const others = physicalNames(stage).filter(
        // The login domain is global and spelled by the stage config as the brand needs (prod: concord-crm).
        (n) => !n.startsWith('AWS::Cognito::UserPoolDomain'),
      );
      for (const name of others) expect(name).toMatch(new RegExp(`${stage}|${STAGES[stage].resourcePrefix}`));
    }
  });
});

describe.each(STAGE_NAMES)('the %s stage', (stage) => {
  const config = STAGES[stage];
  const kept = config.statefulRemoval === 'retain';

  it(`${kept ? 'retains' : 'may destroy'} the table, pool, bus, archive and buckets, with protection to match`, () => {
    // Prepare
    const { stateful, app } = built[stage];
    const types = [
      'AWS::DynamoDB::Table',
      'AWS::Cognito::UserPool',
      'AWS::Events::EventBus',
      'AWS::Events::Archive',
      'AWS::S3::Bucket',
    ];

    // Act
    const stores = resourcesOf(stateful).filter(([, r]) => types.includes(r.Type));

    // Assess
    expect(new Set(stores.map(([, r]) => r.Type)).size).toBe(types.length);
    for (const [id, r] of stores) expect(r.DeletionPolicy, id).toBe(kept ? 'Retain' : 'Delete');
    const table = stores.find(([, r]) => r.Type === 'AWS::DynamoDB::Table')![1];
    const pool = stores.find(([, r]) => r.Type === 'AWS::Cognito::UserPool')![1];
    expect(table.Properties.DeletionProtectionEnabled ?? false).toBe(kept);
    expect(pool.Properties.DeletionProtection ?? 'INACTIVE').toBe(kept ? 'ACTIVE' : 'INACTIVE');
    expect(app.stateful.terminationProtection).toBe(kept);
  });

  it('keeps every log group as long as the stage says', () => {
    // Prepare
    const { stateful, service } = built[stage];
    const signIns = logicalId(built[stage].app.stateful.node.findChild('SignInEvents') as never);

    // Act
    const groups = [...resourcesOf(stateful), ...resourcesOf(service)].filter(
      ([, r]) => r.Type === 'AWS::Logs::LogGroup',
    );

    // Assess
    expect(groups.length).toBeGreaterThan(10);
    for (const [id, group] of groups) {
      const expected = id === signIns ? config.logRetention.signIns : config.logRetention.functions;
      expect(group.Properties.RetentionInDays, id).toBe(expected);
    }
  });

  it('sets aside the concurrency the stage gives the stream publisher, and none for the others', () => {
    // Prepare
    const { app, service } = built[stage];
    const publisher = logicalId(app.service.fanout.publisher);

    // Act
    const reserved = resourcesOf(service)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.ReservedConcurrentExecutions)
      .map(([id, r]) => [id, r.Properties.ReservedConcurrentExecutions]);

    // Assess
    const expected = config.reservedConcurrency.publishChanges;
    expect(reserved).toEqual(expected === undefined ? [] : [[publisher, expected]]);
  });

  it('answers CORS for the stage’s origins and sends any unmatched request to the 404 function', () => {
    // Prepare
    const { app, service } = built[stage];
    const notFound = logicalId(app.service.api.functions.get('not-found')!);

    // Act
    const api = resourcesOf(service).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Api')![1];
    const fallback = resourcesOf(service).find(
      ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === '$default',
    )![1];
    const integration = (fallback.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
      'Fn::Join'
    ][1][1].Ref;

    // Assess
    expect((api.Properties.CorsConfiguration as { AllowOrigins: unknown }).AllowOrigins).toEqual([
      ...config.corsOrigins,
    ]);
    expect(service.toJSON().Resources[integration].Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [notFound, 'Arn'],
    });
  });
});

describe.each(STAGE_NAMES)('alarms and dashboard of the %s stage', (stage) => {
  const alarmsOf = () =>
    resourcesOf(built[stage].monitoring).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  const topicRef = () => ({ Ref: logicalId(built[stage].app.monitoring.observability.topic) });
  /** The dimension value of a resource's name as the monitoring stack spells it (a cross-stack token). */
  const dimension = (name: string, value: string) => [
    { Name: name, Value: built[stage].app.monitoring.resolve(value) },
  ];
  const watching = (dims: unknown, metricName: string) =>
    alarmsOf().filter(
      ([, a]) =>
        a.Properties.MetricName === metricName &&
        JSON.stringify(a.Properties.Dimensions) === JSON.stringify(dims),
    );

  it("notifies the stage's address by email through one topic", () => {
    // Act
    const subscriptions = resourcesOf(built[stage].monitoring).filter(
      ([, r]) => r.Type === 'AWS::SNS::Subscription',
    );

    // Assess
    expect(subscriptions.map(([, r]) => r.Properties)).toEqual([
      { Protocol: 'email', Endpoint: STAGES[stage].alarmEmail, TopicArn: topicRef() },
    ]);
  });

  it('gives every alarm of every stack the topic as its alarm and OK action', () => {
    // Prepare
    const { stateful, service, monitoring } = built[stage];

    // Act
    const alarms = [stateful, service, monitoring].flatMap((t) =>
      resourcesOf(t).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm'),
    );

    // Assess
    expect(alarms.length).toBeGreaterThan(100);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([topicRef()]);
      expect(alarm.Properties.OKActions, id).toEqual([topicRef()]);
      expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
    }
  });

  it('alarms on the errors and throttles of every function of the app', () => {
    // Prepare: every Lambda function of every stack
    const functions = built[stage].app.app.node.findAll().filter((c) => c instanceof LambdaFunction);
    expect(functions.length).toBeGreaterThan(40);

    for (const fn of functions as LambdaFunction[]) {
      // Act
      const dims = dimension('FunctionName', fn.functionName);

      // Assess
      expect(watching(dims, 'Errors'), fn.node.path).toHaveLength(1);
      expect(watching(dims, 'Throttles'), fn.node.path).toHaveLength(1);
    }
  });

  it("alarms on each stream consumer's iterator age, well before records are dead-lettered", () => {
    for (const name of STREAM_CONSUMER_NAMES) {
      // Act
      const fn = built[stage].app.service.fanout.consumers.get(name)!.fn;
      const found = watching(dimension('FunctionName', fn.functionName), 'IteratorAge');

      // Assess
      expect(found, name).toHaveLength(1);
      expect(found[0]![1].Properties).toMatchObject({
        Statistic: 'Maximum',
        Threshold: THRESHOLDS.iteratorAgeMs,
      });
    }
  });

  it('alarms on every dead-letter queue and on each department inbox’s oldest message', () => {
    // Prepare
    const { fanout } = built[stage].app.service;
    const { jobs, schedules } = built[stage].app.service;
    const asynchronous = [jobs.transferJob, ...schedules.functions.values()];
    const deadLetterQueues = [
      ...[...fanout.consumers.values()].map((c) => c.deadLetterQueue),
      ...[...fanout.inboxes.values()].map((i) => i.deadLetterQueue),
      ...asynchronous.map((fn) => fn.deadLetterQueue!),
    ];

    // Assess
    expect(deadLetterQueues.every(Boolean)).toBe(true);
    expect(deadLetterQueues).toHaveLength(
      STREAM_CONSUMER_NAMES.length + DEPARTMENTS.length + asynchronous.length,
    );
    for (const queue of deadLetterQueues) {
      const found = watching(dimension('QueueName', queue.queueName), 'ApproximateNumberOfMessagesVisible');
      expect(found, queue.node.path).toHaveLength(1);
      expect(found[0]![1].Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    for (const department of DEPARTMENTS) {
      const queue = fanout.inboxes.get(department)!.queue;
      const found = watching(dimension('QueueName', queue.queueName), 'ApproximateAgeOfOldestMessage');
      expect(found, department).toHaveLength(1);
      expect(found[0]![1].Properties.Threshold).toBe(THRESHOLDS.inboxOldestMessageSeconds);
    }
  });

  it('alarms on the API’s 5xx rate and p99 latency', () => {
    // Prepare
    const api = dimension('ApiId', built[stage].app.service.api.httpApi.apiId);

    // Act
    const p99 = watching(api, 'Latency');
    const rate = alarmsOf().filter(([, a]) =>
      (a.Properties.Metrics as { Expression?: string }[] | undefined)?.some((m) =>
        m.Expression?.includes('errors'),
      ),
    );

    // Assess
    expect(p99).toHaveLength(1);
    expect(p99[0]![1].Properties).toMatchObject({
      ExtendedStatistic: 'p99',
      Threshold: THRESHOLDS.apiP99LatencyMs,
    });
    expect(rate).toHaveLength(1);
    expect(rate[0]![1].Properties.Threshold).toBe(THRESHOLDS.api5xxPercent);
    expect(JSON.stringify(rate[0]![1].Properties.Metrics)).toContain('"MetricName":"5xx"');
  });

  it('alarms on throttled reads and writes of the table and of every index', () => {
    // Prepare
    const tableName = built[stage].app.monitoring.resolve(built[stage].app.stateful.table.tableName);
    const throttleAlarms = alarmsOf().filter(([, a]) =>
      JSON.stringify(a.Properties.Metrics ?? []).includes('ThrottleEvents'),
    );

    for (const index of [undefined, ...Object.keys(TABLE_DEFINITION.indexes)]) {
      // Act
      // CloudWatch's order: the index's dimension, then the table's.
      const dims = [
        ...(index ? [{ Name: 'GlobalSecondaryIndexName', Value: index }] : []),
        { Name: 'TableName', Value: tableName },
      ];
      const found = throttleAlarms.filter(([, a]) => {
        const metrics = JSON.stringify(a.Properties.Metrics);
        return (
          metrics.includes(`"Dimensions":${JSON.stringify(dims)}`) &&
          metrics.includes('ReadThrottleEvents') &&
          metrics.includes('WriteThrottleEvents')
        );
      });

      // Assess
      expect(found, index ?? 'table').toHaveLength(1);
    }
  });

  it('draws the business metrics the code emits, and the API and stream panels', () => {
    // Act
    const dashboards = resourcesOf(built[stage].monitoring).filter(
      ([, r]) => r.Type === 'AWS::CloudWatch::Dashboard',
    );
    const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);

    // Assess
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]![1].Properties.DashboardName).toBe(STAGES[stage].resourcePrefix);
    for (const metric of Object.values(METRICS))
      expect(body).toContain(`${OBSERVABILITY.metricsNamespace}\\",\\"${metric}`);
    expect(body).toContain(serviceNameOf(STAGES[stage]));
    for (const metric of ['IteratorAge', '5xx', 'Latency', 'ApproximateAgeOfOldestMessage'])
      expect(body).toContain(metric);
  });
});

describe.each(STAGE_NAMES)('cdk-nag on the %s stage', (stage) => {
  it('leaves no unacknowledged error or warning of AwsSolutions or Serverless', () => {
    // Act: cdk-nag 3 reports through CDK's policy validation, into the assembly's validation report.
    const report = JSON.parse(
      readFileSync(join(built[stage].assemblyDir, VALIDATION_REPORT_FILE), 'utf8'),
    ) as {
      pluginReports: { pluginName: string; violations?: { ruleName: string; severity: string }[] }[];
    };

    // Assess
    // (A pack with no finding has no report: that both really run is the next test's and stacks.test.ts's.)
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    const { app } = built[stage];
    for (const stack of [app.stateful, app.service, app.monitoring]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue()), stack.stackName).toEqual([]);
      expect(
        Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('(AwsSolutions|Serverless)-.*')),
        stack.stackName,
      ).toEqual([]);
    }
  });

  it('fails the synth on an unacknowledged Serverless finding', async () => {
    // Prepare: a function invoked asynchronously with no dead-letter queue, and nothing acknowledged
    const { Function: Fn, Code, Runtime } = await import('aws-cdk-lib/aws-lambda');
    const app = buildApp({ context: { 'aws:cdk:bundling-stacks': [], stage } });
    new Fn(app.service, 'NoDlq', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });

    // Act
    const synth = () => app.app.synth();

    // Assess
    expect(synth).toThrow(/Serverless-LambdaDLQ/);
  });
});
