import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { STAGES, type StageName, stackNames } from '../../infra/stages.js';

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
const built = {} as Record<StageName, { app: BuiltApp; stateful: Template; service: Template }>;

beforeAll(() => {
  for (const stage of STAGE_NAMES) {
    const app = buildApp({ context: { 'aws:cdk:bundling-stacks': [], stage } });
    app.app.synth();
    built[stage] = {
      app,
      stateful: Template.fromStack(app.stateful),
      service: Template.fromStack(app.service),
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
  const { stateful, service } = built[stage];
  const names: string[] = [];
  for (const template of [stateful, service]) {
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
      expect([app.stateful.stackName, app.service.stackName]).toEqual(Object.values(stackNames(stage)));
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
