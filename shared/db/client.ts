import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, requireEnv } from '../config/env.js';

/**
 * One DocumentClient per Lambda container, made on first use and then reused. The endpoint comes
 * from the SDK's own AWS_ENDPOINT_URL_DYNAMODB when set (the local stack sets it), so no handler
 * knows whether it runs in AWS. Short timeouts and few retries: a store that is down gives a quick
 * 503, not a hung request.
 */
let doc: DynamoDBDocumentClient | undefined;
let table: string | undefined;

export function db(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return doc;
}

export function tableName(): string {
  table ??= requireEnv(ENV.tableName);
  return table;
}
