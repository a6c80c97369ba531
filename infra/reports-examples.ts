/**
 * `npx tsx infra/reports-examples.ts`: draws the example charts of docs/reports.md (docs/reports/<name>.svg)
 * with the reports' own code (definitions, rows, Vega-Lite chart) from the demo data that `npm start`
 * seeds (infra/local/demo-data.ts), as of a fixed day so that the files only change when the code or
 * the data does. No stack, no API: each demo record is what the create use case stores of it (the
 * validated body over the collection's defaults, its demo user's department), handoffs moved to their
 * final status.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_USERS } from '../shared/config/demo.js';
import { COLLECTIONS, type CollectionName, type HandoffStatus } from '../shared/domain/collections.js';
import { nextStatus } from '../shared/domain/handoffs.js';
import { newId } from '../shared/domain/ids.js';
import { validateCreate } from '../shared/domain/validation.js';
import { callerFromClaims } from '../shared/policy/caller.js';
import { ownerDeptFor } from '../shared/policy/policy.js';
import { chartSvg } from '../shared/reports/chart.js';
import { type Bucket, REPORT_LIST } from '../shared/reports/definitions.js';
import { snapshotOf } from '../shared/reports/snapshot.js';
import { type DemoUser, demoPlan } from './local/demo-data.js';

/** The day the examples show (the daily snapshot's time). */
export const EXAMPLES_AT = new Date('2026-06-01T06:00:00.000Z');
export const EXAMPLES_DIR = 'docs/reports';

type DemoRecord = { collection: CollectionName; fields: Record<string, unknown> };

function callerOf(username: DemoUser) {
  const user = DEMO_USERS.find((u) => u.username === username)!;
  return callerFromClaims({ sub: username, 'cognito:username': username, 'cognito:groups': user.groups })!;
}

/** The demo records as the API would store them on `now`, after every move of the plan. */
export function demoRecords(now: Date): DemoRecord[] {
  const records = new Map<string, DemoRecord>();
  const idOf = (key: string) => String(records.get(key)?.fields.id);
  const { waves, moves } = demoPlan(now);
  for (const step of waves.flat()) {
    const valid = validateCreate(step.collection, step.body(idOf));
    if (!valid.ok) throw new Error(`demo ${step.key} is invalid: ${JSON.stringify(valid.errors)}`);
    const fields = {
      ...COLLECTIONS[step.collection].defaults,
      ...valid.value,
      id: newId(now.getTime()),
      createdAt: now.toISOString(),
      ownerDept: ownerDeptFor(callerOf(step.as), step.collection),
    };
    records.set(step.key, { collection: step.collection, fields });
  }
  for (const { handoff, move } of moves) {
    const record = records.get(handoff)!;
    const status = nextStatus(record.fields.status as HandoffStatus, move);
    if (!status) throw new Error(`demo ${handoff} cannot ${move} from ${String(record.fields.status)}`);
    record.fields = { ...record.fields, status };
  }
  return [...records.values()];
}

/** Each report's snapshot of the demo data on `now`, and its chart (all departments). */
export async function exampleCharts(now: Date = EXAMPLES_AT) {
  const records = demoRecords(now);
  return Promise.all(
    REPORT_LIST.map(async (report) => {
      const buckets: Bucket[] = records
        .filter((r) => r.collection === report.collection)
        .flatMap((r) => {
          const c = report.contribute(r.fields);
          return c ? [{ day: c.day, dims: c.dims, count: 1n, amount: c.amount ?? 0n }] : [];
        });
      const snapshot = snapshotOf(report, buckets, now);
      const svg = await chartSvg(report, snapshot.rows, `All departments · ${snapshot.generatedAt}`);
      return { name: report.name, file: join(EXAMPLES_DIR, `${report.name}.svg`), snapshot, svg: `${svg}\n` };
    }),
  );
}

async function main() {
  await mkdir(EXAMPLES_DIR, { recursive: true });
  for (const { file, snapshot, svg } of await exampleCharts()) {
    await writeFile(file, svg);
    console.log(`${file}: ${snapshot.rows.length} rows, totals ${JSON.stringify(snapshot.totals)}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    console.error(`reports-examples failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}
