import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../../infra/app.js';
import { STAGES, type StageName } from '../../infra/stages.js';
import { CHANNEL_KINDS, DELIVERY, DELIVERY_CONSUMER } from '../../shared/config/channels.js';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { ENV, envSchemaOf, missingVariables } from '../../shared/config/env.js';
import { CHANNELS_KEY_PREFIX, DELIVERY_KEY_PREFIX } from '../../shared/db/keys.js';

/**
 * The channel delivery in AWS (docs/channels.md): one function fed by every department's queue with
 * DELIVERY_CONSUMER's settings, allowed its own table items, email from the stage's SES identity, the
 * inboxes and their dead-letter queues, and nothing else. Synthesized per stage, unbundled; each synth
 * also runs cdk-nag, which fails it on an unacknowledged finding.
 */
type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

const synth = (stage: StageName): BuiltApp => buildApp({ context: { 'aws:cdk:bundling-stacks': [], stage } });

const built: Partial<Record<StageName, { app: BuiltApp; template: Template }>> = {};

beforeAll(() => {
  for (const stage of ['dev', 'prod'] as const) {
    const app = synth(stage);
    app.app.synth();
    built[stage] = { app, template: Template.fromStack(app.service) };
  }
});

const logicalId = (construct: { node: { defaultChild?: unknown } }): string => {
  const cfn = construct.node.defaultChild as CfnResource;
  return Stack.of(cfn).getLogicalId(cfn);
};

function parts(stage: StageName) {
  const { app, template } = built[stage]!;
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const fnId = logicalId(app.service.channels.consumer);
  const fn = resources[fnId]!;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const inboxes = DEPARTMENTS.map((department) => {
    const inbox = app.service.fanout.inboxes.get(department)!;
    return { department, queue: logicalId(inbox.queue), dlq: logicalId(inbox.deadLetterQueue) };
  });
  return { app, resources, fnId, fn, statements, inboxes };
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const sorted = (values: unknown[]) =>
  [...values].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** A Fn::Join of strings, GetAtt Arn and Ref as text: `<arn:Id>` and `<ref:Id>` stand for the tokens. */
function joined(value: unknown): string {
  const [separator, pieces] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return pieces
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = p as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return o.Ref ? `<ref:${o.Ref}>` : `<arn:${o['Fn::GetAtt']![0]}>`;
    })
    .join(separator);
}

describe('the channel delivery', () => {
  it('is one function with the consumer’s timeout, fed by one mapping per department queue', () => {
    // Prepare
    const { fn, fnId, resources, inboxes } = parts('dev');

    // Act
    const mappings = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: fnId }),
    );

    // Assess: every property (but the app's tags), so that a setting CDK adds or drops shows here
    expect(fn.Properties.Timeout).toBe(DELIVERY_CONSUMER.timeoutSeconds);
    expect(
      sorted(
        mappings.map((m) => {
          const { Tags: _tags, ...properties } = m.Properties;
          return properties;
        }),
      ),
    ).toEqual(
      sorted(
        inboxes.map((inbox) => ({
          EventSourceArn: arnOf(inbox.queue),
          FunctionName: { Ref: fnId },
          BatchSize: DELIVERY_CONSUMER.batchSize,
          MaximumBatchingWindowInSeconds: DELIVERY_CONSUMER.maxBatchingWindowSeconds,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: DELIVERY_CONSUMER.maxConcurrency },
        })),
      ),
    );
  });

  it('leaves each channel all its attempts before the queue’s redrive, whose visibility outlasts a run', () => {
    // Prepare
    const { resources, inboxes } = parts('dev');

    for (const inbox of inboxes) {
      // Act
      const queue = resources[inbox.queue]!.Properties;

      // Assess
      expect(queue.RedrivePolicy, inbox.department).toEqual({
        deadLetterTargetArn: arnOf(inbox.dlq),
        maxReceiveCount: DELIVERY_CONSUMER.maxReceiveCount,
      });
      // SQS's default visibility (30 s) when none is set: Lambda refuses a queue that hides less.
      expect((queue.VisibilityTimeout as number | undefined) ?? 30).toBeGreaterThanOrEqual(
        DELIVERY_CONSUMER.timeoutSeconds,
      );
    }
    expect(DELIVERY_CONSUMER.maxReceiveCount).toBeGreaterThan(CHANNEL_KINDS.length * DELIVERY.maxAttempts);
  });

  it.each(['dev', 'prod'] as const)(
    'sends email on the %s stage from its sender, allowed on that domain identity only',
    (stage) => {
      // Prepare
      const { statements, fn } = parts(stage);
      const from = STAGES[stage].emailFrom;
      const domain = from.split('@')[1];

      // Act
      const ses = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(env[ENV.emailFrom]).toBe(from);
      expect(ses).toHaveLength(1);
      expect(actionsOf(ses[0]!)).toEqual(['ses:SendEmail']);
      expect(joined(ses[0]!.Resource)).toBe(
        `arn:<ref:AWS::Partition>:ses:<ref:AWS::Region>:<ref:AWS::AccountId>:identity/${domain}`,
      );
    },
  );

  it('consumes the department queues only, and sends to their dead-letter queues only', () => {
    // Prepare
    const { statements, inboxes } = parts('dev');
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    const resourcesOf = (s: Statement) => sorted(Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

    // Act
    const consume = sqs.filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
    const send = sqs.filter((s) => actionsOf(s).includes('sqs:SendMessage'));

    // Assess
    expect(consume).toHaveLength(1);
    expect(send).toHaveLength(1);
    expect(sqs).toHaveLength(2);
    expect(actionsOf(consume[0]!).sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    expect(resourcesOf(consume[0]!)).toEqual(sorted(inboxes.map((i) => arnOf(i.queue))));
    expect(actionsOf(send[0]!).sort()).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(resourcesOf(send[0]!)).toEqual(sorted(inboxes.map((i) => arnOf(i.dlq))));
  });

  it('touches the channel settings and delivery records only (dynamodb:LeadingKeys), and no other service', () => {
    // Prepare
    const { statements } = parts('dev');

    // Act
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const services = new Set(statements.flatMap((s) => actionsOf(s).map((a) => a.split(':')[0])));

    // Assess
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 'ses', 'sqs', 'xray']);
    expect(dynamo.map((s) => ({ actions: actionsOf(s).sort(), condition: s.Condition }))).toEqual(
      expect.arrayContaining([
        {
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${CHANNELS_KEY_PREFIX}*`] } },
        },
        {
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${DELIVERY_KEY_PREFIX}*`] } },
        },
      ]),
    );
    expect(dynamo).toHaveLength(2);
  });

  it('has what its code declares and nothing else of ours: every queue by ARN, links to the API', () => {
    // Prepare
    const { fn, inboxes, app } = parts('dev');
    const raw = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const env = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : '<token>']),
    );
    const ours = new Set<string>(Object.values(ENV));

    // Act
    const result = envSchemaOf(DELIVERY_CONSUMER.grants).safeParse(env);
    const queues = JSON.parse(joined(raw[ENV.channelQueues])) as Record<string, unknown>;

    // Assess
    expect(result.success ? [] : missingVariables(result.error), 'missing').toEqual([]);
    expect(
      Object.keys(env)
        .filter((k) => ours.has(k))
        .sort(),
    ).toEqual(Object.keys(result.data ?? {}).sort());
    expect(queues).toEqual(
      Object.fromEntries(
        inboxes.map((i) => [
          `<arn:${i.queue}>`,
          { department: i.department, url: `<ref:${i.queue}>`, deadLetterUrl: `<ref:${i.dlq}>` },
        ]),
      ),
    );
    expect(joined(raw[ENV.recordLinkBase])).toBe(
      `https://<ref:${logicalId(app.service.api.httpApi)}>.execute-api.<ref:AWS::Region>.<ref:AWS::URLSuffix>/`,
    );
  });
});

describe('the department queues’ dead-letter queues', () => {
  it('each have an alarm that fires on the first message (dead-lettered by the consumer or the redrive)', () => {
    // Prepare: the alarms live in the monitoring stack, which names each queue through the service stack's outputs
    const { app, inboxes } = parts('dev');
    const monitoring = Template.fromStack(app.monitoring).toJSON().Resources as Record<string, Resource>;
    const alarms = Object.values(monitoring).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const nameOf = (department: string, which: 'queue' | 'deadLetterQueue') =>
      JSON.stringify([
        {
          Name: 'QueueName',
          Value: app.monitoring.resolve(
            app.service.fanout.inboxes.get(department as never)![which].queueName,
          ),
        },
      ]);

    for (const inbox of inboxes) {
      // Act
      const watching = alarms.filter(
        (a) => JSON.stringify(a.Properties.Dimensions) === nameOf(inbox.department, 'deadLetterQueue'),
      );

      // Assess
      expect(watching, inbox.department).toHaveLength(1);
      expect(watching[0]!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    // The inboxes themselves are not dead-letter queues: no alarm on a queue that is merely busy, only on
    // a message left there too long.
    for (const inbox of inboxes) {
      const onInbox = alarms.filter(
        (a) => JSON.stringify(a.Properties.Dimensions) === nameOf(inbox.department, 'queue'),
      );
      expect(
        onInbox.map((a) => a.Properties.MetricName),
        inbox.department,
      ).toEqual(['ApproximateAgeOfOldestMessage']);
    }
  });
});
