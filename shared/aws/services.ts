/**
 * The AWS services the functions call without an SDK client (signed-request.ts): how each signs, and where
 * it answers. The endpoint follows the SDK's own rule: AWS_ENDPOINT_URL_<SERVICE> when set (the local
 * stack sets it for every engine), else the service's regional endpoint.
 */
export interface AwsService {
  /** The name in the signature's scope. */
  signingName: string;
  /** The SDK's service id in AWS_ENDPOINT_URL_<id>. */
  endpointEnv: string;
  /** The regional host in AWS. */
  host: (region: string) => string;
}

export const AWS_SERVICES = {
  s3: { signingName: 's3', endpointEnv: 'S3', host: (r) => `s3.${r}.amazonaws.com` },
  cognito: {
    signingName: 'cognito-idp',
    endpointEnv: 'COGNITO_IDENTITY_PROVIDER',
    host: (r) => `cognito-idp.${r}.amazonaws.com`,
  },
  ses: { signingName: 'ses', endpointEnv: 'SESV2', host: (r) => `email.${r}.amazonaws.com` },
  lambda: { signingName: 'lambda', endpointEnv: 'LAMBDA', host: (r) => `lambda.${r}.amazonaws.com` },
  secretsManager: {
    signingName: 'secretsmanager',
    endpointEnv: 'SECRETS_MANAGER',
    host: (r) => `secretsmanager.${r}.amazonaws.com`,
  },
} as const satisfies Record<string, AwsService>;

/** The service's base URL: the local engine's when the stack names one. */
export function serviceBase(service: AwsService, region: string): URL {
  const local = process.env[`AWS_ENDPOINT_URL_${service.endpointEnv}`];
  return new URL(local ?? `https://${service.host(region)}`);
}

/** Whether calls go to a local engine (S3 then takes path-style URLs: a bucket host would not resolve). */
export const isLocal = (service: AwsService) =>
  Boolean(process.env[`AWS_ENDPOINT_URL_${service.endpointEnv}`]);
