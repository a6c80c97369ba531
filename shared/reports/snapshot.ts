import { stringify } from 'csv-stringify/sync';
import { MICRO_SCALE, sumDecimals } from './decimal.js';
import type { Bucket, ReportDef, Row } from './definitions.js';

/**
 * A snapshot: `{ name, generatedAt, rows, totals }` (docs/reports.md), made from a report's counters.
 * Totals are sums of the rows: records, and money per currency (never across currencies).
 */
export interface Totals {
  count: number;
  amount?: Record<string, string>;
  weighted?: Record<string, string>;
}

export interface Snapshot {
  name: string;
  generatedAt: string;
  rows: Row[];
  totals: Totals;
}

/** Sums a money column per currency, exactly. */
function perCurrency(rows: readonly Row[], column: string, scale: number): Record<string, string> {
  const byCurrency = new Map<string, string[]>();
  for (const row of rows) {
    const currency = String(row.currency ?? '');
    byCurrency.set(currency, [...(byCurrency.get(currency) ?? []), String(row[column])]);
  }
  return Object.fromEntries([...byCurrency].sort().map(([c, values]) => [c, sumDecimals(values, scale)]));
}

export function totalsOf(report: ReportDef, rows: readonly Row[]): Totals {
  const totals: Totals = { count: rows.reduce((sum, r) => sum + Number(r.count ?? 0), 0) };
  if (report.columns.includes('amount')) totals.amount = perCurrency(rows, 'amount', MICRO_SCALE);
  if (report.columns.includes('weighted')) totals.weighted = perCurrency(rows, 'weighted', MICRO_SCALE + 2);
  return totals;
}

export function snapshotOf(report: ReportDef, buckets: readonly Bucket[], generatedAt: Date): Snapshot {
  const rows = report.rows(buckets);
  return { name: report.name, generatedAt: generatedAt.toISOString(), rows, totals: totalsOf(report, rows) };
}

/** The rows of one department, totals summed again over them (what a manager sees). */
export function departmentView(report: ReportDef, snapshot: Snapshot, department: string): Snapshot {
  const rows = snapshot.rows.filter((r) => r.department === department);
  return { ...snapshot, rows, totals: totalsOf(report, rows) };
}

/** The CSV: a header row of the report's columns, then the same rows as the JSON. */
export function csvOf(report: ReportDef, rows: readonly Row[]): string {
  return stringify(rows as Row[], { header: true, columns: [...report.columns] });
}

/** The days a dated report reads: the last `windowDays`, today (UTC) included. */
export function windowOf(report: ReportDef, now: Date): { from: string; to: string } | undefined {
  if (!report.windowDays) return undefined;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (report.windowDays - 1) * 86_400_000);
  return { from: day(from), to: day(now) };
}
