import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OBSERVABILITY } from '../../shared/config/env.js';
import { TABLE_DEFINITION } from '../../shared/db/keys.js';
import { COLLECTION_NAMES } from '../../shared/domain/collections.js';
import { METRICS as METRIC_NAMES } from '../../shared/http/metric-names.js';
import { type StageConfig, serviceNameOf, stageResourceName } from '../stages.js';

/**
 * The thresholds, in one place: docs/operations.md explains each alarm with these figures. A stream
 * record older than an hour is dead-lettered (shared/config/streams.ts), so its consumer alarms well before.
 */
export const THRESHOLDS = {
  iteratorAgeMs: 10 * 60 * 1000,
  api5xxPercent: 1,
  /** Below this many requests in a period the 5xx rate is not judged (one error in three is not a trend). */
  api5xxMinRequests: 20,
  apiP99LatencyMs: 2500,
  inboxOldestMessageSeconds: 15 * 60,
} as const;

const FIVE_MINUTES = Duration.minutes(5);

/** The kinds of alarm, the prefix of each alarm's construct id and of its description. */
export type AlarmKind =
  | 'FunctionErrors'
  | 'FunctionThrottles'
  | 'IteratorAge'
  | 'Api5xxRate'
  | 'ApiP99Latency'
  | 'TableThrottles'
  | 'DlqNotEmpty'
  | 'InboxOldestMessage';

export interface ObservabilityProps {
  stage: StageConfig;
  /** Every function of the app, by a name unique in the app (the construct ids of the alarms). */
  functions: ReadonlyMap<string, IFunction>;
  /** The table stream's consumers: their iterator age tells how far behind the changes they are. */
  streamConsumers: ReadonlyMap<string, IFunction>;
  httpApi: HttpApi;
  table: ITable;
  /** Queues where a message means something was lost on the way: any message is worth a look. */
  deadLetterQueues: ReadonlyMap<string, IQueue>;
  /** Each department's inbox: a message left there too long means the channel delivery is stuck. */
  inboxes: ReadonlyMap<string, IQueue>;
}

/**
 * What pages someone, and what they look at then: an SNS topic per stage with the stage's email
 * subscribed, an alarm on each thing that needs a person (every one notifies the topic when it fires and
 * when it clears), and a dashboard with the business metrics (Powertools Metrics of the stream
 * publisher), the API, the stream consumers, the queues and the table. docs/operations.md says what each
 * alarm means and what to do.
 */
export class Observability extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];
  public readonly dashboard: Dashboard;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { stage } = props;
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Concord CRM ${stage.name} alarms`,
      enforceSSL: true,
    });
    this.topic.addSubscription(new EmailSubscription(stage.alarmEmail));
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values, no customer data; CloudWatch cannot publish ' +
        "to a topic encrypted with the AWS managed SNS key, and a customer key for this alone isn't worth it.",
    });
    Validations.of(this.topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'An email to a person: a notification SNS cannot deliver would land in a queue nobody reads; SNS counts ' +
        'them (NumberOfNotificationsFailed, on the dashboard) instead.',
    });
    this.action = new SnsAction(this.topic);

    for (const [name, fn] of props.functions) {
      this.alarm('FunctionErrors', name, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), {
        threshold: 1,
        description: `Function ${name} failed (an exception or a timeout)`,
      });
      this.alarm('FunctionThrottles', name, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), {
        threshold: 1,
        description: `Function ${name} was throttled (concurrency exhausted)`,
      });
    }
    for (const [name, fn] of props.streamConsumers) {
      this.alarm('IteratorAge', name, iteratorAge(fn), {
        threshold: THRESHOLDS.iteratorAgeMs,
        description: `Stream consumer ${name} is more than ${THRESHOLDS.iteratorAgeMs / 60_000} min behind the table`,
      });
    }
    this.alarm('Api5xxRate', 'Api', api5xxRate(props.httpApi), {
      threshold: THRESHOLDS.api5xxPercent,
      description: `More than ${THRESHOLDS.api5xxPercent} % of API requests answered 5xx`,
      periods: { evaluation: 3, toAlarm: 2 },
    });
    this.alarm(
      'ApiP99Latency',
      'Api',
      props.httpApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      {
        threshold: THRESHOLDS.apiP99LatencyMs,
        description: `API p99 latency above ${THRESHOLDS.apiP99LatencyMs} ms`,
        periods: { evaluation: 3, toAlarm: 3 },
        strictlyAbove: true,
      },
    );
    for (const [index, metric] of tableThrottles(props.table)) {
      this.alarm('TableThrottles', index, metric, {
        threshold: 1,
        description: `DynamoDB throttled requests on ${index === 'Table' ? 'the table' : `index ${index}`}`,
      });
    }
    for (const [name, queue] of props.deadLetterQueues) {
      this.alarm(
        'DlqNotEmpty',
        name,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        {
          threshold: 0,
          strictlyAbove: true,
          description: `Dead-letter queue ${name} has messages: a change or delivery failed after its retries`,
        },
      );
    }
    for (const [department, queue] of props.inboxes) {
      this.alarm(
        'InboxOldestMessage',
        department,
        queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        {
          threshold: THRESHOLDS.inboxOldestMessageSeconds,
          strictlyAbove: true,
          description: `The ${department} inbox holds a message older than ${THRESHOLDS.inboxOldestMessageSeconds / 60} min: channel delivery is stuck`,
        },
      );
    }
    this.dashboard = this.createDashboard(props);
  }

  private alarm(
    kind: AlarmKind,
    subject: string,
    metric: IMetric,
    opts: {
      threshold: number;
      description: string;
      periods?: { evaluation: number; toAlarm: number };
      strictlyAbove?: boolean;
    },
  ): Alarm {
    const alarm = new Alarm(this, `${kind}-${subject}`, {
      metric,
      alarmDescription: `${kind}: ${opts.description} (docs/operations.md)`,
      threshold: opts.threshold,
      comparisonOperator: opts.strictlyAbove
        ? ComparisonOperator.GREATER_THAN_THRESHOLD
        : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: opts.periods?.evaluation ?? 1,
      datapointsToAlarm: opts.periods?.toAlarm ?? 1,
      // No data is no traffic, not a failure: an idle function or an empty queue is fine.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private createDashboard(props: ObservabilityProps): Dashboard {
    const service = serviceNameOf(props.stage);
    const business = (metricName: string, dimensions: Record<string, string> = {}) =>
      new Metric({
        namespace: OBSERVABILITY.metricsNamespace,
        metricName,
        dimensionsMap: { service, ...dimensions },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const byCollection = (metricName: string) =>
      COLLECTION_NAMES.map((collection) => business(metricName, { collection }).with({ label: collection }));
    const graph = (title: string, left: IMetric[], extra: { stacked?: boolean; width?: number } = {}) =>
      new GraphWidget({ title, left, width: extra.width ?? 8, height: 6, stacked: extra.stacked });
    const api = props.httpApi;
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: stageResourceName(props.stage),
      defaultInterval: Duration.hours(6),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# Concord CRM (${props.stage.name})\nAlarms and what to do: docs/operations.md.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph('Records created, by collection', byCollection(METRIC_NAMES.recordsCreated), { stacked: true }),
      graph('Records updated, by collection', byCollection(METRIC_NAMES.recordsUpdated), { stacked: true }),
      graph('Records deleted, by collection', byCollection(METRIC_NAMES.recordsDeleted), { stacked: true }),
    );
    dashboard.addWidgets(
      graph('Events published / publish failures / oversized (dead-lettered)', [
        business(METRIC_NAMES.eventsPublished),
        business(METRIC_NAMES.publishFailures),
        business(METRIC_NAMES.eventsOversized),
      ]),
      graph('API requests, 4xx, 5xx', [
        api.metricCount({ period: FIVE_MINUTES }),
        api.metricClientError({ period: FIVE_MINUTES }),
        api.metricServerError({ period: FIVE_MINUTES }),
      ]),
      graph('API latency (p50, p99, ms)', [
        api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
        api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Stream consumers: iterator age (max, ms)',
        [...props.streamConsumers].map(([name, fn]) => iteratorAge(fn).with({ label: name })),
      ),
      graph(
        'Stream consumers: errors',
        [...props.streamConsumers].map(([name, fn]) =>
          fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name }),
        ),
      ),
      graph('Table: throttled requests', [...tableThrottles(props.table).values()]),
    );
    dashboard.addWidgets(
      graph(
        'Dead-letter queues: messages',
        [...props.deadLetterQueues].map(([name, q]) =>
          q.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
            label: name,
          }),
        ),
      ),
      graph(
        'Department inboxes: oldest message (s)',
        [...props.inboxes].map(([name, q]) =>
          q.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum', label: name }),
        ),
      ),
      graph('Alarm emails SNS could not deliver', [
        this.topic.metricNumberOfNotificationsFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
      ]),
    );
    return dashboard;
  }
}

/** How old the last record a consumer took from the stream was: how far behind the table it is. */
const iteratorAge = (fn: IFunction) =>
  fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' });

/** 5xx answers as a share of requests, judged only when there are enough requests to mean something. */
function api5xxRate(api: HttpApi): IMetric {
  return new MathExpression({
    expression: `IF(requests >= ${THRESHOLDS.api5xxMinRequests}, 100 * errors / requests, 0)`,
    usingMetrics: {
      errors: api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      requests: api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
    },
    label: 'API 5xx (%)',
    period: FIVE_MINUTES,
  });
}

/**
 * Throttled reads and writes of the table and of each index (an index that cannot keep up throttles the
 * table's writes too), one metric each: `Table` and the index names of the key module.
 */
function tableThrottles(table: ITable): Map<string, IMetric> {
  const throttleEvents = (metricName: string, dimensions: Record<string, string>) =>
    new Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: dimensions,
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
  // Ids unique across the expressions, as one graph shows them all.
  const throttles = (dimensions: Record<string, string>, label: string, n: number) =>
    new MathExpression({
      expression: `reads${n} + writes${n}`,
      usingMetrics: {
        [`reads${n}`]: throttleEvents('ReadThrottleEvents', dimensions),
        [`writes${n}`]: throttleEvents('WriteThrottleEvents', dimensions),
      },
      label,
      period: FIVE_MINUTES,
    });
  const metrics = new Map<string, IMetric>([
    ['Table', throttles({ TableName: table.tableName }, 'table', 0)],
  ]);
  for (const [i, index] of Object.keys(TABLE_DEFINITION.indexes).entries()) {
    metrics.set(
      index,
      throttles({ TableName: table.tableName, GlobalSecondaryIndexName: index }, index, i + 1),
    );
  }
  return metrics;
}
