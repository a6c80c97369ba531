import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, nextStepsFor } from '../../infra/admin-create.js';
import {
  initiateAuth,
  provisionUserPool,
  startCognitoLocal,
} from '../../infra/local/engines/cognito-local.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import type { RunningEngine } from '../../infra/local/engines/processes.js';
import { ALL_GROUPS } from '../../shared/config/departments.js';

/**
 * `npm run admin:create` against a user pool of its own (cognito-local in a temp folder): the shared
 * stack's pool must keep exactly one admin, which the last-admin rule's test relies on.
 */
let workDir: string;
let cognito: RunningEngine;
let pool: { userPoolId: string; clientId: string };

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'concord-admin-create-'));
  cognito = await startCognitoLocal({ dataDir: join(workDir, 'cognito'), logsDir: workDir });
  pool = await provisionUserPool(cognito.endpoint, {
    poolName: 'admin-create-test',
    clientName: 'admin-create-test',
    groups: ALL_GROUPS,
    users: [],
  });
});

afterAll(async () => {
  await cognito?.stop();
  await rm(workDir, { recursive: true, force: true });
});

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('admin:create on the local pool', () => {
  it('makes a user who signs in with the printed password and whose token says admins', async () => {
    // Act
    const result = await createAdmin(
      localAwsConfig(cognito.endpoint),
      pool.userPoolId,
      { email: 'first@admin.example', username: 'first-admin' },
      'password',
    );
    const tokens = await initiateAuth(cognito.endpoint, pool.clientId, 'first-admin', result.password!);

    // Assess
    expect(result).toMatchObject({ username: 'first-admin', created: true });
    expect(claimsOf(tokens.idToken)['cognito:groups']).toEqual(['admins']);
    expect(
      nextStepsFor({ email: 'first@admin.example', username: 'first-admin', stage: 'local' }, result),
    ).toContain(`password: ${result.password}`);
  });

  it('makes an existing user an admin without touching their password', async () => {
    // Prepare
    const first = await createAdmin(
      localAwsConfig(cognito.endpoint),
      pool.userPoolId,
      { email: 'again@admin.example', username: 'again-admin' },
      'password',
    );

    // Act
    const second = await createAdmin(
      localAwsConfig(cognito.endpoint),
      pool.userPoolId,
      { email: 'again@admin.example', username: 'again-admin' },
      'password',
    );

    // Assess
    expect(second).toEqual({ username: 'again-admin', created: false, password: undefined });
    const tokens = await initiateAuth(cognito.endpoint, pool.clientId, 'again-admin', first.password!);
    expect(claimsOf(tokens.idToken)['cognito:groups']).toEqual(['admins']);
  });
});
