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
import { ENV, loadEnv } from '../shared/config/env.js';
import { replaceCounters } from '../shared/db/counters-repo.js';
import type { Bucket } from '../shared/reports/definitions.js';
import { differences, liveCounters, recountFromRecords } from '../shared/reports/recount.js';
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
    for (const [report, buckets] of recounted) {
      const byDay = new Map<string | undefined, Bucket[]>();
      for (const b of buckets.values()) byDay.set(b.day, [...(byDay.get(b.day) ?? []), b]);
      for (const [day, list] of byDay) await replaceCounters(report, day, list);
    }
    console.log(`Applied: the counters of ${recounted.size} report(s) now hold the recount.`);
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
