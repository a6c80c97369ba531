import type { ReportName } from '../../config/reports.js';
import type { Caller } from '../../policy/caller.js';
import { canRunReports } from '../../policy/reports.js';
import { makeSnapshot } from '../../reports/run-snapshot.js';
import { fail } from '../errors.js';
import { type ReportView, scopeOf, viewOf } from './reports.js';

/**
 * Runs a report now. Apart from reports.ts: it alone renders the chart (vega, most of a megabyte), which the
 * functions that only read snapshots must not carry.
 */
export async function runReportUseCase(
  caller: Caller,
  name: ReportName,
  now = new Date(),
): Promise<ReportView> {
  const scope = scopeOf(caller);
  if (!canRunReports(caller)) throw fail.forbidden('Only managers and admins run reports.');
  const { snapshot, base } = await makeSnapshot(name, now);
  return viewOf(name, snapshot, base, scope);
}
