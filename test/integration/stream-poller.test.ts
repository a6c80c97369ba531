import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { as, EVENT_PATIENCE_MS, readJsonLines, stack } from '../support/stack.js';

const idOf = (r: DynamoDBRecord) =>
  String(unmarshall((r.dynamodb?.NewImage ?? r.dynamodb?.OldImage ?? {}) as never).id ?? '');

/** The local event source mapping on the real stream: partial batch failures, bounded retries, dead letters. */
describe('stream poller', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('retries from the failed record, dead-letters it after the retries, and moves on', async () => {
    // Prepare: three accounts in a row; the consumer always fails the middle one
    const sally = await as('sally');
    const ids: string[] = [];
    for (const name of ['Before', 'Poison', 'After']) {
      ids.push(
        (await sally.post<{ id: string }>('/v1/accounts', { name: `Poller ${name} ${Date.now()}` })).body.id,
      );
    }
    const [before, poison, after] = ids as [string, string, string];
    const aws = localAwsConfig(stack().dynamodbEndpoint);
    const client = new DynamoDBClient(aws);
    const table = await client.send(new DescribeTableCommand({ TableName: stack().tableName }));
    client.destroy();
    const dir = await mkdtemp(join(tmpdir(), 'poller-'));
    dirs.push(dir);
    const deliveries: string[] = [];
    let poisonAttempts = 0;

    // Act
    const poller = await startStreamPoller({
      name: 'test-consumer',
      aws,
      streamArn: table.Table!.LatestStreamArn!,
      checkpointFile: join(dir, 'checkpoints.json'),
      deadLetterFile: join(dir, 'dlq.jsonl'),
      maxRetries: 2,
      intervalMs: 50,
      consumer: async (event): Promise<DynamoDBBatchResponse> => {
        for (const record of event.Records) {
          if (idOf(record) === poison) {
            poisonAttempts++;
            return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
          }
          deliveries.push(idOf(record));
        }
        return { batchItemFailures: [] };
      },
    });
    const deadline = Date.now() + EVENT_PATIENCE_MS;
    while (!deliveries.includes(after) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await poller.stop();

    // Assess: 1 try + 2 retries, then the dead-letter file; records before it delivered once, after it too
    expect(poisonAttempts).toBe(3);
    const dead = await readJsonLines<{ consumer: string; record: DynamoDBRecord }>(join(dir, 'dlq.jsonl'));
    expect(dead.map((d) => idOf(d.record))).toEqual([poison]);
    expect(deliveries.filter((id) => id === before)).toHaveLength(1);
    expect(deliveries.filter((id) => id === after)).toHaveLength(1);
    expect(deliveries.indexOf(before)).toBeLessThan(deliveries.indexOf(after));
  });
});
