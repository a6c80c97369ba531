import { DEPARTMENTS } from '../config/departments.js';
import {
  CLOSED_STAGES,
  REPORT_NAMES,
  REPORT_SETTINGS,
  type ReportName,
  STAGE_PROBABILITY_PERCENT,
} from '../config/reports.js';
import {
  COLLECTIONS,
  type CollectionName,
  HANDOFF_STATUSES,
  OPPORTUNITY_STAGES,
} from '../domain/collections.js';
import { fromUnits, MICRO_SCALE, toUnits } from './decimal.js';

/**
 * The six reports (docs/reports.md): what each counts of a record, and how its counters become rows.
 * A record adds one to one bucket of each report that reads its collection (and, for money, its
 * amount); a change moves it from the old bucket to the new one, a delete takes it out. The counters
 * (shared/reports/aggregates.ts) hold the buckets; snapshots read them, never the records.
 */

type Fields = Readonly<Record<string, unknown>>;
export type Row = Record<string, string | number>;

/** What one record adds to a report: a bucket (its dimension values), one count, and maybe an amount. */
export interface Contribution {
  /** The day (yyyy-mm-dd, UTC) the record counts on, for reports over a window of days; else undefined. */
  day?: string;
  dims: readonly string[];
  /** Micro-units (10^-6) of the record's amount, for the reports that sum money. */
  amount?: bigint;
}

/** A bucket's total, as the counters hold it. */
export interface Bucket {
  day?: string;
  dims: readonly string[];
  count: bigint;
  amount: bigint;
}

export interface ChartSpec {
  title: string;
  /** The column whose values are the bars, in this order when given. */
  category: string;
  categoryTitle: string;
  order?: () => readonly string[];
  /** The measure each bar shows (summed over the rows of its category and series). */
  value: 'count' | 'amount' | 'weighted';
  valueTitle: string;
  /** A second column that splits each category into side-by-side bars (currency, status, type). */
  series?: string;
}

export interface ReportDef {
  name: ReportName;
  title: string;
  collection: CollectionName;
  /** The bucket's dimensions, in the order of Contribution.dims. */
  dims: readonly string[];
  /** Counted per day (createdAt's date) and shown over the last `windowDays`. */
  windowDays?: number;
  contribute(record: Fields): Contribution | undefined;
  /** The snapshot's columns, in order: CSV header and JSON rows alike. */
  columns: readonly string[];
  rows(buckets: readonly Bucket[]): Row[];
  chart: ChartSpec;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const isOpen = (stage: string) => !(CLOSED_STAGES as readonly string[]).includes(stage);
const money = (units: bigint) => fromUnits(units, MICRO_SCALE);
const currencyOf = (r: Fields) => text(r.currency) ?? REPORT_SETTINGS.defaultCurrency;
const amountOf = (r: Fields) => toUnits(text(r.amount) ?? '0');
const OPEN_STAGES = () => OPPORTUNITY_STAGES.filter(isOpen);

/** Buckets summed by the dimensions `keep` (indices into dims), the rest (and days) summed over. */
function rollUp(buckets: readonly Bucket[], keep: readonly number[]): Bucket[] {
  const out = new Map<string, Bucket>();
  for (const b of buckets) {
    const dims = keep.map((i) => b.dims[i] ?? '');
    const key = JSON.stringify(dims);
    const sum = out.get(key) ?? { dims, count: 0n, amount: 0n };
    out.set(key, { dims, count: sum.count + b.count, amount: sum.amount + b.amount });
  }
  return [...out.values()].filter((b) => b.count !== 0n || b.amount !== 0n);
}

/** Rows sorted by their dimension columns, in the order of each column's known values when it has one. */
function sortRows(rows: Row[], orders: Record<string, readonly string[]>): Row[] {
  const rank = (column: string, value: string | number) => {
    const known = orders[column]?.indexOf(String(value)) ?? -1;
    return known === -1 ? Number.MAX_SAFE_INTEGER : known;
  };
  const columns = Object.keys(rows[0] ?? {});
  return rows.sort((a, b) => {
    for (const c of columns) {
      if (typeof a[c] === 'number') continue;
      const byRank = rank(c, a[c]!) - rank(c, b[c]!);
      if (byRank) return byRank;
      const byText = String(a[c]).localeCompare(String(b[c]));
      if (byText) return byText;
    }
    return 0;
  });
}

const ORDERS = {
  department: DEPARTMENTS,
  stage: OPPORTUNITY_STAGES,
  status: [...new Set([...(HANDOFF_STATUSES as readonly string[]), 'open', 'pending', 'resolved', 'closed'])],
};

const countRows = (buckets: readonly Bucket[], dims: readonly string[]): Row[] =>
  sortRows(
    rollUp(
      buckets,
      dims.map((_, i) => i),
    ).map((b) => ({
      ...Object.fromEntries(dims.map((d, i) => [d, b.dims[i]!])),
      count: Number(b.count),
    })),
    ORDERS,
  );

export const REPORTS: Readonly<Record<ReportName, ReportDef>> = {
  'customers-by-department': {
    name: 'customers-by-department',
    title: 'Accounts by owning department',
    collection: 'accounts',
    dims: ['department'],
    contribute: (r) => ({ dims: [String(r.ownerDept)] }),
    columns: ['department', 'count'],
    // Every department has a row, with 0 when it owns no account: a new department shows at once.
    rows: (buckets) => {
      const counts = new Map(rollUp(buckets, [0]).map((b) => [b.dims[0], b.count]));
      const departments = [...new Set([...DEPARTMENTS, ...counts.keys()])];
      return departments.map((department) => ({
        department: department ?? '',
        count: Number(counts.get(department) ?? 0n),
      }));
    },
    chart: {
      title: 'Accounts by owning department',
      category: 'department',
      categoryTitle: 'Department',
      order: () => DEPARTMENTS,
      value: 'count',
      valueTitle: 'Accounts',
    },
  },
  'pipeline-by-stage': {
    name: 'pipeline-by-stage',
    title: 'Open pipeline by stage',
    collection: 'opportunities',
    dims: ['department', 'stage', 'currency'],
    contribute: (r) => {
      const stage = text(r.stage);
      if (!stage || !isOpen(stage)) return undefined;
      return { dims: [String(r.ownerDept), stage, currencyOf(r)], amount: amountOf(r) };
    },
    columns: ['department', 'stage', 'currency', 'count', 'amount'],
    rows: (buckets) =>
      sortRows(
        rollUp(buckets, [0, 1, 2]).map((b) => ({
          department: b.dims[0]!,
          stage: b.dims[1]!,
          currency: b.dims[2]!,
          count: Number(b.count),
          amount: money(b.amount),
        })),
        ORDERS,
      ),
    chart: {
      title: 'Open pipeline by stage',
      category: 'stage',
      categoryTitle: 'Stage',
      order: OPEN_STAGES,
      value: 'amount',
      valueTitle: 'Open amount',
      series: 'currency',
    },
  },
  'cases-by-status': {
    name: 'cases-by-status',
    title: 'Cases by status',
    collection: 'cases',
    dims: ['department', 'status'],
    contribute: (r) => ({ dims: [String(r.ownerDept), text(r.status) ?? 'open'] }),
    columns: ['department', 'status', 'count'],
    rows: (buckets) => countRows(buckets, ['department', 'status']),
    chart: {
      title: 'Cases by status',
      category: 'status',
      categoryTitle: 'Status',
      order: () => ['open', 'pending', 'resolved', 'closed'],
      value: 'count',
      valueTitle: 'Cases',
    },
  },
  'handoffs-by-department': {
    name: 'handoffs-by-department',
    title: 'Handoffs by receiving department and status',
    collection: 'handoffs',
    // The receiving department: a manager sees the handoffs sent to their department.
    dims: ['department', 'status'],
    contribute: (r) => {
      const toDept = text(r.toDept);
      return toDept ? { dims: [toDept, text(r.status) ?? 'requested'] } : undefined;
    },
    columns: ['department', 'status', 'count'],
    rows: (buckets) => countRows(buckets, ['department', 'status']),
    chart: {
      title: 'Handoffs by receiving department',
      category: 'department',
      categoryTitle: 'Receiving department',
      order: () => DEPARTMENTS,
      value: 'count',
      valueTitle: 'Handoffs',
      series: 'status',
    },
  },
  'activity-by-department': {
    name: 'activity-by-department',
    title: `Activities by type per department, last ${REPORT_SETTINGS.activityWindowDays} days`,
    collection: 'activities',
    dims: ['department', 'type'],
    windowDays: REPORT_SETTINGS.activityWindowDays,
    contribute: (r) => {
      const created = text(r.createdAt);
      return created
        ? { day: created.slice(0, 10), dims: [String(r.ownerDept), text(r.type) ?? 'note'] }
        : undefined;
    },
    columns: ['department', 'type', 'count'],
    rows: (buckets) => countRows(buckets, ['department', 'type']),
    chart: {
      title: `Activities per department, last ${REPORT_SETTINGS.activityWindowDays} days`,
      category: 'department',
      categoryTitle: 'Department',
      order: () => DEPARTMENTS,
      value: 'count',
      valueTitle: 'Activities',
      series: 'type',
    },
  },
  'pipeline-forecast': {
    name: 'pipeline-forecast',
    title: 'Forecast: open amount weighted by stage probability, per expected close month',
    collection: 'opportunities',
    dims: ['month', 'department', 'stage', 'currency'],
    // An opportunity with no closeDate has no month to forecast it in: it is left out (docs/reports.md).
    contribute: (r) => {
      const stage = text(r.stage);
      const close = text(r.closeDate);
      if (!stage || !isOpen(stage) || !close) return undefined;
      return { dims: [close.slice(0, 7), String(r.ownerDept), stage, currencyOf(r)], amount: amountOf(r) };
    },
    columns: ['month', 'department', 'currency', 'count', 'amount', 'weighted'],
    rows: (buckets) => {
      const rows = new Map<
        string,
        {
          month: string;
          department: string;
          currency: string;
          count: bigint;
          amount: bigint;
          weighted: bigint;
        }
      >();
      for (const b of rollUp(buckets, [0, 1, 2, 3])) {
        const [month, department, stage, currency] = b.dims as [string, string, string, string];
        const key = JSON.stringify([month, department, currency]);
        const row = rows.get(key) ?? { month, department, currency, count: 0n, amount: 0n, weighted: 0n };
        const percent = STAGE_PROBABILITY_PERCENT[stage as keyof typeof STAGE_PROBABILITY_PERCENT] ?? 0;
        rows.set(key, {
          ...row,
          count: row.count + b.count,
          amount: row.amount + b.amount,
          weighted: row.weighted + b.amount * BigInt(percent),
        });
      }
      return sortRows(
        [...rows.values()].map((r) => ({
          month: r.month,
          department: r.department,
          currency: r.currency,
          count: Number(r.count),
          amount: money(r.amount),
          // amount (10^-6) × whole percent (10^-2): exact in 10^-8 units.
          weighted: fromUnits(r.weighted, MICRO_SCALE + 2),
        })),
        ORDERS,
      );
    },
    chart: {
      title: 'Forecast by expected close month (weighted by stage probability)',
      category: 'month',
      categoryTitle: 'Expected close month',
      value: 'weighted',
      valueTitle: 'Weighted open amount',
      series: 'currency',
    },
  },
};

export const REPORT_LIST: readonly ReportDef[] = REPORT_NAMES.map((name) => REPORTS[name]);

/** The reports that count records of a collection (a change of another collection touches none). */
export const reportsOf = (collection: CollectionName): ReportDef[] =>
  REPORT_LIST.filter((r) => r.collection === collection);

/** Whether the collection exists: a report's collection is one the table holds. */
export const reportCollections = (): CollectionName[] =>
  [...new Set(REPORT_LIST.map((r) => r.collection))].filter((c) => c in COLLECTIONS);
