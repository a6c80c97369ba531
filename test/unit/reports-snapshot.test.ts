import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { REPORT_NAMES, STAGE_PROBABILITY_PERCENT } from '../../shared/config/reports.js';
import { recordItem } from '../../shared/db/keys.js';
import type { CollectionName } from '../../shared/domain/collections.js';
import { updatesOf } from '../../shared/reports/aggregates.js';
import { type Bucket, REPORTS } from '../../shared/reports/definitions.js';
import { differences } from '../../shared/reports/recount.js';
import { csvOf, departmentView, snapshotOf, windowOf } from '../../shared/reports/snapshot.js';
import { snapshotBase, snapshotFile } from '../../shared/reports/snapshot-store.js';
import { aRecord } from './fixtures.js';

/** From counters to rows, totals and files: what a snapshot holds, without storage. */

/** The buckets that a set of records gives (as the counters hold them once every change is applied). */
function bucketsOf(collection: CollectionName, records: Record<string, unknown>[]): Map<string, Bucket[]> {
  const byReport = new Map<string, Bucket[]>();
  for (const fields of records) {
    const item = recordItem(collection, aRecord(fields));
    for (const u of updatesOf(collection, String(item.id), undefined, item))
      for (const d of u.deltas)
        byReport.set(u.report, [...(byReport.get(u.report) ?? []), { day: u.day, ...d }]);
  }
  return byReport;
}

const deal = (stage: string, amount: string, closeDate: string, extra: Record<string, unknown> = {}) => ({
  accountId: 'a',
  name: 'Deal',
  stage,
  amount,
  currency: 'EUR',
  closeDate,
  ...extra,
});

const AT = new Date('2025-06-03T14:07:59.123Z');

describe('pipeline-forecast: open amounts weighted by stage probability, per expected close month', () => {
  const report = REPORTS['pipeline-forecast'];
  const buckets = bucketsOf('opportunities', [
    deal('proposal', '1000.00', '2025-06-30'),
    deal('negotiation', '333.333333', '2025-06-01'),
    deal('prospecting', '0.05', '2025-06-15'),
    deal('qualification', '200', '2025-07-02'),
    deal('negotiation', '10', '2025-06-20', { currency: 'USD' }),
    deal('proposal', '40', '2025-06-20', { ownerDept: 'marketing' }),
    deal('won', '5000', '2025-06-10'),
    deal('lost', '6000', '2025-06-10'),
    { accountId: 'a', name: 'Undated', stage: 'proposal', amount: '70', currency: 'EUR' },
  ]).get('pipeline-forecast')!;

  it('sums each month, department and currency, each stage weighted by its probability', () => {
    // Act
    const rows = report.rows(buckets);

    // Assess: June/sales/EUR = 1000 × 50% + 333.333333 × 80% + 0.05 × 10%
    expect(STAGE_PROBABILITY_PERCENT).toMatchObject({
      prospecting: 10,
      qualification: 20,
      proposal: 50,
      negotiation: 80,
    });
    expect(rows).toEqual([
      {
        month: '2025-06',
        department: 'sales',
        currency: 'EUR',
        count: 3,
        amount: '1333.383333',
        weighted: '766.6716664',
      },
      { month: '2025-06', department: 'sales', currency: 'USD', count: 1, amount: '10.00', weighted: '8.00' },
      {
        month: '2025-06',
        department: 'marketing',
        currency: 'EUR',
        count: 1,
        amount: '40.00',
        weighted: '20.00',
      },
      {
        month: '2025-07',
        department: 'sales',
        currency: 'EUR',
        count: 1,
        amount: '200.00',
        weighted: '40.00',
      },
    ]);
  });

  it('totals records, and amount and weighted amount per currency, never across currencies', () => {
    // Act
    const snapshot = snapshotOf(report, buckets, AT);

    // Assess
    expect(snapshot).toMatchObject({ name: 'pipeline-forecast', generatedAt: '2025-06-03T14:07:59.123Z' });
    expect(snapshot.totals).toEqual({
      count: 6,
      amount: { EUR: '1573.383333', USD: '10.00' },
      weighted: { EUR: '826.6716664', USD: '8.00' },
    });
  });
});

describe('the rows of each report', () => {
  it('pipeline-by-stage: open opportunities, count and amount per department, stage and currency', () => {
    // Prepare
    const buckets = bucketsOf('opportunities', [
      deal('negotiation', '1.10', '2025-06-01'),
      deal('proposal', '2.20', '2025-06-01'),
      deal('proposal', '3.30', '2025-08-01'),
      deal('won', '100', '2025-06-01'),
      deal('prospecting', '9', '2025-06-01', { ownerDept: 'support', currency: 'USD' }),
    ]).get('pipeline-by-stage')!;

    // Act
    const snapshot = snapshotOf(REPORTS['pipeline-by-stage'], buckets, AT);

    // Assess
    expect(snapshot.rows).toEqual([
      { department: 'sales', stage: 'proposal', currency: 'EUR', count: 2, amount: '5.50' },
      { department: 'sales', stage: 'negotiation', currency: 'EUR', count: 1, amount: '1.10' },
      { department: 'support', stage: 'prospecting', currency: 'USD', count: 1, amount: '9.00' },
    ]);
    expect(snapshot.totals).toEqual({ count: 4, amount: { EUR: '6.60', USD: '9.00' } });
  });

  it('customers-by-department: a row for every department, 0 included', () => {
    // Prepare
    const buckets = bucketsOf('accounts', [
      { name: 'A', ownerDept: 'sales' },
      { name: 'B', ownerDept: 'sales' },
      { name: 'C', ownerDept: 'support' },
    ]).get('customers-by-department')!;

    // Act
    const snapshot = snapshotOf(REPORTS['customers-by-department'], buckets, AT);

    // Assess
    expect(snapshot.rows).toEqual([
      { department: 'sales', count: 2 },
      { department: 'marketing', count: 0 },
      { department: 'support', count: 1 },
    ]);
    expect(snapshot.totals).toEqual({ count: 3 });
  });

  it('drops buckets that went back to zero, and sums the shards and days of one bucket', () => {
    // Prepare
    const buckets: Bucket[] = [
      { day: '2025-06-01', dims: ['sales', 'call'], count: 2n, amount: 0n },
      { day: '2025-06-02', dims: ['sales', 'call'], count: 1n, amount: 0n },
      { day: '2025-06-02', dims: ['sales', 'email'], count: 0n, amount: 0n },
      { day: '2025-06-02', dims: ['support', 'note'], count: 1n, amount: 0n },
    ];

    // Act
    const rows = REPORTS['activity-by-department'].rows(buckets);

    // Assess
    expect(rows).toEqual([
      { department: 'sales', type: 'call', count: 3 },
      { department: 'support', type: 'note', count: 1 },
    ]);
  });

  it('has a definition for every report name', () => {
    // Assess
    expect(Object.keys(REPORTS).sort()).toEqual([...REPORT_NAMES].sort());
    for (const name of REPORT_NAMES) {
      expect(REPORTS[name].name).toBe(name);
      expect(REPORTS[name].columns, name).toContain('department');
      expect(REPORTS[name].columns, name).toContain('count');
    }
  });
});

describe('what a manager sees', () => {
  it("keeps their department's rows and sums the totals again over them", () => {
    // Prepare
    const report = REPORTS['pipeline-by-stage'];
    const buckets = bucketsOf('opportunities', [
      deal('proposal', '10', '2025-06-01'),
      deal('proposal', '5', '2025-06-01', { ownerDept: 'marketing' }),
      deal('negotiation', '7', '2025-06-01', { ownerDept: 'marketing', currency: 'USD' }),
    ]).get('pipeline-by-stage')!;
    const all = snapshotOf(report, buckets, AT);

    // Act
    const marketing = departmentView(report, all, 'marketing');
    const support = departmentView(report, all, 'support');

    // Assess
    expect(all.rows).toHaveLength(3);
    expect(marketing.rows.map((r) => r.department)).toEqual(['marketing', 'marketing']);
    expect(marketing.totals).toEqual({ count: 2, amount: { EUR: '5.00', USD: '7.00' } });
    expect(marketing.generatedAt).toBe(all.generatedAt);
    expect(support).toMatchObject({ rows: [], totals: { count: 0, amount: {} } });
  });
});

describe('CSV', () => {
  it('is a header of the columns, then the same rows as the JSON (csv-stringify)', () => {
    // Prepare
    const report = REPORTS['pipeline-forecast'];
    const rows = [
      {
        month: '2025-06',
        department: 'sales',
        currency: 'EUR',
        count: 3,
        amount: '1333.383333',
        weighted: '766.6716664',
      },
      {
        month: '2025-07',
        department: 'r&d, "east"',
        currency: 'USD',
        count: 1,
        amount: '1.00',
        weighted: '0.10',
      },
    ];

    // Act
    const csv = csvOf(report, rows);

    // Assess
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('month,department,currency,count,amount,weighted');
    expect(lines[1]).toBe('2025-06,sales,EUR,3,1333.383333,766.6716664');
    expect(lines[2]).toBe('2025-07,"r&d, ""east""",USD,1,1.00,0.10');
    const parsed = parse(csv, { columns: true }) as Record<string, string>[];
    expect(parsed).toEqual(
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))),
    );
  });

  it('keeps the header when there are no rows', () => {
    // Act
    const csv = csvOf(REPORTS['cases-by-status'], []);

    // Assess
    expect(csv).toBe('department,status,count\n');
  });
});

describe('files and windows', () => {
  it('puts a snapshot at reports/<name>/<yyyy-mm-dd>/<hh-mm> (UTC): the same key all minute long', () => {
    // Act
    const base = snapshotBase('pipeline-by-stage', AT);
    const sameMinute = snapshotBase('pipeline-by-stage', new Date('2025-06-03T14:07:00.000Z'));
    const nextMinute = snapshotBase('pipeline-by-stage', new Date('2025-06-03T14:08:00.000Z'));

    // Assess
    expect(base).toBe('reports/pipeline-by-stage/2025-06-03/14-07');
    expect(sameMinute).toBe(base);
    expect(nextMinute).not.toBe(base);
    expect(['json', 'csv', 'svg'].map((k) => snapshotFile(base, k as 'json'))).toEqual([
      `${base}.json`,
      `${base}.csv`,
      `${base}.svg`,
    ]);
    expect(DEPARTMENTS.map((d) => snapshotFile(base, 'csv', d))).toEqual(
      DEPARTMENTS.map((d) => `${base}.${d}.csv`),
    );
  });

  it('reads the activities of the last 30 days, today included; other reports have no window', () => {
    // Act
    const window = windowOf(REPORTS['activity-by-department'], new Date('2025-03-01T00:30:00Z'));

    // Assess
    expect(window).toEqual({ from: '2025-01-31', to: '2025-03-01' });
    expect(windowOf(REPORTS['pipeline-by-stage'], AT)).toBeUndefined();
  });
});

describe('rebuild: live counters against a recount', () => {
  it('lists the buckets that differ, and takes an empty bucket for an absent one', () => {
    // Prepare
    const bucket = (dims: string[], count: bigint, amount = 0n): Bucket => ({ dims, count, amount });
    const keyed = (b: Bucket) => [JSON.stringify([null, b.dims]), b] as const;
    const live = new Map([
      [
        'pipeline-by-stage',
        new Map([
          keyed(bucket(['sales', 'proposal', 'EUR'], 2n, 10n)),
          keyed(bucket(['sales', 'negotiation', 'EUR'], 0n)),
          keyed(bucket(['sales', 'prospecting', 'EUR'], 1n, 5n)),
        ]),
      ],
    ]);
    const recounted = new Map([
      [
        'pipeline-by-stage',
        new Map([
          keyed(bucket(['sales', 'proposal', 'EUR'], 2n, 10n)),
          keyed(bucket(['sales', 'won', 'EUR'], 1n)),
        ]),
      ],
    ]);

    // Act
    const diffs = differences(live, recounted);

    // Assess
    expect(diffs).toEqual([
      {
        report: 'pipeline-by-stage',
        dims: ['sales', 'prospecting', 'EUR'],
        live: { count: '1', amount: '5' },
        recounted: { count: '0', amount: '0' },
      },
      {
        report: 'pipeline-by-stage',
        dims: ['sales', 'won', 'EUR'],
        live: { count: '0', amount: '0' },
        recounted: { count: '1', amount: '0' },
      },
    ]);
  });
});
