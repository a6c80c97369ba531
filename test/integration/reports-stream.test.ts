import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import type { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { lambdaContext } from '../../infra/local/lambda-runtime.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { STAGE_PROBABILITY_PERCENT } from '../../shared/config/reports.js';
import { STREAM_CONSUMERS } from '../../shared/config/streams.js';
import type { ReportView } from '../../shared/domain/use-cases/reports.js';
import { eventually } from '../support/change-log.js';
import { useStackEnv } from '../support/direct.js';
import { as, EVENT_PATIENCE_MS } from '../support/stack.js';
import { type StreamHandler, tableStream } from '../support/table-stream.js';

/**
 * The aggregates consumer on the real stream: a replayed batch counts once, an import-sized batch of
 * creates counts every record, and `npm run reports:rebuild`'s comparison finds the live counters equal
 * to a recount from the records. Each test asserts on its own currency (a code no other test uses).
 */
type Row = Record<string, string | number>;
type Stage = keyof typeof STAGE_PROBABILITY_PERCENT;

const dirs: string[] = [];
let aws: ReturnType<typeof localAwsConfig>;
let streamArn = '';
let sally: ApiClient;
let ada: ApiClient;
let accountId = '';

const letter = () => String.fromCharCode(65 + Math.floor(Math.random() * 26));
const REPLAY_CURRENCY = `R${letter()}${letter()}`;
const IMPORT_CURRENCY = `S${letter()}${letter()}`;

beforeAll(async () => {
  useStackEnv();
  ({ aws, streamArn } = await tableStream());
  sally = await as('sally');
  ada = await as('ada');
  const account = await sally.post<{ id: string }>('/v1/accounts', { name: 'Stream Reports Ltd' });
  expect(account.status).toBe(201);
  accountId = account.body.id;
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function opportunity(fields: Record<string, unknown>): Promise<string> {
  const res = await sally.post<{ id: string }>('/v1/opportunities', {
    accountId,
    name: 'Counted',
    ...fields,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Runs a report until its rows in `currency` are `expected` (the counters follow the stream). */
async function runUntilRows(name: string, currency: string, expected: Row[]): Promise<Row[]> {
  const deadline = Date.now() + EVENT_PATIENCE_MS;
  for (;;) {
    const res = await ada.post<ReportView>(`/v1/reports/${name}/run`);
    expect(res.status).toBe(201);
    const rows = res.body.rows.filter((r) => r.currency === currency);
    if (JSON.stringify(rows) === JSON.stringify(expected) || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Units of 10^-scale as the reports write money: at least 2 decimals, no trailing zeros beyond. */
function decimal(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const fraction = digits.slice(-scale).replace(/0+$/, '').padEnd(2, '0');
  return `${digits.slice(0, -scale)}.${fraction}`;
}

describe('the aggregates consumer', () => {
  it('counts a replayed batch once: creates, a stage move and a delete', async () => {
    // Prepare: the changes, and a poller of our own that keeps their stream records
    const aggregates = (await import('../../functions/streams/aggregates.js'))
      .handler as unknown as StreamHandler;
    const moved = await opportunity({ amount: '10.00', stage: 'proposal', currency: REPLAY_CURRENCY });
    const kept = await opportunity({ amount: '20.50', stage: 'negotiation', currency: REPLAY_CURRENCY });
    const deleted = await opportunity({ amount: '30.00', stage: 'prospecting', currency: REPLAY_CURRENCY });
    expect((await sally.patch(`/v1/opportunities/${moved}`, { stage: 'negotiation' })).status).toBe(200);
    expect((await sally.delete(`/v1/opportunities/${deleted}`)).status).toBe(204);
    const ours = new Set([moved, kept, deleted]);
    const idOf = (r: DynamoDBRecord) => r.dynamodb?.NewImage?.id?.S ?? r.dynamodb?.OldImage?.id?.S ?? '';
    const batch: DynamoDBRecord[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'aggregates-poller-'));
    dirs.push(dir);
    const poller = await startStreamPoller({
      name: 'aggregates-replay-test',
      aws,
      streamArn,
      checkpointFile: join(dir, 'checkpoint.json'),
      deadLetterFile: join(dir, 'dlq.jsonl'),
      settings: STREAM_CONSUMERS.aggregates,
      intervalMs: 50,
      consumer: async (event) => {
        batch.push(...event.Records.filter((r) => ours.has(idOf(r))));
        return { batchItemFailures: [] };
      },
    });
    await eventually('the five changes on the stream', async () => (batch.length >= 5 ? true : undefined));
    await poller.stop();
    const expected: Row[] = [
      { department: 'sales', stage: 'negotiation', currency: REPLAY_CURRENCY, count: 2, amount: '30.50' },
    ];
    const counted = await runUntilRows('pipeline-by-stage', REPLAY_CURRENCY, expected);

    // Act: the same batch twice more through the consumer
    const replies = [
      await aggregates({ Records: batch }, lambdaContext('aggregates')),
      await aggregates({ Records: batch }, lambdaContext('aggregates')),
    ];
    const after = (await ada.post<ReportView>('/v1/reports/pipeline-by-stage/run')).body;

    // Assess
    expect(batch.map((r) => r.eventName).sort()).toEqual(['INSERT', 'INSERT', 'INSERT', 'MODIFY', 'MODIFY']);
    expect(counted).toEqual(expected);
    expect(replies).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(after.rows.filter((r) => r.currency === REPLAY_CURRENCY)).toEqual(expected);
  });

  it('counts every record of an import-sized batch (200 creates) in the pipeline and the forecast', async () => {
    // Prepare: 200 opportunities, ten at a time; every tenth won (not open), every seventh with no close date
    const open: Stage[] = ['prospecting', 'qualification', 'proposal', 'negotiation'];
    const months = ['2032-01', '2032-02', '2032-03'];
    const deals = Array.from({ length: 200 }, (_, i) => ({
      stage: i % 10 === 9 ? 'won' : open[i % 4]!,
      cents: BigInt((100 + i) * 100 + (i % 100)),
      month: i % 7 === 0 ? undefined : months[i % 3],
    }));
    const pipeline = new Map<Stage, { count: number; cents: bigint }>();
    const forecast = new Map<string, { count: number; cents: bigint; weighted: bigint }>();
    for (const d of deals.filter((d) => d.stage !== 'won')) {
      const stage = d.stage as Stage;
      const p = pipeline.get(stage) ?? { count: 0, cents: 0n };
      pipeline.set(stage, { count: p.count + 1, cents: p.cents + d.cents });
      if (!d.month) continue;
      const f = forecast.get(d.month) ?? { count: 0, cents: 0n, weighted: 0n };
      const weighted = f.weighted + d.cents * BigInt(STAGE_PROBABILITY_PERCENT[stage]);
      forecast.set(d.month, { count: f.count + 1, cents: f.cents + d.cents, weighted });
    }
    const expectedPipeline: Row[] = open.map((stage) => ({
      department: 'sales',
      stage,
      currency: IMPORT_CURRENCY,
      count: pipeline.get(stage)!.count,
      amount: decimal(pipeline.get(stage)!.cents, 2),
    }));
    const expectedForecast: Row[] = months.map((month) => ({
      month,
      department: 'sales',
      currency: IMPORT_CURRENCY,
      count: forecast.get(month)!.count,
      amount: decimal(forecast.get(month)!.cents, 2),
      weighted: decimal(forecast.get(month)!.weighted, 4),
    }));
    let next = 0;
    const worker = async () => {
      while (next < deals.length) {
        const d = deals[next++]!;
        await opportunity({
          stage: d.stage,
          amount: decimal(d.cents, 2),
          currency: IMPORT_CURRENCY,
          ...(d.month ? { closeDate: `${d.month}-10` } : {}),
        });
      }
    };

    // Act
    await Promise.all(Array.from({ length: 10 }, worker));
    const byStage = await runUntilRows('pipeline-by-stage', IMPORT_CURRENCY, expectedPipeline);
    const byMonth = await runUntilRows('pipeline-forecast', IMPORT_CURRENCY, expectedForecast);

    // Assess
    expect(byStage).toEqual(expectedPipeline);
    expect(byMonth).toEqual(expectedForecast);
    expect(expectedPipeline.reduce((n, r) => n + Number(r.count), 0)).toBe(180);
  }, 180_000);
});

describe("reports:rebuild's comparison", () => {
  it('finds the live counters equal to a recount of the records, and tells a counter that is off', async () => {
    // Prepare
    const { differences, liveCounters, recountFromRecords } = await import('../../shared/reports/recount.js');
    const { applyCounterUpdates } = await import('../../shared/db/counters-repo.js');
    const compare = async () => differences(await liveCounters(), await recountFromRecords());
    const nudge = (count: bigint) =>
      applyCounterUpdates(`reports-stream-test-${Date.now()}-${count}`, [
        {
          report: 'pipeline-by-stage',
          shard: 0,
          deltas: [{ dims: ['sales', 'proposal', IMPORT_CURRENCY], count, amount: 0n }],
        },
      ]);

    // Act: once the consumer has caught up with the writes so far, and again with one counter off by one
    const equal = await eventually('the live counters to equal the recount', async () => {
      const diffs = await compare();
      return diffs.length === 0 ? diffs : undefined;
    });
    await nudge(1n);
    let off: Awaited<ReturnType<typeof compare>>;
    try {
      off = await compare();
    } finally {
      await nudge(-1n);
    }

    // Assess
    expect(equal).toEqual([]);
    const recount = await recountFromRecords();
    const ours = [...(recount.get('pipeline-by-stage')?.values() ?? [])].filter(
      (b) => b.dims[2] === IMPORT_CURRENCY,
    );
    expect(ours.reduce((n, b) => n + b.count, 0n)).toBe(180n);
    expect(off).toHaveLength(1);
    expect(off[0]).toMatchObject({
      report: 'pipeline-by-stage',
      dims: ['sales', 'proposal', IMPORT_CURRENCY],
      recounted: { count: String(ours.find((b) => b.dims[1] === 'proposal')!.count) },
    });
    expect(Number(off[0]!.live.count)).toBe(Number(off[0]!.recounted.count) + 1);
    expect(await compare()).toEqual([]);
  }, 120_000);
});
