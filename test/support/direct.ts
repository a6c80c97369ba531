import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { useHandlerEnv } from '../../infra/local/handler-env.js';
import { NOT_DERIVED } from './not-derived.js';
import { stack } from './stack.js';

/**
 * Points this test worker's AWS SDK at the running local stack, as the stack does for its own
 * handlers, and parses that environment as a function's init would, so a test can call a repository
 * or a handler in-process against the same DynamoDB Local.
 */
export function useStackEnv(overrides: Record<string, string> = {}) {
  const info = stack();
  useHandlerEnv(
    {
      dynamodb: info.dynamodbEndpoint,
      cognito: info.auth.cognitoEndpoint,
      userPoolId: info.auth.userPoolId,
      // The stack's own: a cursor from either gateway pages on the other.
      cursorSecret: inject('cursorSecret'),
    },
    overrides,
  );
}

/** Items in the table but feed items and audit entries (a Scan: fine in a test, never in a request path). */
export async function countItems(): Promise<number> {
  const info = stack();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: info.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: info.tableName,
        Select: 'COUNT',
        ...NOT_DERIVED,
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey as typeof start;
  } while (start);
  client.destroy();
  return count;
}
