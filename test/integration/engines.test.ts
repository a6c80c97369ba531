/**
 * The real local engines, each started as a child process on a free port, used once, then stopped:
 * DynamoDB Local (in memory), cognito-local and s3rver (in temporary folders).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initiateAuth,
  type PoolSpec,
  provisionUserPool,
  startCognitoLocal,
} from '../../infra/local/engines/cognito-local.js';
import {
  ensureDynamoDbLocal,
  localAwsConfig,
  startDynamoDbLocal,
} from '../../infra/local/engines/dynamodb-local.js';
import { stopAll } from '../../infra/local/engines/processes.js';
import { s3Client, startS3Local } from '../../infra/local/engines/s3-local.js';

const POOL: PoolSpec = {
  poolName: 'concord-engines-test',
  clientName: 'concord-web',
  groups: ['sales', 'support'],
  users: [
    {
      username: 'dana',
      password: 'Local-Passw0rd!',
      email: 'dana@example.com',
      groups: ['sales', 'support'],
    },
  ],
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local engines', () => {
  let workDir: string;
  let logsDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'concord-engines-'));
    logsDir = join(workDir, 'logs');
    // The first run on a machine fetches the jar (~57 MB): done here, under the hook's longer timeout.
    await ensureDynamoDbLocal(() => {});
  });

  afterAll(async () => {
    await stopAll();
    await rm(workDir, { recursive: true, force: true });
  });

  it('DynamoDB Local creates a table, stores and reads an item, and its JVM is gone after stop', async () => {
    // Prepare
    const dynamo = await startDynamoDbLocal({ logsDir });
    const client = new DynamoDBClient(localAwsConfig(dynamo.endpoint));
    await client.send(
      new CreateTableCommand({
        TableName: 'engines-test',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
    );

    // Act
    await client.send(
      new PutItemCommand({
        TableName: 'engines-test',
        Item: { PK: { S: 'CUSTOMER#1' }, SK: { S: 'PROFILE' }, name: { S: 'Acme' } },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    const read = await client.send(
      new GetItemCommand({
        TableName: 'engines-test',
        Key: { PK: { S: 'CUSTOMER#1' }, SK: { S: 'PROFILE' } },
      }),
    );
    client.destroy();
    await dynamo.stop();

    // Assess
    expect(read.Item?.name).toEqual({ S: 'Acme' });
    expect(isRunning(dynamo.pid)).toBe(false);
  });

  it('cognito-local signs a provisioned user in with RS256 tokens that carry the groups', async () => {
    // Prepare
    const cognito = await startCognitoLocal({ dataDir: join(workDir, 'cognito'), logsDir });
    const pool = await provisionUserPool(cognito.endpoint, POOL);

    // Act
    const tokens = await initiateAuth(cognito.endpoint, pool.clientId, 'dana', 'Local-Passw0rd!');
    const jwks = await fetch(pool.jwksUri).then((response) => response.json());
    await cognito.stop();

    // Assess
    expect(decodeProtectedHeader(tokens.idToken).alg).toBe('RS256');
    expect(decodeJwt(tokens.idToken)).toMatchObject({
      'cognito:groups': ['sales', 'support'],
      'cognito:username': 'dana',
      token_use: 'id',
      aud: pool.clientId,
      iss: pool.issuer,
    });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ token_use: 'access', client_id: pool.clientId });
    expect(tokens.expiresIn).toBeGreaterThan(0);
    expect(jwks).toMatchObject({ keys: [{ kty: 'RSA', alg: 'RS256' }] });
    expect(isRunning(cognito.pid)).toBe(false);
  });

  it('cognito-local keeps the pool across a restart, and provisioning it again changes nothing', async () => {
    // Prepare
    const dataDir = join(workDir, 'cognito-restart');
    const first = await startCognitoLocal({ dataDir, logsDir });
    const before = await provisionUserPool(first.endpoint, POOL);
    await first.stop();

    // Act
    const second = await startCognitoLocal({ dataDir, logsDir });
    const after = await provisionUserPool(second.endpoint, POOL);
    const tokens = await initiateAuth(second.endpoint, after.clientId, 'dana', 'Local-Passw0rd!');
    await second.stop();

    // Assess
    expect(after.userPoolId).toBe(before.userPoolId);
    expect(after.clientId).toBe(before.clientId);
    expect(decodeJwt(tokens.idToken)['cognito:groups']).toEqual(['sales', 'support']);
    expect([first.pid, second.pid].filter(isRunning)).toEqual([]);
  });

  it('s3rver stores, lists page by page, and serves objects, and is gone after stop', async () => {
    // Prepare
    const s3 = await startS3Local({ dataDir: join(workDir, 's3'), bucket: 'concord-reports', logsDir });
    const client = s3Client(s3.endpoint);
    for (const day of ['2025-01-01', '2025-01-02']) {
      await client.send(
        new PutObjectCommand({
          Bucket: 'concord-reports',
          Key: `pipeline/${day}.json`,
          Body: JSON.stringify({ day }),
          ContentType: 'application/json',
        }),
      );
    }

    // Act
    const firstPage = await client.send(new ListObjectsV2Command({ Bucket: 'concord-reports', MaxKeys: 1 }));
    const secondPage = await client.send(
      new ListObjectsV2Command({
        Bucket: 'concord-reports',
        MaxKeys: 1,
        ContinuationToken: firstPage.NextContinuationToken,
      }),
    );
    const object = await client.send(
      new GetObjectCommand({ Bucket: 'concord-reports', Key: 'pipeline/2025-01-02.json' }),
    );
    const body = await object.Body?.transformToString();
    client.destroy();
    await s3.stop();

    // Assess
    expect(firstPage.Contents?.map((item) => item.Key)).toEqual(['pipeline/2025-01-01.json']);
    expect(secondPage.Contents?.map((item) => item.Key)).toEqual(['pipeline/2025-01-02.json']);
    expect(body).toBe('{"day":"2025-01-02"}');
    expect(object.ContentType).toBe('application/json');
    expect(isRunning(s3.pid)).toBe(false);
  });
});
