import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, envValue } from '../config/env.js';
import { instrumentClient } from '../http/observability.js';

/**
 * One DocumentClient per Lambda container, made on first use and then reused. The endpoint comes
 * from the SDK's own AWS_ENDPOINT_URL_DYNAMODB when set (the local stack sets it), so no handler
 * knows whether it runs in AWS. A store that is down or hangs gives a quick 503, not a hung request:
 * throwOnRequestTimeout, because without it this SDK only logs a warning when requestTimeout passes
 * and keeps waiting (a store that accepted the connection but never answered hung the request).
 * One attempt: a write whose answer did not come in time may have committed, and the SDK's retry
 * of it then failed its own condition (a create answered 500, a PATCH 412, under load); the client
 * gets the 503 and decides (Idempotency-Key, If-Match). 3.5 s stays within a client's 5 s patience.
 */
let doc: DynamoDBDocumentClient | undefined;

export function db(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(
    instrumentClient(
      new DynamoDBClient({
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 1000, requestTimeout: 3500, throwOnRequestTimeout: true },
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
