import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { type Item, TABLE_DEFINITION } from '../../shared/db/keys.js';
import { stack } from './stack.js';

/**
 * Items a stream consumer derives (feed items, audit entries), looked up or removed by their keys in the
 * stack's table: how a test sees that a consumer's write landed, or stages its loss.
 */
const keyOf = (item: Item) => {
  const { partitionKey, sortKey } = TABLE_DEFINITION;
  return marshall({ [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] });
};

async function withClient<T>(work: (client: DynamoDBClient, TableName: string) => Promise<T>): Promise<T> {
  const client = new DynamoDBClient(localAwsConfig(stack().dynamodbEndpoint));
  try {
    return await work(client, stack().tableName);
  } finally {
    client.destroy();
  }
}

/** How many of the items are in the table. */
export const storedCount = (items: readonly Item[]) =>
  withClient(async (client, TableName) => {
    let found = 0;
    for (const item of items)
      if ((await client.send(new GetItemCommand({ TableName, Key: keyOf(item) }))).Item) found++;
    return found;
  });

export const removeItems = (items: readonly Item[]) =>
  withClient(async (client, TableName) => {
    for (const item of items) await client.send(new DeleteItemCommand({ TableName, Key: keyOf(item) }));
  });
