import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION } from '../../shared/db/keys.js';
import type { LocalAwsConfig } from './engines/local-aws.js';

/** Creates the table on DynamoDB Local from the key module (as CDK does in AWS); returns its stream ARN. */
export async function ensureTable(
  aws: LocalAwsConfig,
  tableName: string,
): Promise<{ streamArn: string; created: boolean }> {
  const client = new DynamoDBClient(aws);
  try {
    const existing = await client
      .send(new DescribeTableCommand({ TableName: tableName }))
      .catch((error: unknown) => {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      });
    if (existing?.Table?.LatestStreamArn)
      return { streamArn: existing.Table.LatestStreamArn, created: false };
    const { partitionKey, sortKey, indexes, streamView, ttlAttribute } = TABLE_DEFINITION;
    const indexAttrs = Object.values(indexes).flatMap((i) => [i.pk, i.sk]);
    const out = await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [partitionKey, sortKey, ...indexAttrs].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexes: Object.entries(indexes).map(([name, keys]) => ({
          IndexName: name,
          KeySchema: [
            { AttributeName: keys.pk, KeyType: 'HASH' },
            { AttributeName: keys.sk, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: streamView },
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    );
    return { streamArn: out.TableDescription!.LatestStreamArn!, created: true };
  } finally {
    client.destroy();
  }
}
