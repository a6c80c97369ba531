import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnRule, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, type DynamoEventSourceProps, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_CONSUMER } from '../../shared/config/channels.js';
import { DEPARTMENTS, type Department } from '../../shared/config/departments.js';
import {
  STREAM_CONSUMER_NAMES,
  STREAM_CONSUMER_SPECS,
  type StreamConsumerName,
  type StreamSourceSettings,
  streamConsumerEntry,
} from '../../shared/config/streams.js';
import { EVENT_SOURCE } from '../../shared/events/names.js';
import { validatePattern } from '../../shared/events/pattern.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import type { Grants } from '../../shared/http/route-types.js';
import { stageOf } from '../stages.js';
import { AppFunction, deadLetterQueueFor } from './app-function.js';

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

/** One consumer of the table's stream, as deployed: its function and its on-failure dead-letter queue. */
export interface StreamConsumerResources {
  fn: AppFunction;
  deadLetterQueue: Queue;
}

export interface FanoutProps {
  table: ITable;
  bus: IEventBus;
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase());

/** A consumer's grants as AppFunction's bind* calls (the grants a stream consumer may hold). */
function bindConsumer(fn: AppFunction, grants: Grants, props: FanoutProps) {
  const { table, tableItems, roles, bus, ...rest } = grants;
  const unsupported = Object.keys(rest).filter((k) => rest[k as keyof typeof rest] !== undefined);
  if (unsupported.length) throw new Error(`stream consumers are not granted ${unsupported.join(', ')} here`);
  if (table) fn.bindTable(props.table, table);
  if (tableItems) fn.bindTableItemGrants(props.table, tableItems);
  if (roles) fn.bindRoleCells(props.table);
  if (bus) fn.bindBus(props.bus);
}

/**
 * The change fan-out: the table's stream → one function per stream consumer (shared/config/streams.ts:
 * publish-changes, change-feed, audit, …), each with its own event source mapping, filter criteria,
 * on-failure dead-letter queue and grants; publish-changes → the bus → one rule per department rule
 * (shared/events/rules.ts) → that department's queue. A department adds its own targets to its rules
 * (`rules.get('<dept>-<name>').addTarget(...)`) without touching this file.
 */
export class Fanout extends Construct {
  public readonly consumers: ReadonlyMap<StreamConsumerName, StreamConsumerResources>;
  public readonly publisher: AppFunction;
  /** Where stream records go that publish-changes failed on, after its retries. */
  public readonly streamDeadLetterQueue: Queue;
  public readonly inboxes: ReadonlyMap<Department, DepartmentInbox>;
  /** The bus rules, by RuleSpec name. */
  public readonly rules: ReadonlyMap<string, Rule>;

  constructor(scope: Construct, id: string, props: FanoutProps) {
    super(scope, id);
    const consumers = new Map<StreamConsumerName, StreamConsumerResources>();
    for (const name of STREAM_CONSUMER_NAMES) consumers.set(name, this.streamConsumer(name, props));
    this.consumers = consumers;
    this.publisher = consumers.get('publish-changes')!.fn;
    this.streamDeadLetterQueue = consumers.get('publish-changes')!.deadLetterQueue;

    const inboxes = new Map<Department, DepartmentInbox>();
    for (const department of DEPARTMENTS) {
      const deadLetterQueue = deadLetterQueueFor(this, `Inbox-${department}-Dlq`, QUEUE_DEFAULTS);
      const queue = new Queue(this, `Inbox-${department}`, {
        ...QUEUE_DEFAULTS,
        // The channel delivery consumes the inboxes (infra/constructs/channels.ts): its backstop redrive.
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: DELIVERY_CONSUMER.maxReceiveCount },
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

  /** A stream consumer: its function (with its grants), its DLQ and its event source mapping. */
  private streamConsumer(name: StreamConsumerName, props: FanoutProps): StreamConsumerResources {
    const spec = STREAM_CONSUMER_SPECS[name];
    // The on-failure destination of the stream event source mapping.
    const deadLetterQueue = deadLetterQueueFor(this, `${pascal(name)}Dlq`, QUEUE_DEFAULTS);
    const fn = new AppFunction(this, pascal(name), {
      entry: streamConsumerEntry(name),
      description: `Concord CRM: ${spec.description}`,
      timeout: Duration.seconds(spec.timeoutSeconds),
      // The publisher carries every event out: the stage may set its concurrency aside (infra/stages.ts).
      reservedConcurrentExecutions:
        name === 'publish-changes' ? stageOf(this.node).reservedConcurrency.publishChanges : undefined,
      failedInvocations: {
        noDeadLetterQueue:
          'Invoked by its stream event source mapping, whose on-failure destination is this consumer’s dead-letter queue.',
      },
    });
    bindConsumer(fn, spec.grants, props);
    fn.addEventSource(new DynamoEventSource(props.table, streamSourceProps(spec.settings, deadLetterQueue)));
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      // Replaces AppFunction's acknowledgement of the same finding on this role: it says why for both.
      reason:
        'Two actions without resource-level permissions: dynamodb:ListStreams, added by the DynamoDB event ' +
        'source (reading the stream itself is limited to this table), and the X-Ray PutTraceSegments / ' +
        'PutTelemetryRecords of active tracing.',
    });
    return { fn, deadLetterQueue };
  }

  /** Every dead-letter queue of the fan-out, for alarms. */
  get deadLetterQueues(): Queue[] {
    return [
      ...[...this.consumers.values()].map((c) => c.deadLetterQueue),
      ...[...this.inboxes.values()].map((i) => i.deadLetterQueue),
    ];
  }
}
