import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Api } from '../constructs/api.js';
import { Fanout } from '../constructs/fanout.js';
import { Observability } from '../constructs/observability.js';

export interface ServiceStackProps extends StackProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  bus: IEventBus;
  /** For the report functions and any route granted `bucket` (AppFunction.bindBucket). */
  reportsBucket: IBucket;
  /** Signs page cursors; read by the functions that page. */
  cursorSecret: ISecret;
}

/** What holds no data: functions, the API, the fan-out, alarms. Safe to replace on any deploy. */
export class ServiceStack extends Stack {
  public readonly api: Api;
  public readonly fanout: Fanout;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    this.api = new Api(this, 'Api', {
      table: props.table,
      userPool: props.userPool,
      userPoolClient: props.userPoolClient,
      cursorSecret: props.cursorSecret,
      bus: props.bus,
      reportsBucket: props.reportsBucket,
    });
    this.fanout = new Fanout(this, 'Fanout', { table: props.table, bus: props.bus });
    new Observability(this, 'Observability', { deadLetterQueues: this.fanout.deadLetterQueues });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'UserPoolId', { value: props.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: props.userPoolClient.userPoolClientId });
  }
}
