/**
 * `npm run shards:backfill [-- --table <name>] [--apply]`: the one-off re-keying of the sharded list
 * indexes (docs/operations.md, "Backfill"): every live record item whose byCollection, byOwner or byState
 * key is not the sharded one (a table written before sharding, or with another LIST_SHARDS) gets it,
 * with one conditional UpdateItem (the version read must still be there: a concurrent write wins, and
 * a re-run picks it up). A Scan: an operator job, never a request path. Without `--apply`, a dry run.
 *
 * Against the local stack (the default) it reads `.local/stack.json`; with `--table` it uses the AWS
 * credentials and region of the environment against that deployed table.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENV, loadEnv, OBSERVABILITY } from '../shared/config/env.js';
import { handlerEnv } from './local/handler-env.js';
import type { StackInfo } from './local/stack-info.js';

const LOCAL_DIR = process.env.CONCORD_LOCAL_DIR ?? '.local';

export interface BackfillCounts {
  scanned: number;
  outdated: number;
  updated: number;
  /** Changed by someone else between the read and the update: run again. */
  conflicts: number;
}

export async function backfillListShards(apply: boolean): Promise<BackfillCounts> {
  // Imported once the environment is set: the store's modules read it as they load.
  const { ScanCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
  const { db, tableName } = await import('../shared/db/client.js');
  const { live } = await import('../shared/db/conditions.js');
  const { expression } = await import('../shared/db/expressions.js');
  const { COLLECTION_ATTRIBUTE, listShardBackfill, recordKey, collectionOfItem } = await import(
    '../shared/db/keys.js'
  );
  const counts: BackfillCounts = { scanned: 0, outdated: 0, updated: 0, conflicts: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'attribute_exists(#c)',
        ExpressionAttributeNames: { '#c': COLLECTION_ATTRIBUTE },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      counts.scanned++;
      const set = listShardBackfill(item);
      const collection = collectionOfItem(item);
      if (!set || !collection) continue;
      counts.outdated++;
      if (!apply) continue;
      const update = expression.update(set, []);
      const condition = live({ versions: typeof item.version === 'number' ? [item.version] : [] });
      try {
        await db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: recordKey(collection, String(item.id)),
            UpdateExpression: update.UpdateExpression,
            ConditionExpression: condition.ConditionExpression,
            ExpressionAttributeNames: {
              ...update.ExpressionAttributeNames,
              ...condition.ExpressionAttributeNames,
            },
            ExpressionAttributeValues: {
              ...update.ExpressionAttributeValues,
              ...condition.ExpressionAttributeValues,
            },
          }),
        );
        counts.updated++;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        counts.conflicts++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return counts;
}

async function useTable(table: string | undefined) {
  process.env[ENV.serviceName] ??= OBSERVABILITY.serviceName;
  process.env[ENV.metricsNamespace] ??= OBSERVABILITY.metricsNamespace;
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  if (table) {
    Object.assign(process.env, { [ENV.tableName]: table });
  } else {
    const info = JSON.parse(await readFile(join(LOCAL_DIR, 'stack.json'), 'utf8')) as StackInfo;
    const env = handlerEnv({
      dynamodb: info.dynamodbEndpoint,
      cognito: '',
      userPoolId: '-',
      cursorSecret: '-',
    });
    Object.assign(process.env, env, { [ENV.tableName]: info.tableName });
  }
  loadEnv({ table: 'RW' });
}

async function main() {
  const { values } = parseArgs({
    options: { table: { type: 'string' }, apply: { type: 'boolean', default: false } },
    strict: true,
  });
  await useTable(values.table);
  const c = await backfillListShards(values.apply === true);
  console.log(
    `${c.scanned} record item(s) scanned, ${c.outdated} with unsharded list keys` +
      (values.apply
        ? `, ${c.updated} updated, ${c.conflicts} changed meanwhile (run again)`
        : ' (dry run: --apply to update)'),
  );
  process.exit(values.apply ? (c.conflicts ? 1 : 0) : c.outdated ? 1 : 0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    console.error(`shards:backfill failed: ${(error as Error).message}`);
    process.exit(2);
  });
}
