import { DEPARTMENTS } from '../config/departments.js';
import type { ReportName } from '../config/reports.js';
import { readCounters } from '../db/counters-repo.js';
import { chartSvg } from './chart.js';
import { type Bucket, REPORTS } from './definitions.js';
import { csvOf, departmentView, type Snapshot, snapshotOf, windowOf } from './snapshot.js';
import { putFile, putLatest, snapshotBase, snapshotFile } from './snapshot-store.js';

/**
 * Makes one snapshot of a report now: reads its counters (a few items, whatever the table holds),
 * writes the JSON, CSV and SVG of every department's rows and the CSV and SVG of each department's
 * own rows, then points `latest.json` at them. Used by the schedule and by `POST /v1/reports/{name}/run`.
 */
export async function makeSnapshot(
  name: ReportName,
  now: Date = new Date(),
): Promise<{ snapshot: Snapshot; base: string }> {
  return writeSnapshot(name, await readCounters(name, windowOf(REPORTS[name], now)), now);
}

/**
 * The snapshot of `buckets` and its eight files. The buckets come from the counters; the benchmark's
 * Scan-based report (test/bench/reports.ts) brings its own, so that both write the very same files.
 */
export async function writeSnapshot(
  name: ReportName,
  buckets: readonly Bucket[],
  now: Date,
): Promise<{ snapshot: Snapshot; base: string }> {
  const report = REPORTS[name];
  const snapshot = snapshotOf(report, buckets, now);
  const base = snapshotBase(name, now);
  const views = [
    { department: undefined, snap: snapshot, subtitle: `All departments · ${snapshot.generatedAt}` },
    ...DEPARTMENTS.map((department) => ({
      department,
      snap: departmentView(report, snapshot, department),
      subtitle: `Department ${department} · ${snapshot.generatedAt}`,
    })),
  ];
  await Promise.all(
    views.flatMap(({ department, snap, subtitle }) => [
      putFile(snapshotFile(base, 'csv', department), 'csv', csvOf(report, snap.rows)),
      chartSvg(report, snap.rows, subtitle, department).then((svg) =>
        putFile(snapshotFile(base, 'svg', department), 'svg', svg),
      ),
    ]),
  );
  await putFile(snapshotFile(base, 'json'), 'json', JSON.stringify(snapshot, null, 2));
  await putLatest(name, { generatedAt: snapshot.generatedAt, base });
  return { snapshot, base };
}
