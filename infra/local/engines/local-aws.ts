/** How every local AWS SDK client is built, so that DynamoDB, Cognito and the rest agree. */

export const LOCAL_REGION = 'us-east-1';

export interface LocalAwsConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Letters and digits only: DynamoDB Local 1.23+ answers UnrecognizedClientException to an access key id
 * such as `fake-key` (tried on 1.25.1). With `-sharedDb` the key and region do not pick the database.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export function localAwsConfig(endpoint: string): LocalAwsConfig {
  return { region: LOCAL_REGION, endpoint, credentials: { ...LOCAL_CREDENTIALS } };
}
