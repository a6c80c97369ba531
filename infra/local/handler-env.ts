import { ENV } from '../../shared/config/env.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { LOCAL_REGION } from './engines/local-aws.js';

export interface LocalEndpoints {
  dynamodb: string;
  cognito: string;
  userPoolId: string;
  eventbridge?: string;
  s3?: string;
}

/**
 * The environment a handler reads, as CDK sets it in AWS, pointed at the local engines through the
 * SDK's own AWS_ENDPOINT_URL_<SERVICE> variables. Used by the stack, and by tests and benchmarks
 * that run handlers in their own process.
 */
export function handlerEnv(e: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    // s3rver only knows S3RVER/S3RVER; DynamoDB Local and the rest accept any alphanumeric key.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: e.cognito,
    ...(e.eventbridge ? { AWS_ENDPOINT_URL_EVENTBRIDGE: e.eventbridge } : {}),
    ...(e.s3 ? { AWS_ENDPOINT_URL_S3: e.s3 } : {}),
    [ENV.tableName]: RESOURCE_NAMES.table,
    [ENV.busName]: RESOURCE_NAMES.bus,
    [ENV.userPoolId]: e.userPoolId,
    [ENV.bucketName]: RESOURCE_NAMES.reportsBucket,
  };
}
