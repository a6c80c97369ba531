import { REPORT_NAMES, type ReportName } from '../../config/reports.js';
import type { Caller } from '../../policy/caller.js';
import { canRunReports, type ReportScope, reportScope } from '../../policy/reports.js';
import { REPORTS } from '../../reports/definitions.js';
import { renderSnapshotNow } from '../../reports/renderer.js';
import { departmentView, type Snapshot } from '../../reports/snapshot.js';
import { fileLink, readLatestPointer, readSnapshot, snapshotFile } from '../../reports/snapshot-store.js';
import { fail } from '../errors.js';

/** A snapshot as one caller sees it: their rows, their totals, and links to their CSV and SVG. */
export interface ReportView extends Snapshot {
  title: string;
  links: { csv: string; svg: string };
}

/** The caller's scope, or 403: reports are for managers and admins. */
export function scopeOf(caller: Caller): ReportScope {
  const scope = reportScope(caller);
  if (!scope) throw fail.forbidden('Reports are for managers (their department) and admins.');
  return scope;
}

export async function viewOf(
  name: ReportName,
  snapshot: Snapshot,
  base: string,
  scope: ReportScope,
): Promise<ReportView> {
  const report = REPORTS[name];
  const department = scope.all ? undefined : scope.department;
  const seen = department ? departmentView(report, snapshot, department) : snapshot;
  const [csv, svg] = await Promise.all([
    fileLink(snapshotFile(base, 'csv', department)),
    fileLink(snapshotFile(base, 'svg', department)),
  ]);
  return {
    name,
    title: report.title,
    generatedAt: seen.generatedAt,
    rows: seen.rows,
    totals: seen.totals,
    links: { csv, svg },
  };
}

/**
 * Runs a report now: the renderer makes the snapshot (every department's files), then the caller gets
 * their view of it, as from the latest.
 */
export async function runReportUseCase(caller: Caller, name: ReportName): Promise<ReportView> {
  const scope = scopeOf(caller);
  if (!canRunReports(caller)) throw fail.forbidden('Only managers and admins run reports.');
  const base = await renderSnapshotNow(name);
  const snapshot = await readSnapshot(base);
  if (!snapshot) throw new Error(`The report renderer answered ${base}, which holds no snapshot`);
  return viewOf(name, snapshot, base, scope);
}

/** Every report, with the time of its newest snapshot (null before the first). */
export async function listReportsUseCase(caller: Caller) {
  scopeOf(caller);
  const items = await Promise.all(
    REPORT_NAMES.map(async (name) => ({
      name,
      title: REPORTS[name].title,
      latestAt: (await readLatestPointer(name))?.generatedAt ?? null,
    })),
  );
  return { items };
}

export async function latestReportUseCase(caller: Caller, name: ReportName): Promise<ReportView> {
  const scope = scopeOf(caller);
  const pointer = await readLatestPointer(name);
  const snapshot = pointer && (await readSnapshot(pointer.base));
  if (!pointer || !snapshot) throw fail.notFound('This report has no snapshot yet: run it first.');
  return viewOf(name, snapshot, pointer.base, scope);
}
