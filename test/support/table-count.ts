import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { NOT_DERIVED } from './not-derived.js';
import { stack } from './stack.js';

/**
 * The number of items in the table, by a paginated `Select: COUNT` Scan: a test's way to prove that
 * a refused request wrote nothing at all (the API itself never scans). What the stream consumers
 * derive from earlier changes (feed items, audit entries) lands at any moment and is not counted.
 */
let client: DynamoDBClient | undefined;

function dynamo(): DynamoDBClient {
  client ??= new DynamoDBClient({
    region: 'us-east-1',
    endpoint: stack().dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return client;
}

export async function countItems(): Promise<number> {
  let total = 0;
  let startKey: Record<string, never> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName: stack().tableName,
        Select: 'COUNT',
        ...NOT_DERIVED,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    total += page.Count ?? 0;
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return total;
}

/** The count once it stops moving (nothing in flight from an earlier step), checked `settleMs` apart. */
export async function stableCount(settleMs = 200, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await countItems();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const now = await countItems();
    if (now === last) return now;
    last = now;
  }
  return last;
}
