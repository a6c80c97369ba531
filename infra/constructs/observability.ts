import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  /** Queues where a message means something was lost on the way: any message is worth a look. */
  deadLetterQueues: readonly IQueue[];
}

/**
 * Alarms on what needs a person. Actions (SNS, chat) are left to the operators' own setup:
 * `alarm.addAlarmAction(...)` on the exposed alarms.
 */
export class Observability extends Construct {
  public readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.alarms = props.deadLetterQueues.map((queue) =>
      queue
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
        .createAlarm(this, `DlqNotEmpty-${queue.node.id}`, {
          alarmDescription: `Dead-letter queue ${queue.node.path} has messages: a change or delivery failed after its retries`,
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
  }
}
