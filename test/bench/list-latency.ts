import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { startDynamoDbLocal } from '../../infra/local/engines/dynamodb-local.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { ensureTable } from '../../infra/local/table.js';
import { ENV, loadEnv } from '../../shared/config/env.js';
import { LIST_SHARDS } from '../../shared/config/partitions.js';
import { listQuery, partitionsOf, recordItem } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { heading, ms, ratio, summarize, table } from './stats.js';

/**
 * A list page's latency, sharded vs one partition, in the same run on one DynamoDB Local (in memory):
 * `records` accounts written with the real keys, then, in turns, a page of the sharded list as the API
 * reads it (record-pages.ts: one Query per shard in parallel, merged) and one Query of one partition
 * with the same limit (what a page cost before sharding: a Query's cost does not grow with its
 * partition, only with what it returns).
 */
export interface ListLatencyResult {
  records: number;
  limit: number;
  samples: number;
  onePartition: ReturnType<typeof summarize>;
  sharded: ReturnType<typeof summarize>;
}

export async function benchListLatency(
  workDir: string,
  records = 2_000,
  samples = 200,
): Promise<ListLatencyResult> {
  const limit = 25;
  heading(`List latency: one page of ${limit}, ${LIST_SHARDS} shards vs one partition (${records} accounts)`);
  const dynamo = await startDynamoDbLocal({ logsDir: await mkdtemp(join(workDir, 'logs-')) });
  try {
    const aws = localAwsConfig(dynamo.endpoint);
    const tableName = 'bench-list-latency';
    await ensureTable(aws, tableName);
    Object.assign(
      process.env,
      handlerEnv({ dynamodb: dynamo.endpoint, cognito: '', userPoolId: '-', cursorSecret: '-' }),
      { [ENV.tableName]: tableName },
    );
    loadEnv({ table: 'R' });
    const client = new DynamoDBClient(aws);
    const now = new Date().toISOString();
    for (let i = 0; i < records; i += 25) {
      const items = Array.from({ length: Math.min(25, records - i) }, (_, j) =>
        recordItem('accounts', {
          id: newId(),
          name: `Account ${i + j}`,
          version: 1,
          createdAt: now,
          updatedAt: now,
          createdBy: 'bench',
          updatedBy: 'bench',
          ownerId: 'bench',
          ownerDept: 'sales',
        }),
      );
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [tableName]: items.map((item) => ({ PutRequest: { Item: marshall(item) } })) },
        }),
      );
    }
    client.destroy();
    // Imported once the environment is set: the store's modules read it as they load.
    const { collectionIndex } = await import('../../shared/db/record-pages.js');
    const { queryPage } = await import('../../shared/db/paged-query.js');
    const index = collectionIndex('accounts', { by: 'all' });
    const [oneShard] = partitionsOf(listQuery('accounts', { by: 'all' }));
    const timed = async (act: () => Promise<unknown>) => {
      const began = performance.now();
      await act();
      return performance.now() - began;
    };
    for (let i = 0; i < 20; i++) await index.read(limit); // warm-up: JIT, connections
    const one: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < samples; i++) {
      one.push(await timed(() => queryPage(oneShard!, { newestFirst: true, limit })));
      all.push(await timed(() => index.read(limit)));
    }
    const result = { records, limit, samples, onePartition: summarize(one), sharded: summarize(all) };
    console.log(
      table(
        ['read', 'median', 'p95', 'max'],
        [
          [
            'one partition (1 Query)',
            ms(result.onePartition.median),
            ms(result.onePartition.p95),
            ms(result.onePartition.max),
          ],
          [
            `sharded (${LIST_SHARDS} Queries, merged)`,
            ms(result.sharded.median),
            ms(result.sharded.p95),
            ms(result.sharded.max),
          ],
        ],
      ),
    );
    console.log(
      `  sharded / one partition: ${ratio(result.sharded.median, result.onePartition.median)} median, ` +
        `${ratio(result.sharded.p95, result.onePartition.p95)} p95 (${samples} samples each, in turns)`,
    );
    return result;
  } finally {
    await dynamo.stop();
  }
}
