import * as z from 'zod/mini';
import { AWS_SERVICES } from '../aws/services.js';
import { callJson } from '../aws/signed-request.js';
import { ENV, optionalEnvValue } from '../config/env.js';
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

/** The one field read of GetSecretValue's answer (a binary secret has SecretBinary instead). */
const SecretValue = z.object({ SecretString: z.optional(z.string()) });

async function loadSecret(): Promise<string> {
  const local = optionalEnvValue(ENV.cursorSecret);
  if (local) return local;
  const arn = optionalEnvValue(ENV.cursorSecretArn);
  if (!arn) {
    throw new Error(
      `Neither ${ENV.cursorSecret} nor ${ENV.cursorSecretArn} is in this function's environment: it is not granted cursors`,
    );
  }
  // A signed request, not the Secrets Manager client (13 KB more in every paging function, for one call).
  const out = SecretValue.parse(
    await callJson(AWS_SERVICES.secretsManager, 'secretsmanager.GetSecretValue', { SecretId: arn }),
  );
  if (!out.SecretString) throw new Error(`The secret ${ENV.cursorSecretArn} names has no SecretString`);
  return out.SecretString;
}
