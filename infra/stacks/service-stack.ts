import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Api } from '../constructs/api.js';
import { Channels } from '../constructs/channels.js';
import { Fanout } from '../constructs/fanout.js';
import { Jobs } from '../constructs/jobs.js';
import { Schedules } from '../constructs/schedules.js';

export interface ServiceStackProps extends StackProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  bus: IEventBus;
  /** The export of the reports bucket's ARN: for the report functions and any route granted `bucket`. */
  reportsBucketArnExport: string;
  /** Signs page cursors; read by the functions that page. */
  cursorSecret: ISecret;
}

/** What holds no data: functions, the API, the fan-out. Safe to replace on any deploy (alarms: MonitoringStack). */
export class ServiceStack extends Stack {
  public readonly api: Api;
  public readonly fanout: Fanout;
  public readonly schedules: Schedules;
  public readonly channels: Channels;
  public readonly jobs: Jobs;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const reportsBucket = Bucket.fromBucketArn(
      this,
      'ReportsBucket',
      Fn.importValue(props.reportsBucketArnExport),
    );
    // Import and export jobs: invoked by their routes, so made before the API.
    this.jobs = new Jobs(this, 'Jobs', { table: props.table, reportsBucket });
    // Report snapshots and any other scheduled job of shared/config/schedules.ts; the run-report route
    // invokes the report renderer among them, so made before the API too.
    this.schedules = new Schedules(this, 'Schedules', { table: props.table, reportsBucket });
    this.api = new Api(this, 'Api', {
      table: props.table,
      userPool: props.userPool,
      userPoolClient: props.userPoolClient,
      cursorSecret: props.cursorSecret,
      bus: props.bus,
      reportsBucket,
      transferJob: this.jobs.transferJob,
      reportRenderer: this.schedules.reportRenderer,
    });
    this.fanout = new Fanout(this, 'Fanout', { table: props.table, bus: props.bus });
    // Slack, WeChat Work and email: the consumer of the department queues.
    this.channels = new Channels(this, 'Channels', {
      table: props.table,
      inboxes: this.fanout.inboxes,
      recordLinkBase: this.api.url,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'UserPoolId', { value: props.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: props.userPoolClient.userPoolClientId });
  }
}
