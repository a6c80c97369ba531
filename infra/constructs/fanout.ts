import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnRule, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, type DynamoEventSourceProps, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import { STREAM_CONSUMERS, type StreamSourceSettings } from '../../shared/config/streams.js';
import { EVENT_SOURCE } from '../../shared/events/names.js';
import { validatePattern } from '../../shared/events/pattern.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import { AppFunction } from './app-function.js';

/** Every queue here: encrypted at rest, TLS only, and two weeks to look at a message before it is gone. */
const QUEUE_DEFAULTS: QueueProps = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  retentionPeriod: Duration.days(14),
};

/**
 * The event source mapping of a stream consumer, from its settings (shared/config/streams.ts: the local
 * poller reads the same), with its failure destination.
 */
export function streamSourceProps(settings: StreamSourceSettings, onFailure: Queue): DynamoEventSourceProps {
  for (const [i, filter] of settings.filters.entries()) {
    const problems = validatePattern(filter);
    if (problems.length > 0) throw new Error(`Stream filter ${i}: invalid pattern: ${problems.join('; ')}`);
  }
  return {
    startingPosition: StartingPosition[settings.startingPosition],
    batchSize: settings.batchSize,
    maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
    retryAttempts: settings.retryAttempts,
    bisectBatchOnError: settings.bisectBatchOnError,
    maxRecordAge: Duration.seconds(settings.maxRecordAgeSeconds),
    parallelizationFactor: settings.parallelizationFactor,
    reportBatchItemFailures: settings.reportBatchItemFailures,
    filters: settings.filters.map((pattern) => FilterCriteria.filter(pattern)),
    onFailure: new SqsDlq(onFailure),
  };
}

export interface DepartmentInbox {
  queue: Queue;
  deadLetterQueue: Queue;
}

export interface FanoutProps {
  table: ITable;
  bus: IEventBus;
}

/**
 * The change fan-out: the table's stream → publish-changes → the bus → one rule per department rule
 * (shared/events/rules.ts) → that department's queue. A department adds its own targets to its rules
 * (`rules.get('<dept>-<name>').addTarget(...)`) without touching this file.
 */
export class Fanout extends Construct {
  public readonly publisher: AppFunction;
  /** Where stream records go that publish-changes failed on, after its retries. */
  public readonly streamDeadLetterQueue: Queue;
  public readonly inboxes: ReadonlyMap<Department, DepartmentInbox>;
  /** The bus rules, by RuleSpec name. */
  public readonly rules: ReadonlyMap<string, Rule>;

  constructor(scope: Construct, id: string, props: FanoutProps) {
    super(scope, id);
    this.streamDeadLetterQueue = new Queue(this, 'PublishChangesDlq', QUEUE_DEFAULTS);
    Validations.of(this.streamDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the on-failure destination of the stream event source ' +
        'mapping, which cdk-nag does not recognise (it only sees queues named in a RedrivePolicy).',
    });

    this.publisher = new AppFunction(this, 'PublishChanges', {
      entry: 'functions/streams/publish-changes.ts',
      description: 'Concord CRM: table stream to EventBridge',
      // A batch of 100 records is up to 10 PutEvents calls, each retried on failed entries.
      timeout: Duration.seconds(60),
    }).bindBus(props.bus);
    this.publisher.addEventSource(
      new DynamoEventSource(
        props.table,
        streamSourceProps(STREAM_CONSUMERS['publish-changes'], this.streamDeadLetterQueue),
      ),
    );
    Validations.of(this.publisher.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      // Replaces AppFunction's acknowledgement of the same finding on this role: it says why for both.
      reason:
        'Two actions without resource-level permissions: dynamodb:ListStreams, added by the DynamoDB event ' +
        'source (reading the stream itself is limited to this table), and the X-Ray PutTraceSegments / ' +
        'PutTelemetryRecords of active tracing.',
    });

    const inboxes = new Map<Department, DepartmentInbox>();
    for (const department of DEPARTMENTS) {
      const deadLetterQueue = new Queue(this, `Inbox-${department}-Dlq`, QUEUE_DEFAULTS);
      const queue = new Queue(this, `Inbox-${department}`, {
        ...QUEUE_DEFAULTS,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
      });
      inboxes.set(department, { queue, deadLetterQueue });
    }
    this.inboxes = inboxes;

    const rules = new Map<string, Rule>();
    for (const spec of DEPARTMENT_RULES) {
      const problems = validatePattern(spec.pattern);
      if (problems.length > 0) throw new Error(`Rule ${spec.name}: invalid pattern: ${problems.join('; ')}`);
      const inbox = inboxes.get(spec.department)!;
      const rule = new Rule(this, `Rule-${spec.name}`, {
        eventBus: props.bus,
        ruleName: spec.name,
        description: spec.description,
        // Replaced below: the L2 pattern type cannot express `$or`, prefix objects and the like.
        eventPattern: { source: [EVENT_SOURCE] },
        targets: [
          new SqsQueue(inbox.queue, {
            deadLetterQueue: inbox.deadLetterQueue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
      // The spec's pattern, verbatim: the same JSON the local bus matches with.
      (rule.node.defaultChild as CfnRule).addPropertyOverride('EventPattern', spec.pattern);
      rules.set(spec.name, rule);
    }
    this.rules = rules;
  }

  /** Every dead-letter queue of the fan-out, for alarms. */
  get deadLetterQueues(): Queue[] {
    return [this.streamDeadLetterQueue, ...[...this.inboxes.values()].map((i) => i.deadLetterQueue)];
  }
}
