import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ENV } from '../config/env.js';
import { type CursorKeys, cursorKeys } from './cursor.js';

let keys: Promise<CursorKeys> | undefined;

/**
 * The keys that sign cursors, from the server secret: CURSOR_SECRET as given (local stack), else the
 * Secrets Manager secret named by CURSOR_SECRET_ARN (AWS). Read once per container, at the first use:
 * only the paging functions are given either variable, and other handlers share their modules.
 */
export function serverCursorKeys(): Promise<CursorKeys> {
  keys ??= loadSecret().then(cursorKeys, (error: unknown) => {
    keys = undefined; // a failed read (throttled, network) is retried by the next request
    throw error;
  });
  return keys;
}

async function loadSecret(): Promise<string> {
  const local = process.env[ENV.cursorSecret];
  if (local) return local;
  const arn = process.env[ENV.cursorSecretArn];
  if (!arn) throw new Error(`Missing environment variable ${ENV.cursorSecret} or ${ENV.cursorSecretArn}`);
  const client = new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  client.destroy();
  if (!out.SecretString) throw new Error(`The secret ${ENV.cursorSecretArn} names has no SecretString`);
  return out.SecretString;
}
