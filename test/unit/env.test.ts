import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVERY_GRANT, handlerEnv } from '../../infra/local/handler-env.js';
import { ENV, envSchemaOf, missingVariables } from '../../shared/config/env.js';
import { HANDLERS } from '../../shared/http/routes.js';

const LOCAL = handlerEnv({
  dynamodb: 'http://127.0.0.1:9',
  cognito: 'http://127.0.0.1:9',
  userPoolId: 'us-east-1_unit',
  cursorSecret: 'secret',
});
const OURS = new Set<string>(Object.values(ENV));

/** process.env as it was, restored after each test: these tests take variables away. */
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
});
afterEach(() => {
  process.env = saved;
  vi.resetModules();
});

/** A fresh function container: its modules run their init again against process.env. */
async function init(entry: string) {
  vi.resetModules();
  return import(entry);
}

describe('the environment schema of a function', () => {
  it('requires the observability pair of every function, even one that uses nothing', () => {
    // Act
    const result = envSchemaOf({}).safeParse({ [ENV.serviceName]: 'concord-crm' });

    // Assess
    expect(result.success).toBe(false);
    expect(missingVariables(result.error!)).toEqual([ENV.metricsNamespace]);
  });

  it('requires the variables of what it uses, names each, and counts an empty value as missing', () => {
    // Prepare
    const env: Record<string, string> = { ...LOCAL, [ENV.tableName]: '' };
    delete env[ENV.cursorSecret];

    // Act
    const result = envSchemaOf({ table: 'R', cursors: true }).safeParse(env);

    // Assess
    expect(missingVariables(result.error!).sort()).toEqual(
      [ENV.tableName, `${ENV.cursorSecret} or ${ENV.cursorSecretArn}`].sort(),
    );
  });

  it('takes the cursor secret or its ARN (AWS), and keeps only its own variables', () => {
    // Prepare
    const aws: Record<string, string> = { ...LOCAL, [ENV.cursorSecretArn]: 'arn:aws:secretsmanager:…' };
    delete aws[ENV.cursorSecret];

    // Act
    const parsed = envSchemaOf({ cursors: true }).parse(aws);

    // Assess
    expect(Object.keys(parsed).sort()).toEqual(
      [ENV.serviceName, ENV.metricsNamespace, ENV.cursorSecretArn].sort(),
    );
  });
});

describe('the one helper (infra/local/handler-env.ts)', () => {
  it('gives exactly what the schemas require: every variable of ours is some schema’s, and all are there', () => {
    // Act
    const parsed = envSchemaOf(EVERY_GRANT).parse(LOCAL);
    const ours = Object.keys(LOCAL).filter((name) => OURS.has(name) || !/^(AWS_|POWERTOOLS_)/.test(name));

    // Assess
    expect(ours.sort()).toEqual(Object.keys(parsed).sort());
  });

  it('switches Tracer and Metrics off: no X-Ray daemon here, no EMF lines in the test output', () => {
    // Assess
    expect(LOCAL).toMatchObject({ POWERTOOLS_TRACE_ENABLED: 'false', POWERTOOLS_METRICS_DISABLED: 'true' });
  });
});

describe('a function’s init', () => {
  it('fails, naming the variable, when a handler’s grant lacks its variable', async () => {
    // Prepare
    delete process.env[ENV.tableName];

    // Act / Assess
    await expect(init('../../functions/api/get-record.js')).rejects.toThrow(
      `Missing environment variable(s): ${ENV.tableName}`,
    );
  });

  it('needs nothing of a handler granted nothing, and every API handler loads with the helper’s env', async () => {
    // Prepare
    delete process.env[ENV.tableName];
    delete process.env[ENV.userPoolId];
    delete process.env[ENV.cursorSecret];

    // Act / Assess
    for (const name of ['health', 'root', 'openapi']) {
      expect(HANDLERS.get(name)?.grants, name).toEqual({});
      await expect(init(`../../functions/api/${name}.js`), name).resolves.toHaveProperty('handler');
    }
  });

  it('needs the table of a handler that reads the role cells (GET /v1/me shows the matrix in force)', async () => {
    // Prepare
    delete process.env[ENV.tableName];

    // Act / Assess
    expect(HANDLERS.get('me')?.grants).toEqual({ roles: true });
    await expect(init('../../functions/api/me.js')).rejects.toThrow(ENV.tableName);
  });

  it('fails for a stream consumer without its bus, and for a missing service name', async () => {
    // Prepare
    delete process.env[ENV.busName];

    // Act / Assess
    await expect(init('../../functions/streams/publish-changes.js')).rejects.toThrow(ENV.busName);
    process.env = { ...saved };
    delete process.env[ENV.serviceName];
    await expect(init('../../functions/api/health.js')).rejects.toThrow(ENV.serviceName);
  });
});
