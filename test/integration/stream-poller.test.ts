import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { type StreamFailureRecord, startStreamPoller } from '../../infra/local/stream-poller.js';
import { RECORD_CHANGES_FILTER, STREAM_CONSUMERS } from '../../shared/config/streams.js';
import { COLLECTION_ATTRIBUTE } from '../../shared/db/keys.js';
import { as, EVENT_PATIENCE_MS, readJsonLines, stack } from '../support/stack.js';

const idOf = (r: DynamoDBRecord) =>
  String(unmarshall((r.dynamodb?.NewImage ?? r.dynamodb?.OldImage ?? {}) as never).id ?? '');

/**
 * The local event source mapping on the real stream, with publish-changes' settings: filter criteria,
 * partial batch failures, bounded retries, dead letters (the decisions themselves: test/unit/stream-batches).
 */
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
    const sequences = new Map<string, string>();
    const unfiltered: string[] = [];
    let poisonAttempts = 0;

    // Act
    const poller = await startStreamPoller({
      name: 'test-consumer',
      aws,
      streamArn: table.Table!.LatestStreamArn!,
      checkpointFile: join(dir, 'checkpoints.json'),
      deadLetterFile: join(dir, 'dlq.jsonl'),
      // The record changes' filter alone (the publisher also takes role cells, which this test does not make).
      settings: {
        ...STREAM_CONSUMERS['publish-changes'],
        filters: [RECORD_CHANGES_FILTER],
        retryAttempts: 2,
      },
      intervalMs: 50,
      retryDelayMs: 10,
      consumer: async (event): Promise<DynamoDBBatchResponse> => {
        for (const record of event.Records) {
          if (!record.dynamodb?.NewImage?.[COLLECTION_ATTRIBUTE]) unfiltered.push(record.eventName ?? '');
          sequences.set(idOf(record), record.dynamodb!.SequenceNumber!);
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
    const dead = await readJsonLines<StreamFailureRecord>(join(dir, 'dlq.jsonl'));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(dead[0]!.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: sequences.get(poison),
      endSequenceNumber: sequences.get(poison),
      batchSize: 1,
      streamArn: table.Table!.LatestStreamArn!,
    });
    expect(deliveries.filter((id) => id === before)).toHaveLength(1);
    expect(deliveries.filter((id) => id === after)).toHaveLength(1);
    expect(deliveries.indexOf(before)).toBeLessThan(deliveries.indexOf(after));
    // Only record items reach the consumer: no Idempotency-Key entry, role lock or REMOVE
    expect(unfiltered).toEqual([]);
  });
});
