import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWS_SERVICES } from '../../shared/aws/services.js';
import { ENV } from '../../shared/config/env.js';
import { cursorKeys } from '../../shared/db/cursor.js';
import { type AwsStub, type StubReply, startAwsStub } from '../support/aws-stub.js';

/** Secrets Manager, stood in for by a local endpoint (each GetSecretValue answers with the next reply). */
let sm: AwsStub;
const secret = (value: string): StubReply => ({ status: 200, body: JSON.stringify({ SecretString: value }) });
const throttled: StubReply = { status: 400, body: '{"__type":"ThrottlingException","message":"slow down"}' };
const secretIds = () => sm.seen.map((request) => (request.json as { SecretId?: unknown }).SecretId);

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CursorSecret-AbCdEf';

/**
 * A fresh container: the function's init parses its environment (granted cursors), then the module's
 * cache is per module instance.
 */
async function freshLoader() {
  vi.resetModules();
  (await import('../../shared/config/env.js')).loadEnv({ cursors: true });
  return (await import('../../shared/db/cursor-secret.js')).serverCursorKeys;
}

describe('serverCursorKeys', () => {
  beforeAll(async () => {
    sm = await startAwsStub([AWS_SERVICES.secretsManager]);
  });
  afterAll(() => sm.close());
  beforeEach(() => {
    delete process.env[ENV.cursorSecret];
    delete process.env[ENV.cursorSecretArn];
    sm.reset();
  });
  afterEach(() => {
    delete process.env[ENV.cursorSecret];
    delete process.env[ENV.cursorSecretArn];
  });

  it('fails the init, naming both variables, when neither is set', async () => {
    // Act / Assess
    await expect(freshLoader()).rejects.toThrow(/CURSOR_SECRET or CURSOR_SECRET_ARN/);
  });

  it('uses CURSOR_SECRET as given (the local stack) and asks Secrets Manager nothing', async () => {
    // Prepare
    process.env[ENV.cursorSecret] = 'local secret';
    const serverCursorKeys = await freshLoader();

    // Act
    const keys = await serverCursorKeys();

    // Assess
    expect(keys.mac.equals(cursorKeys('local secret').mac)).toBe(true);
    expect(sm.seen).toEqual([]);
  });

  it('reads the secret named by CURSOR_SECRET_ARN once per container', async () => {
    // Prepare
    process.env[ENV.cursorSecretArn] = ARN;
    sm.replies = [secret('from secrets manager'), secret('a value it must not read again')];
    const serverCursorKeys = await freshLoader();

    // Act
    const [first, second] = await Promise.all([serverCursorKeys(), serverCursorKeys()]);
    const third = await serverCursorKeys();

    // Assess
    expect(secretIds()).toEqual([ARN]);
    expect(sm.seen[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(sm.seen[0]?.headers.authorization).toMatch(/\/secretsmanager\/aws4_request, /);
    expect(first.mac.equals(cursorKeys('from secrets manager').mac)).toBe(true);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('reads again on the next use after a failed read', async () => {
    // Prepare
    process.env[ENV.cursorSecretArn] = ARN;
    // Throttled at each of the read's three tries (the SDK's default), then answered.
    sm.replies = [throttled, throttled, throttled, secret('second try')];
    const serverCursorKeys = await freshLoader();

    // Act
    const failed = serverCursorKeys();
    await expect(failed).rejects.toMatchObject({ name: 'ThrottlingException' });
    const keys = await serverCursorKeys();

    // Assess
    expect(secretIds()).toEqual([ARN, ARN, ARN, ARN]);
    expect(keys.mac.equals(cursorKeys('second try').mac)).toBe(true);
  });

  it('refuses an answer without a SecretString, or with one that is not text', async () => {
    // Prepare
    process.env[ENV.cursorSecretArn] = ARN;
    sm.replies = [
      { status: 200, body: '{"SecretBinary":"c2VjcmV0"}' },
      { status: 200, body: '{"SecretString":42}' },
    ];
    const serverCursorKeys = await freshLoader();

    // Act / Assess
    await expect(serverCursorKeys()).rejects.toThrow(/has no SecretString/);
    await expect(serverCursorKeys()).rejects.toThrow(/SecretString/);
    expect(secretIds()).toEqual([ARN, ARN]);
  });
});

describe('localCursorSecret (the local stack)', () => {
  it('makes a random secret once per data folder, keeps it there (owner-only), and reads it back', async () => {
    // Prepare
    const { localCursorSecret } = await import('../../infra/local/handler-env.js');
    const [one, two] = await Promise.all([mkdtemp(join(tmpdir(), 'cs-')), mkdtemp(join(tmpdir(), 'cs-'))]);

    // Act
    const first = await localCursorSecret(one);
    const again = await localCursorSecret(one);
    const other = await localCursorSecret(two);

    // Assess
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await stat(join(one, 'cursor-secret'))).mode & 0o777).toBe(0o600);
    await Promise.all([one, two].map((dir) => rm(dir, { recursive: true })));
  });
});
