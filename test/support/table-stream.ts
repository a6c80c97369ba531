import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import type { lambdaContext } from '../../infra/local/lambda-runtime.js';
import { stack } from './stack.js';

/** A stream consumer's handler, as a test calls it with records of its own (a replay). */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<DynamoDBBatchResponse>;

/** The local table's stream, for a test's own poller: its ARN and the SDK settings to read it with. */
export async function tableStream() {
  const aws = localAwsConfig(stack().dynamodbEndpoint);
  const client = new DynamoDBClient(aws);
  try {
    const table = await client.send(new DescribeTableCommand({ TableName: stack().tableName }));
    return { aws, streamArn: table.Table!.LatestStreamArn! };
  } finally {
    client.destroy();
  }
}
