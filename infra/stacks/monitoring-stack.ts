import { Stack, type StackProps } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { Observability } from '../constructs/observability.js';
import { stageOf } from '../stages.js';
import type { ServiceStack } from './service-stack.js';
import type { StatefulStack } from './stateful-stack.js';

export interface MonitoringStackProps extends StackProps {
  stateful: StatefulStack;
  service: ServiceStack;
}

/**
 * The alarms, their topic and the dashboard. A stack of their own: two alarms per function would take the
 * service stack past CloudFormation's 500 resources, and alarms hold no data, so this stack can be
 * replaced as freely as the service stack.
 */
export class MonitoringStack extends Stack {
  public readonly observability: Observability;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { stateful, service } = props;
    const functions = new Map<string, IFunction>();
    for (const [name, fn] of service.api.functions) functions.set(`api-${name}`, fn);
    for (const [name, consumer] of service.fanout.consumers) functions.set(`stream-${name}`, consumer.fn);
    functions.set('deliver-channels', service.channels.consumer);
    functions.set('run-job', service.jobs.transferJob);
    for (const [name, fn] of service.schedules.functions) functions.set(`scheduled-${name}`, fn);
    functions.set('sync-user', stateful.userSync);

    const deadLetterQueues = new Map<string, IQueue>();
    for (const [name, consumer] of service.fanout.consumers)
      deadLetterQueues.set(`stream-${name}`, consumer.deadLetterQueue);
    for (const [department, inbox] of service.fanout.inboxes)
      deadLetterQueues.set(`inbox-${department}`, inbox.deadLetterQueue);
    // The asynchronously invoked functions' own dead-letter queues (the job, the scheduled functions).
    for (const [name, fn] of [['run-job', service.jobs.transferJob] as const, ...service.schedules.functions])
      if (fn.deadLetterQueue) deadLetterQueues.set(`function-${name}`, fn.deadLetterQueue);

    this.observability = new Observability(this, 'Observability', {
      stage: stageOf(this.node),
      functions,
      streamConsumers: new Map([...service.fanout.consumers].map(([name, c]) => [name, c.fn])),
      httpApi: service.api.httpApi,
      table: stateful.table,
      deadLetterQueues,
      inboxes: new Map([...service.fanout.inboxes].map(([department, i]) => [department, i.queue])),
    });
  }
}
