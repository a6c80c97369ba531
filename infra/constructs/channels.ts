import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { DELIVERY_CONSUMER } from '../../shared/config/channels.js';
import type { Department } from '../../shared/config/departments.js';
import { ENV } from '../../shared/config/env.js';
import { CHANNELS_KEY_PREFIX, DELIVERY_KEY_PREFIX } from '../../shared/db/keys.js';
import { stageOf } from '../stages.js';
import { AppFunction } from './app-function.js';
import type { DepartmentInbox } from './fanout.js';

export interface ChannelsProps {
  table: ITable;
  /** Each department's queue (Fanout.inboxes): the consumer reads them all. */
  inboxes: ReadonlyMap<Department, DepartmentInbox>;
  /** Where the messages' record links point: the HTTP API's URL. */
  recordLinkBase: string;
}

/**
 * The channel delivery in AWS (docs/channels.md): one function fed by every department's queue, with
 * the event source settings of DELIVERY_CONSUMER (the local poller reads the same). It may read the
 * channel settings and mark a channel failing, claim and write delivery records (IAM's LeadingKeys:
 * those items only), send email from the stage's SES identity, consume the inboxes and send to their
 * dead-letter queues (a channel given up on is dead-lettered by the consumer itself).
 */
export class Channels extends Construct {
  public readonly consumer: AppFunction;

  constructor(scope: Construct, id: string, props: ChannelsProps) {
    super(scope, id);
    const fn = new AppFunction(this, 'DeliverChannels', {
      entry: DELIVERY_CONSUMER.entry,
      description: 'Concord CRM: department queues to Slack, WeChat Work and email',
      timeout: Duration.seconds(DELIVERY_CONSUMER.timeoutSeconds),
      failedInvocations: {
        noDeadLetterQueue:
          "Invoked by SQS event source mappings: a message that keeps failing goes to its inbox's dead-letter " +
          'queue (the redrive policy), or the consumer dead-letters it itself.',
      },
    });
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "An SQS event source mapping takes no on-failure destination (Lambda supports one for streams and Kafka only): the queue's redrive policy is the destination.",
    });
    fn.bindTableItems(props.table, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], CHANNELS_KEY_PREFIX);
    fn.bindTableItems(props.table, ['dynamodb:GetItem', 'dynamodb:PutItem'], DELIVERY_KEY_PREFIX);
    fn.bindEmail(stageOf(this.node).emailFrom);

    const queues: Record<string, { department: Department; url: string; deadLetterUrl: string }> = {};
    for (const [department, inbox] of props.inboxes) {
      // The event source grants what consuming takes (receive, delete, change visibility) on this queue.
      fn.addEventSource(
        new SqsEventSource(inbox.queue, {
          batchSize: DELIVERY_CONSUMER.batchSize,
          maxBatchingWindow: Duration.seconds(DELIVERY_CONSUMER.maxBatchingWindowSeconds),
          maxConcurrency: DELIVERY_CONSUMER.maxConcurrency,
          reportBatchItemFailures: DELIVERY_CONSUMER.reportBatchItemFailures,
        }),
      );
      inbox.deadLetterQueue.grantSendMessages(fn);
      queues[inbox.queue.queueArn] = {
        department,
        url: inbox.queue.queueUrl,
        deadLetterUrl: inbox.deadLetterQueue.queueUrl,
      };
    }
    // The ARNs and URLs are tokens until deploy: CloudFormation joins the JSON.
    fn.addEnvironment(ENV.channelQueues, Stack.of(this).toJsonString(queues));
    fn.addEnvironment(ENV.recordLinkBase, props.recordLinkBase);
    this.consumer = fn;
  }
}
