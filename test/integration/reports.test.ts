import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { s3Client } from '../../infra/local/engines/s3-local.js';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { REPORT_NAMES } from '../../shared/config/reports.js';
import type { ReportView } from '../../shared/domain/use-cases/reports.js';
import { as, EVENT_PATIENCE_MS, stack } from '../support/stack.js';

/**
 * Reports through the local stack: records written through the API, counted by the aggregates stream
 * consumer (asynchronously: every check polls a run until it shows them), snapshots in the local S3,
 * and who sees which rows. Other files of the suite write records too: these tests assert on their own
 * records (a currency only they use) or compare views of one snapshot, never on absolute totals.
 */
type Row = Record<string, string | number>;
type ReportList = { items: { name: string; title: string; latestAt: string | null }[] };

let sally: ApiClient;
let max: ApiClient;
let mark: ApiClient;
let ada: ApiClient;
let accountId = '';
/** An ISO-4217-shaped code that no other test uses: the rows in it are this file's only. */
const CURRENCY = `Q${String.fromCharCode(65 + Math.floor(Math.random() * 26))}${String.fromCharCode(65 + Math.floor(Math.random() * 26))}`;

beforeAll(async () => {
  sally = await as('sally');
  max = await as('max');
  mark = await as('mark');
  ada = await as('ada');
  const account = await sally.post<{ id: string }>('/v1/accounts', { name: 'Reporting Robotics' });
  expect(account.status).toBe(201);
  accountId = account.body.id;
});

/** Runs the report until `done` holds of the snapshot (the counters follow the stream), or the time runs out. */
async function runUntil(
  client: ApiClient,
  name: string,
  done: (view: ReportView) => boolean,
): Promise<ReportView> {
  const deadline = Date.now() + EVENT_PATIENCE_MS;
  for (;;) {
    const res = await client.post<ReportView>(`/v1/reports/${name}/run`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    if (done(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`${name} never showed it: ${JSON.stringify(res.body.rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const mine = (view: ReportView) => view.rows.filter((r) => r.currency === CURRENCY);

async function opportunity(fields: Record<string, unknown>): Promise<string> {
  const res = await sally.post<{ id: string }>('/v1/opportunities', {
    accountId,
    name: 'Reported deal',
    currency: CURRENCY,
    closeDate: '2031-02-14',
    ...fields,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function fetchText(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('pipeline-by-stage from the aggregates consumer', () => {
  let snapshot: ReportView;

  it('counts created, moved and deleted opportunities: count and amount per stage', async () => {
    // Prepare
    await opportunity({ amount: '1000.50', stage: 'proposal' });
    const moved = await opportunity({ amount: '250.25', stage: 'proposal' });
    const deleted = await opportunity({ amount: '99.999999', stage: 'negotiation' });
    await opportunity({ amount: '5000', stage: 'won' });
    expect((await sally.patch(`/v1/opportunities/${moved}`, { stage: 'negotiation' })).status).toBe(200);
    expect((await sally.delete(`/v1/opportunities/${deleted}`)).status).toBe(204);
    const expected: Row[] = [
      { department: 'sales', stage: 'proposal', currency: CURRENCY, count: 1, amount: '1000.50' },
      { department: 'sales', stage: 'negotiation', currency: CURRENCY, count: 1, amount: '250.25' },
    ];

    // Act
    snapshot = await runUntil(
      ada,
      'pipeline-by-stage',
      (view) => JSON.stringify(mine(view)) === JSON.stringify(expected),
    );

    // Assess
    expect(mine(snapshot)).toEqual(expected);
    expect(snapshot.totals.amount?.[CURRENCY]).toBe('1250.75');
    expect(snapshot.totals.count).toBe(snapshot.rows.reduce((n, r) => n + Number(r.count), 0));
    expect(snapshot.rows.every((r) => r.stage !== 'won' && r.stage !== 'lost')).toBe(true);
    expect(snapshot).toMatchObject({ name: 'pipeline-by-stage', title: 'Open pipeline by stage' });
  });

  it('serves the same snapshot as the latest, with CSV and SVG links that work without a token', async () => {
    // Act
    const latest = await ada.get<ReportView>('/v1/reports/pipeline-by-stage/latest');
    const csv = await fetchText(latest.body.links.csv);
    const svg = await fetchText(latest.body.links.svg);

    // Assess
    expect(latest.status).toBe(200);
    const { links: _, ...same } = snapshot;
    expect(latest.body).toMatchObject(same);
    const base = `reports/pipeline-by-stage/${snapshot.generatedAt.slice(0, 10)}/${snapshot.generatedAt.slice(11, 16).replace(':', '-')}`;
    expect(new URL(latest.body.links.csv).pathname).toBe(`/${stack().bucket}/${base}.csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\n');
    expect(lines[0]).toBe('department,stage,currency,count,amount');
    expect(lines).toContain(`sales,proposal,${CURRENCY},1,1000.50`);
    expect(lines).toContain(`sales,negotiation,${CURRENCY},1,250.25`);
    expect(lines).toHaveLength(1 + snapshot.rows.length);
    expect(svg.status).toBe(200);
    expect(svg.type).toMatch(/^image\/svg\+xml/);
    expect(svg.text).toMatch(/^<svg/);
    for (const text of ['Open pipeline by stage', 'Stage', 'Open amount', CURRENCY, '1000.50', '250.25'])
      expect(svg.text, text).toContain(`>${text}</text>`);
  });

  it('overwrites a rerun in the same minute: one set of files, holding the newer snapshot', async () => {
    // Prepare
    const s3 = s3Client(stack().s3Endpoint);
    const minute = (at: string) => at.slice(0, 16);
    let first: ReportView;
    let second: ReportView;
    // Two runs straddle a minute now and then: the pair is taken again until both fall in one.
    do {
      first = (await ada.post<ReportView>('/v1/reports/pipeline-by-stage/run')).body;
      // Act
      second = (await ada.post<ReportView>('/v1/reports/pipeline-by-stage/run')).body;
    } while (minute(first.generatedAt) !== minute(second.generatedAt));

    // Assess
    expect(second.generatedAt > first.generatedAt).toBe(true);
    const at = second.generatedAt;
    const prefix = `reports/pipeline-by-stage/${at.slice(0, 10)}/${at.slice(11, 13)}-${at.slice(14, 16)}`;
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack().bucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort();
    expect(keys).toEqual(
      ['.json', '.csv', '.svg', ...DEPARTMENTS.flatMap((d) => [`.${d}.csv`, `.${d}.svg`])].sort(),
    );
    const json = await s3.send(new GetObjectCommand({ Bucket: stack().bucket, Key: `${prefix}.json` }));
    const stored = JSON.parse(await json.Body!.transformToString()) as Record<string, unknown>;
    expect(stored).toEqual({
      name: 'pipeline-by-stage',
      generatedAt: at,
      rows: second.rows,
      totals: second.totals,
    });
    expect((await ada.get<ReportView>('/v1/reports/pipeline-by-stage/latest')).body.generatedAt).toBe(at);
    const list = await ada.get<ReportList>('/v1/reports');
    expect(list.body.items.find((i) => i.name === 'pipeline-by-stage')?.latestAt).toBe(at);
  });
});

describe('who sees which rows', () => {
  it("gives the manager their department's rows of a snapshot, the admin every department's", async () => {
    // Prepare: a handoff to support (from sales) and one to sales (from marketing)
    const lead = await mark.post<{ id: string }>('/v1/leads', { name: 'Report Lead', status: 'qualified' });
    for (const [client, toDept, record] of [
      [sally, 'support', { collection: 'accounts', id: accountId }],
      [mark, 'sales', { collection: 'leads', id: lead.body.id }],
    ] as const) {
      const res = await client.post('/v1/handoffs', { record, toDept, reason: 'For the report' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const has = (view: ReportView, department: string) =>
      view.rows.some((r) => r.department === department && r.status === 'requested');

    // Act
    const all = await runUntil(ada, 'handoffs-by-department', (v) => has(v, 'support') && has(v, 'sales'));
    const sales = await max.get<ReportView>('/v1/reports/handoffs-by-department/latest');

    // Assess
    expect(sales.status).toBe(200);
    expect(sales.body.generatedAt).toBe(all.generatedAt);
    expect(sales.body.rows).toEqual(all.rows.filter((r) => r.department === 'sales'));
    expect(sales.body.rows.length).toBeGreaterThan(0);
    expect(all.rows.some((r) => r.department !== 'sales')).toBe(true);
    expect(sales.body.totals.count).toBe(sales.body.rows.reduce((n, r) => n + Number(r.count), 0));
    expect(sales.body.totals.count).toBeLessThan(all.totals.count);
    expect(sales.body.links.csv).toContain('.sales.csv');
    const csv = await fetchText(sales.body.links.csv);
    expect(csv.text.trimEnd().split('\n')).toEqual([
      'department,status,count',
      ...sales.body.rows.map((r) => `${r.department},${r.status},${r.count}`),
    ]);
    const svg = await fetchText(sales.body.links.svg);
    expect(svg.text).toContain('>Department sales');
    expect(svg.text).not.toContain('>support</text>');
  });

  it('gives a manager one row of customers-by-department, their own, and the admin one per department', async () => {
    // Act
    const byManager = await runUntil(max, 'customers-by-department', (v) => Number(v.rows[0]?.count) > 0);
    const byAdmin = await ada.get<ReportView>('/v1/reports/customers-by-department/latest');

    // Assess: sally's account counts for sales
    expect(byAdmin.body.generatedAt).toBe(byManager.generatedAt);
    expect(byAdmin.body.rows.map((r) => r.department)).toEqual([...DEPARTMENTS]);
    expect(byManager.rows).toEqual(byAdmin.body.rows.filter((r) => r.department === 'sales'));
    expect(byManager.totals).toEqual({ count: byManager.rows[0]!.count });
    expect(byAdmin.body.totals.count).toBe(byAdmin.body.rows.reduce((n, r) => n + Number(r.count), 0));
  });

  it('lists every report for managers and admins', async () => {
    // Act
    const [byManager, byAdmin] = await Promise.all([
      max.get<ReportList>('/v1/reports'),
      ada.get<ReportList>('/v1/reports'),
    ]);

    // Assess
    expect(byManager.status).toBe(200);
    expect(byManager.body.items.map((i) => i.name)).toEqual([...REPORT_NAMES]);
    expect(byAdmin.body).toEqual(byManager.body);
  });

  it.each([
    ['GET', '/v1/reports'],
    ['GET', '/v1/reports/pipeline-by-stage/latest'],
    ['POST', '/v1/reports/pipeline-by-stage/run'],
  ])('refuses a member: %s %s → 403 problem+json', async (method, path) => {
    // Act
    const res = await sally.call<{ status: number; title: string }>(method, path);

    // Assess
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(403);
  });

  it.each([
    ['GET', '/v1/reports/no-such-report/latest'],
    ['POST', '/v1/reports/no-such-report/run'],
    ['GET', '/v1/reports/PIPELINE-BY-STAGE/latest'],
  ])('answers an unknown name with 404 problem+json: %s %s', async (method, path) => {
    // Act
    const res = await ada.call<{ status: number; type: string; detail: string }>(method, path);

    // Assess
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, detail: expect.any(String) });
  });
});
