/**
 * Environment of the functions, read once at module scope and failing fast: a missing variable is a
 * deployment error, never something to paper over with a default. Names are shared with CDK
 * (AppFunction.bind*) and the local stack, which set them.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  busName: 'EVENT_BUS_NAME',
  userPoolId: 'USER_POOL_ID',
  bucketName: 'REPORTS_BUCKET',
  /** The cursor-signing secret itself (local stack) … */
  cursorSecret: 'CURSOR_SECRET',
  /** … or the ARN of the Secrets Manager secret that holds it (AWS). One of the two must be set. */
  cursorSecretArn: 'CURSOR_SECRET_ARN',
} as const;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}
