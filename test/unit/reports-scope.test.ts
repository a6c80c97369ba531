import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import type { ReportName } from '../../shared/config/reports.js';
import { DomainError } from '../../shared/domain/errors.js';
import {
  latestReportUseCase,
  listReportsUseCase,
  runReportUseCase,
} from '../../shared/domain/use-cases/reports.js';
import { canRunReports, reportScope } from '../../shared/policy/reports.js';
import type { Bucket } from '../../shared/reports/definitions.js';
import { admin, manager, member, roleless } from './fixtures.js';

/**
 * Who sees which rows: the policy, and the use cases over stubbed counters and an in-memory bucket
 * (the local stack's S3 and DynamoDB are exercised by test/integration/reports.test.ts).
 */
const SALES_ACCOUNTS: Bucket = { dims: ['sales'], count: 4n, amount: 0n };
const { files, counters, clock } = vi.hoisted(() => ({
  files: new Map<string, string>(),
  counters: [] as Bucket[],
  clock: { now: new Date() },
}));

// The renderer is another function in AWS (invoked by the route); here it renders in-process, at `clock.now`.
vi.mock('../../shared/reports/renderer.js', async () => {
  const { makeSnapshot } = await import('../../shared/reports/run-snapshot.js');
  return { renderSnapshotNow: async (name: ReportName) => (await makeSnapshot(name, clock.now)).base };
});

vi.mock('../../shared/db/counters-repo.js', () => ({ readCounters: async () => counters }));
vi.mock('../../shared/reports/snapshot-store.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/reports/snapshot-store.js')>();
  return {
    ...real,
    putFile: async (key: string, _kind: string, body: string) => void files.set(key, body),
    putLatest: async (name: string, pointer: unknown) =>
      void files.set(`reports/${name}/latest.json`, JSON.stringify(pointer)),
    readLatestPointer: async (name: string) => {
      const text = files.get(`reports/${name}/latest.json`);
      return text ? JSON.parse(text) : undefined;
    },
    readSnapshot: async (base: string) => {
      const text = files.get(`${base}.json`);
      return text ? JSON.parse(text) : undefined;
    },
    fileLink: async (key: string) => `https://bucket.example/${key}?signed`,
  };
});

beforeEach(() => {
  files.clear();
  counters.splice(0, counters.length, SALES_ACCOUNTS, { dims: ['support'], count: 2n, amount: 0n });
});

describe('the reports policy', () => {
  it('gives admins every row, managers their department, members and the roleless nothing', () => {
    // Assess
    expect(reportScope(admin())).toEqual({ all: true });
    for (const department of DEPARTMENTS) {
      expect(reportScope(manager(department))).toEqual({ all: false, department });
      expect(reportScope(member(department))).toBeUndefined();
      expect(canRunReports(manager(department))).toBe(true);
      expect(canRunReports(member(department))).toBe(false);
    }
    expect(reportScope(roleless())).toBeUndefined();
    expect(canRunReports(admin())).toBe(true);
  });

  it('leaves a manager with no department without rows', () => {
    // Prepare
    const { department: _, ...departmentless } = manager('sales');

    // Assess
    expect(reportScope(departmentless)).toBeUndefined();
  });
});

describe('the report use cases', () => {
  const at = new Date('2025-06-03T14:07:10Z');
  beforeEach(() => {
    clock.now = at;
  });

  it('refuses members (403) before anything is read or written', async () => {
    // Act
    const calls = [
      listReportsUseCase(member('sales')),
      latestReportUseCase(member('sales'), 'customers-by-department'),
      runReportUseCase(member('support'), 'customers-by-department'),
    ];

    // Assess
    for (const call of calls) await expect(call).rejects.toMatchObject({ kind: 'forbidden' });
    expect(files.size).toBe(0);
  });

  it("answers an admin every department's rows, a manager theirs, each with links to their own files", async () => {
    // Act
    const byAdmin = await runReportUseCase(admin(), 'customers-by-department');
    const byManager = await latestReportUseCase(manager('support'), 'customers-by-department');

    // Assess
    const base = 'reports/customers-by-department/2025-06-03/14-07';
    expect(byAdmin).toMatchObject({ name: 'customers-by-department', generatedAt: at.toISOString() });
    expect(byAdmin.rows).toEqual([
      { department: 'sales', count: 4 },
      { department: 'marketing', count: 0 },
      { department: 'support', count: 2 },
    ]);
    expect(byAdmin.totals).toEqual({ count: 6 });
    expect(byAdmin.links).toEqual({
      csv: `https://bucket.example/${base}.csv?signed`,
      svg: `https://bucket.example/${base}.svg?signed`,
    });
    expect(byManager.rows).toEqual([{ department: 'support', count: 2 }]);
    expect(byManager.totals).toEqual({ count: 2 });
    expect(byManager.links.csv).toBe(`https://bucket.example/${base}.support.csv?signed`);
    expect(files.get(`${base}.csv`)).toBe('department,count\nsales,4\nmarketing,0\nsupport,2\n');
    expect(files.get(`${base}.support.csv`)).toBe('department,count\nsupport,2\n');
    expect(files.get(`${base}.sales.svg`)).toContain('Department sales');
    expect(files.get(`${base}.sales.svg`)).not.toContain('>support<');
  });

  it('overwrites a snapshot rerun in the same minute: the same keys, the newer content', async () => {
    // Prepare
    await runReportUseCase(manager('sales'), 'customers-by-department');
    const keys = [...files.keys()].sort();
    counters[0] = { ...SALES_ACCOUNTS, count: 5n };

    // Act
    clock.now = new Date('2025-06-03T14:07:50Z');
    const rerun = await runReportUseCase(manager('sales'), 'customers-by-department');

    // Assess
    expect([...files.keys()].sort()).toEqual(keys);
    expect(keys).toHaveLength(1 + 2 * (1 + DEPARTMENTS.length) + 1);
    expect(rerun.rows).toEqual([{ department: 'sales', count: 5 }]);
    expect(files.get('reports/customers-by-department/2025-06-03/14-07.sales.csv')).toBe(
      'department,count\nsales,5\n',
    );
    expect((await listReportsUseCase(admin())).items).toContainEqual({
      name: 'customers-by-department',
      title: expect.any(String),
      latestAt: '2025-06-03T14:07:50.000Z',
    });
  });

  it('answers 404 for a report that has no snapshot yet, and null in the list', async () => {
    // Act
    const latest = latestReportUseCase(admin(), 'cases-by-status');
    const list = await listReportsUseCase(manager('marketing'));

    // Assess
    await expect(latest).rejects.toBeInstanceOf(DomainError);
    await expect(latest).rejects.toMatchObject({ kind: 'not-found' });
    expect(list.items.map((i) => i.latestAt)).toEqual(list.items.map(() => null));
    expect(list.items).toHaveLength(6);
  });
});
