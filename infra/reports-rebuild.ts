/**
 * `npm run reports:rebuild [-- --table <name>] [--apply]`: recomputes every report's counters from the
 * records (a paginated Query of each collection's index, never a Scan), with a progress bar, and lists
 * each bucket where the live counters differ. `--apply` then writes the recomputed counters in place
 * of the live ones: run it while nothing writes (docs/reports.md, "Rebuild").
 *
 * Against the local stack (the default) it reads `.local/stack.json`; with `--table` it uses the AWS
 * credentials and region of the environment against that deployed table.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENV, loadEnv, OBSERVABILITY } from '../shared/config/env.js';
import type { Bucket } from '../shared/reports/definitions.js';
import { handlerEnv } from './local/handler-env.js';
import type { StackInfo } from './local/stack-info.js';

const LOCAL_DIR = process.env.CONCORD_LOCAL_DIR ?? '.local';

/** A progress bar on stderr: redrawn in place on a terminal, a line per step otherwise. */
function progressBar(total: number) {
  const tty = process.stderr.isTTY === true;
  return (done: number, label: string) => {
    const filled = Math.round((done / Math.max(1, total)) * 30);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${done}/${total} ${label}`;
    process.stderr.write(tty ? `\r${line.padEnd(100)}` : `${line}\n`);
  };
}

async function useTable(table: string | undefined) {
  // What the store's modules read at import (logger, tracer): a command line has no Lambda to set it.
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
  loadEnv({ table: 'R' });
}

export async function rebuild(apply: boolean): Promise<number> {
  // Imported once useTable has set the environment: these modules read it as they load.
  const { differences, liveCounters, recountFromRecords } = await import('../shared/reports/recount.js');
  const { replaceCounters } = await import('../shared/db/counters-repo.js');
  let draw: ReturnType<typeof progressBar> | undefined;
  const recounted = await recountFromRecords((p) => {
    draw ??= progressBar(p.collections);
    draw(p.collectionsDone, `collections (${p.records} records read, now ${p.collection})`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const diffs = differences(await liveCounters(), recounted);
  if (!diffs.length) console.log('The live counters equal the recount: no difference.');
  for (const d of diffs)
    console.log(
      `${d.report}${d.day ? ` ${d.day}` : ''} [${d.dims.join(', ')}]: live ${d.live.count} records / ${d.live.amount} µ, ` +
        `recounted ${d.recounted.count} / ${d.recounted.amount} µ`,
    );
  if (apply && diffs.length) {
    // Every (report, day) that differs, including those the recount has no record for (all deleted):
    // their live counters are replaced by the recount's buckets, or emptied.
    const targets = [...new Set(diffs.map((d) => JSON.stringify([d.report, d.day ?? null])))].map(
      (t) => JSON.parse(t) as [string, string | null],
    );
    for (const [report, day] of targets) {
      const buckets: Bucket[] = [...(recounted.get(report)?.values() ?? [])].filter(
        (b) => (b.day ?? null) === day,
      );
      await replaceCounters(report, day ?? undefined, buckets);
    }
    console.log(`Applied: ${targets.length} counter set(s) (report and day) now hold the recount.`);
  }
  return diffs.length;
}

async function main() {
  const { values } = parseArgs({
    options: { table: { type: 'string' }, apply: { type: 'boolean', default: false } },
    strict: true,
  });
  await useTable(values.table);
  const found = await rebuild(values.apply === true);
  process.exit(found && !values.apply ? 1 : 0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    console.error(`reports:rebuild failed: ${(error as Error).message}`);
    process.exit(2);
  });
}
