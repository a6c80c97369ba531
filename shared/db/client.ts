import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, envValue } from '../config/env.js';
import { instrumentClient } from '../http/observability.js';

/**
 * One DocumentClient per Lambda container, made on first use and then reused. The endpoint comes
 * from the SDK's own AWS_ENDPOINT_URL_DYNAMODB when set (the local stack sets it), so no handler
 * knows whether it runs in AWS. Short timeouts and few retries: a store that is down gives a quick
 * 503, not a hung request. throwOnRequestTimeout: without it the SDK only logs a warning when
 * requestTimeout passes and keeps waiting, so a store that accepts connections but does not answer
 * hung the request; two attempts of 2 s keep the worst case under a client's 5 s of patience.
 */
let doc: DynamoDBDocumentClient | undefined;

export function db(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(
    instrumentClient(
      new DynamoDBClient({
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
      }),
    ),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return doc;
}

/** From the function's environment, parsed at its init (a function granted the table has it). */
export function tableName(): string {
  return envValue(ENV.tableName);
}
