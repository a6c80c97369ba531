import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config/env.js';
import { cursorKeys } from '../../shared/db/cursor.js';

/** Secrets Manager, faked: each GetSecretValue answers with the next reply. */
const sm = vi.hoisted(() => ({ replies: [] as (string | Error)[], secretIds: [] as string[] }));
vi.mock('@aws-sdk/client-secrets-manager', () => ({
  GetSecretValueCommand: class {
    constructor(readonly input: { SecretId: string }) {}
  },
  SecretsManagerClient: class {
    async send(command: { input: { SecretId: string } }) {
      sm.secretIds.push(command.input.SecretId);
      const reply = sm.replies.shift();
      if (reply instanceof Error) throw reply;
      return { SecretString: reply };
    }
    destroy() {}
  },
}));

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
  beforeEach(() => {
    delete process.env[ENV.cursorSecret];
    delete process.env[ENV.cursorSecretArn];
    sm.replies = [];
    sm.secretIds = [];
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
    expect(sm.secretIds).toEqual([]);
  });

  it('reads the secret named by CURSOR_SECRET_ARN once per container', async () => {
    // Prepare
    process.env[ENV.cursorSecretArn] = ARN;
    sm.replies = ['from secrets manager', 'a value it must not read again'];
    const serverCursorKeys = await freshLoader();

    // Act
    const [first, second] = await Promise.all([serverCursorKeys(), serverCursorKeys()]);
    const third = await serverCursorKeys();

    // Assess
    expect(sm.secretIds).toEqual([ARN]);
    expect(first.mac.equals(cursorKeys('from secrets manager').mac)).toBe(true);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('reads again on the next use after a failed read', async () => {
    // Prepare
    process.env[ENV.cursorSecretArn] = ARN;
    sm.replies = [new Error('ThrottlingException'), 'second try'];
    const serverCursorKeys = await freshLoader();

    // Act
    const failed = serverCursorKeys();
    await expect(failed).rejects.toThrow('ThrottlingException');
    const keys = await serverCursorKeys();

    // Assess
    expect(sm.secretIds).toEqual([ARN, ARN]);
    expect(keys.mac.equals(cursorKeys('second try').mac)).toBe(true);
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
