import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV, optionalEnvValue } from '../config/env.js';
import { instrumentClient } from '../http/observability.js';
import { type CursorKeys, cursorKeys } from './cursor.js';

let keys: Promise<CursorKeys> | undefined;

/**
 * The keys that sign cursors, from the server secret: CURSOR_SECRET as given (local stack), else the
 * Secrets Manager secret named by CURSOR_SECRET_ARN (AWS), both from the environment the function parsed
 * at its init (the paging functions, granted `cursors`, have one). Fetched once per container, at the first
 * use: other handlers share these modules and never reach for the secret.
 */
export function serverCursorKeys(): Promise<CursorKeys> {
  keys ??= loadSecret().then(cursorKeys, (error: unknown) => {
    keys = undefined; // a failed read (throttled, network) is retried by the next request
    throw error;
  });
  return keys;
}

async function loadSecret(): Promise<string> {
  const local = optionalEnvValue(ENV.cursorSecret);
  if (local) return local;
  const arn = optionalEnvValue(ENV.cursorSecretArn);
  if (!arn) {
    throw new Error(
      `Neither ${ENV.cursorSecret} nor ${ENV.cursorSecretArn} is in this function's environment: it is not granted cursors`,
    );
  }
  const client = instrumentClient(new SecretsManagerClient({}));
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  client.destroy();
  if (!out.SecretString) throw new Error(`The secret ${ENV.cursorSecretArn} names has no SecretString`);
  return out.SecretString;
}
