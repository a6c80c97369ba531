import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { EVERY_GRANT } from '../../infra/local/handler-env.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { ensureTable } from '../../infra/local/table.js';
import { DEPARTMENTS } from '../../shared/config/departments.js';
import { ENV, loadEnv } from '../../shared/config/env.js';
import { REPORT_NAMES, type ReportName } from '../../shared/config/reports.js';
import { STREAM_CONSUMERS } from '../../shared/config/streams.js';
import {
  appliedMarkerKey,
  bucketAttribute,
  COLLECTION_ATTRIBUTE,
  collectionOfItem,
  counterKey,
  counterQuery,
  deletionOf,
  type Item,
  PARTITION_KEY_ATTRIBUTE,
  recordItem,
} from '../../shared/db/keys.js';
import {
  type CollectionName,
  HANDOFF_STATUSES,
  OPPORTUNITY_STAGES,
} from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import type { StreamChange } from '../../shared/events/change-events.js';
import { updatesOf, updatesOfChange } from '../../shared/reports/aggregates.js';
import { type Bucket, REPORTS, reportsOf } from '../../shared/reports/definitions.js';
import { snapshotOf, windowOf } from '../../shared/reports/snapshot.js';
import { type LatencyContext, startBenchStack } from './latency.js';
import { heading, ms, progressBar, ratio, type Summary, summarize, table, timed } from './stats.js';

/**
 * Reports: the daily snapshot of all six reports (each report's counters read and its eight files
 * written) with 1k and with 100k records in the table, side by side with the same snapshot made from
 * a Scan of the table (one Scan serves all six, then the very same files), in the same run; and the
 * counter items the aggregates consumer writes per record change, counted on the table's stream.
 *
 * The changes are made through the API, on the stack's table, with its consumers running. Each size
 * then gets a table of its own in the same DynamoDB Local (the consumers stopped), its records loaded straight in
 * (BatchWriteItem) and their counters added by the aggregates' own arithmetic (updatesOf: each record
 * into its shard, as the consumer would) in one ADD per counter item; `reports:rebuild`'s comparison
 * checks them against a recount. Snapshots of ours are timed with the sizes in turns.
 */
/** The issue's goal: ours at 100k within 1.5× of ours at 1k. */
export const SNAPSHOT_GROWTH_GOAL = 1.5;
/** And at most one counter item written per report a change touches. */
export const WRITES_PER_REPORT_GOAL = 1;

export interface SizeResult {
  records: number;
  itemsInTable: number;
  loadMs: number;
  recountMs: number;
  countersEqualRecount: boolean;
  counterItems: number;
  /** Read capacity units one snapshot of the six reports consumes, as DynamoDB Local reports them. */
  capacity: { ours: number; scan: number };
  ours: Summary;
  oursRead: Summary;
  scan: Summary;
  scanRead: Summary;
  sameRows: boolean;
  /** Every timing, in run order (ms). */
  samples: { ours: number[]; oursRead: number[]; scan: number[]; scanRead: number[] };
}

export interface WritesRow {
  change: string;
  changes: number;
  reportsTouched: number;
  counterWrites: number;
}

export interface ReportsResult {
  sizes: SizeResult[];
  writes: {
    rows: WritesRow[];
    changes: number;
    reportsTouched: number;
    counterWrites: { computed: number; onStream: number };
    markers: { computed: number; onStream: number };
    transactions: number;
  };
  growth: { ours: number; scan: number };
}

type Context = { ctx: LatencyContext; raw: DynamoDBClient; table: string; streamArn: string; lib: Lib };

/** The reports' code that reads its environment as it loads: imported once the stack has set it. */
async function loadLib() {
  const [recount, run, counters] = await Promise.all([
    import('../../shared/reports/recount.js'),
    import('../../shared/reports/run-snapshot.js'),
    import('../../shared/db/counters-repo.js'),
  ]);
  return { ...recount, ...run, readCounters: counters.readCounters };
}
type Lib = Awaited<ReturnType<typeof loadLib>>;

/** Points the reports' code (and its counters) at another table of the same DynamoDB Local. */
function useTable(table: string) {
  process.env[ENV.tableName] = table;
  loadEnv(EVERY_GRANT);
}

export async function benchReports(
  workDir: string,
  opts: { sizes?: number[]; runs?: number; scanRuns?: number; scanRunsLarge?: number } = {},
): Promise<ReportsResult> {
  const sizes = opts.sizes ?? [1_000, 100_000];
  const runs = opts.runs ?? 9;
  heading(
    `7. Reports: the daily snapshot at ${sizes.map(count).join(' and ')} records, against a Scan; counter writes per change`,
  );
  const ctx = await startBenchStack(workDir);
  try {
    const info = ctx.stack.info;
    // This process calls the reports' code directly: the stack set the environment, parse it as a function would.
    loadEnv(EVERY_GRANT);
    const raw = new DynamoDBClient(localAwsConfig(info.dynamodbEndpoint));
    const described = await raw.send(new DescribeTableCommand({ TableName: info.tableName }));
    const lib = await loadLib();
    const c: Context = { ctx, raw, table: info.tableName, streamArn: described.Table!.LatestStreamArn!, lib };

    const writes = await countWrites(c, workDir);
    printWrites(writes);
    // DynamoDB Local serves every stream from one store: idle pollers of the stack's stream would keep
    // it busy once the bench tables' streams hold 100k records. They have nothing left to do.
    await ctx.stack.streams.stop();

    // A table per size, side by side in the one DynamoDB Local, measured in turns: the machine's other
    // work then weighs on every size alike.
    const tables: Context[] = [];
    const built: Pick<SizeResult, 'records' | 'loadMs' | 'recountMs' | 'countersEqualRecount'>[] = [];
    for (const size of sizes) {
      const t = { ...c, table: `${info.tableName}-bench-${count(size)}` };
      await ensureTable(localAwsConfig(info.dynamodbEndpoint), t.table);
      useTable(t.table);
      const loadMs = await timed(() => load(t, size));
      const start = performance.now();
      const equal = lib.differences(await lib.liveCounters(), await lib.recountFromRecords()).length === 0;
      built.push({
        records: size,
        loadMs,
        recountMs: performance.now() - start,
        countersEqualRecount: equal,
      });
      tables.push(t);
    }
    // Warm-up, not counted: module loads, Vega's first compiles, the JIT.
    for (let r = 0; r < 3; r++) await oursOnce(tables[0]!, new Date());
    const ours = tables.map(() => ({ ours: [] as number[], oursRead: [] as number[] }));
    const bar = progressBar('snapshots of ours, the sizes in turns', runs * tables.length);
    for (let r = 0; r < runs; r++) {
      for (const [i, t] of tables.entries()) {
        const once = await oursOnce(t, new Date());
        ours[i]!.ours.push(once.total);
        ours[i]!.oursRead.push(once.read);
        bar.tick(r * tables.length + i + 1);
      }
    }
    bar.done();
    const results: SizeResult[] = [];
    for (const [i, t] of tables.entries()) {
      const large = i === tables.length - 1 && tables.length > 1;
      const scans = await scanRuns(t, large ? (opts.scanRunsLarge ?? 2) : (opts.scanRuns ?? 5));
      const samples = { ...ours[i]!, scan: scans.scan, scanRead: scans.scanRead };
      const counters = await countCounterItems(t);
      results.push({
        ...built[i]!,
        itemsInTable: scans.scanned,
        counterItems: counters.items,
        capacity: { ours: counters.capacity, scan: scans.capacity },
        sameRows: scans.sameRows,
        samples,
        ours: summarize(samples.ours),
        oursRead: summarize(samples.oursRead),
        scan: summarize(samples.scan),
        scanRead: summarize(samples.scanRead),
      });
      printSize(results.at(-1)!);
    }
    raw.destroy();
    const first = results[0]!;
    const last = results.at(-1)!;
    const result: ReportsResult = {
      sizes: results,
      writes: writes.summary,
      growth: { ours: last.ours.median / first.ours.median, scan: last.scan.median / first.scan.median },
    };
    printReports(result);
    return result;
  } finally {
    await ctx.stop();
  }
}

const count = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

// ── counter writes per change ───────────────────────────────────────────────────────────────────

/** Changes of every kind the reports read (and some they do not), through the API. */
async function makeChanges(info: LatencyContext['stack']['info']): Promise<number> {
  const [sally, sue, mark] = await Promise.all(
    ['sally', 'sue', 'mark'].map(async (u) => apiClient(info.apiUrl, await tokenFor(info, u))),
  );
  let records = 0;
  const ok = async <T = { id: string }>(reply: Promise<{ status: number; body: unknown }>) => {
    const r = await reply;
    if (r.status >= 300) throw new Error(`bench change answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  const create = async (client: ApiClient, path: string, body: Record<string, unknown>) => {
    records++;
    return (await ok(client.post(path, body))).id;
  };
  const times = <T>(n: number, fn: (i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
  const accounts = await times(10, (i) => create(sally!, '/v1/accounts', { name: `Writes ${i}` }));
  await times(10, (i) => ok(sally!.patch(`/v1/accounts/${accounts[i]}`, { name: `Writes renamed ${i}` })));
  const accountId = accounts[0]!;
  const opp = (i: number, closeDate?: string) =>
    create(sally!, '/v1/opportunities', {
      accountId,
      name: `Deal ${i}`,
      amount: `${1000 + i}.50`,
      currency: i % 2 ? 'EUR' : 'USD',
      stage: 'proposal',
      ...(closeDate ? { closeDate } : {}),
    });
  const deals = await times(30, (i) => opp(i, i < 25 ? `2031-0${1 + (i % 9)}-15` : undefined));
  const patch = (id: string, body: Record<string, unknown>) =>
    ok(sally!.patch(`/v1/opportunities/${id}`, body));
  await times(10, (i) => patch(deals[i]!, { stage: 'negotiation' }));
  await times(5, (i) => patch(deals[10 + i]!, { amount: '99.99' }));
  await times(5, (i) => patch(deals[15 + i]!, { stage: 'won' }));
  await times(5, (i) => patch(deals[20 + i]!, { name: `Deal renamed ${i}` }));
  await times(5, (i) => ok(sally!.delete(`/v1/opportunities/${deals[25 + i]}`)));
  const cases = await times(10, (i) => create(sue!, '/v1/cases', { accountId, subject: `Case ${i}` }));
  await times(10, (i) => ok(sue!.patch(`/v1/cases/${cases[i]}`, { status: 'resolved' })));
  const relatedTo = { collection: 'accounts', id: accountId };
  const acts = await times(10, (i) =>
    create(mark!, '/v1/activities', { type: 'email', subject: `Mail ${i}`, relatedTo }),
  );
  await times(5, (i) => ok(mark!.patch(`/v1/activities/${acts[i]}`, { subject: `Mail re ${i}` })));
  const handoffs = await times(10, (i) =>
    create(sally!, '/v1/handoffs', { record: relatedTo, toDept: 'support', reason: `Handoff ${i}` }),
  );
  await times(10, (i) => ok(sue!.post(`/v1/handoffs/${handoffs[i]}/accept`)));
  await times(5, (i) => create(mark!, '/v1/leads', { name: `Lead ${i}` }));
  return records;
}

async function countWrites(c: Context, workDir: string) {
  const records = await makeChanges(c.ctx.stack.info);
  await c.ctx.stack.consumers.get('aggregates')!.drain(60_000);
  // Every stream record so far: the records' changes, and the counter items and markers written for them.
  const dir = await mkdtemp(join(workDir, 'reports-stream-'));
  const seen: DynamoDBRecord[] = [];
  const poller = await startStreamPoller({
    name: 'bench-reports-writes',
    aws: localAwsConfig(c.ctx.stack.info.dynamodbEndpoint),
    streamArn: c.streamArn,
    checkpointFile: join(dir, 'checkpoint.json'),
    deadLetterFile: join(dir, 'dlq.jsonl'),
    settings: { ...STREAM_CONSUMERS.aggregates, filters: [] },
    intervalMs: 50,
    consumer: async (event) => {
      seen.push(...event.Records);
      return { batchItemFailures: [] };
    },
  });
  await poller.drain(60_000);
  await poller.stop();

  const counterPartitions = new Set(REPORT_NAMES.map((r) => counterQuery(r).pkValue));
  const markerPrefix = appliedMarkerKey('')[PARTITION_KEY_ATTRIBUTE];
  const rows = new Map<string, WritesRow>();
  let onStreamCounters = 0;
  let onStreamMarkers = 0;
  for (const record of seen) {
    const pk = record.dynamodb?.Keys?.[PARTITION_KEY_ATTRIBUTE]?.S ?? '';
    if (counterPartitions.has(pk)) onStreamCounters++;
    else if (pk.startsWith(markerPrefix)) onStreamMarkers++;
    const image = record.dynamodb?.NewImage;
    if (!image?.[COLLECTION_ATTRIBUTE]) continue;
    const old = record.dynamodb?.OldImage;
    const change: StreamChange = {
      eventId: record.eventID ?? '',
      kind: record.eventName ?? 'MODIFY',
      newImage: unmarshall(image as Record<string, AttributeValue>),
      ...(old ? { oldImage: unmarshall(old as Record<string, AttributeValue>) } : {}),
    };
    const collection = collectionOfItem(change.newImage!)!;
    const kind =
      change.kind === 'INSERT'
        ? 'create'
        : deletionOf(change.newImage!) && !deletionOf(change.oldImage ?? {})
          ? 'delete'
          : 'update';
    const updates = updatesOfChange(change);
    const touched = new Set(updates.map((u) => u.report)).size;
    const key = `${collection} ${kind}, touching ${touched} report${touched === 1 ? '' : 's'}`;
    const row = rows.get(key) ?? { change: key, changes: 0, reportsTouched: 0, counterWrites: 0 };
    rows.set(key, {
      ...row,
      changes: row.changes + 1,
      reportsTouched: row.reportsTouched + touched,
      counterWrites: row.counterWrites + updates.length,
    });
  }
  const all = [...rows.values()].sort((a, b) => a.change.localeCompare(b.change));
  const sum = (f: (r: WritesRow) => number) => all.reduce((n, r) => n + f(r), 0);
  const transactions = all.filter((r) => r.counterWrites > 0).reduce((n, r) => n + r.changes, 0);
  return {
    records,
    summary: {
      rows: all,
      changes: sum((r) => r.changes),
      reportsTouched: sum((r) => r.reportsTouched),
      counterWrites: { computed: sum((r) => r.counterWrites), onStream: onStreamCounters },
      markers: { computed: transactions, onStream: onStreamMarkers },
      transactions,
    },
  };
}

// ── loading records straight into the table ─────────────────────────────────────────────────────

const DAY_MS = 86_400_000;
const pick = <T>(list: readonly T[], i: number) => list[i % list.length]!;

/** Record number i of the bench's table: a tenth accounts, then deals, cases, activities, handoffs. */
function syntheticRecord(
  i: number,
  now: number,
): { collection: CollectionName; record: Item & { id: string } } {
  // Created over the last 60 days: about half the activities fall in the report's 30-day window.
  const at = now - (Math.floor(i / 10) % 60) * DAY_MS - ((i * 7919) % DAY_MS);
  const base = {
    id: newId(at),
    version: 1,
    createdAt: new Date(at).toISOString(),
    updatedAt: new Date(at).toISOString(),
    createdBy: 'bench',
    updatedBy: 'bench',
    ownerId: 'bench',
  };
  const accountId = '01JZ0000000000000000000000';
  const kind = i % 10;
  if (kind === 0)
    return { collection: 'accounts', record: { ...base, name: `Bench ${i}`, ownerDept: 'sales' } };
  if (kind <= 3) {
    const month = new Date(now + (i % 12) * 31 * DAY_MS).toISOString().slice(0, 7);
    return {
      collection: 'opportunities',
      record: {
        ...base,
        accountId,
        name: `Bench deal ${i}`,
        amount: `${(i * 37) % 100_000}.${String(i % 100).padStart(2, '0')}`,
        currency: pick(['EUR', 'USD', 'GBP'], i),
        stage: pick(OPPORTUNITY_STAGES, Math.floor(i / 10)),
        ...(i % 5 ? { closeDate: `${month}-15` } : {}),
        ownerDept: 'sales',
      },
    };
  }
  if (kind <= 5) {
    const status = pick(['open', 'pending', 'resolved', 'closed'], Math.floor(i / 10));
    return {
      collection: 'cases',
      record: {
        ...base,
        accountId,
        subject: `Bench case ${i}`,
        status,
        priority: 'normal',
        ownerDept: 'support',
      },
    };
  }
  if (kind <= 8) {
    const type = pick(['call', 'email', 'meeting', 'task', 'note'], Math.floor(i / 10));
    const relatedTo = { collection: 'accounts', id: accountId };
    const ownerDept = pick(DEPARTMENTS, Math.floor(i / 100));
    return {
      collection: 'activities',
      record: { ...base, type, subject: `Bench ${i}`, relatedTo, ownerDept },
    };
  }
  const ownerDept = pick(DEPARTMENTS, Math.floor(i / 10));
  const toDept = pick(
    DEPARTMENTS.filter((d) => d !== ownerDept),
    Math.floor(i / 30),
  );
  return {
    collection: 'handoffs',
    record: {
      ...base,
      record: { collection: 'accounts', id: accountId },
      toDept,
      reason: `Bench ${i}`,
      status: pick(HANDOFF_STATUSES, Math.floor(i / 20)),
      ownerDept,
    },
  };
}

/** Adds records from..to-1 to the table (BatchWriteItem, 25 a request, 8 at once) and to the counters. */
async function load(c: Context, to: number, from = 0) {
  const now = Date.now();
  const bar = progressBar(`records loaded into DynamoDB Local (${count(to)})`, to - from);
  const counters = new Map<string, Map<string, bigint>>();
  let next = from;
  let done = 0;
  const worker = async () => {
    while (next < to) {
      const batch: WriteRequest[] = [];
      for (; batch.length < 25 && next < to; next++) {
        const { collection, record } = syntheticRecord(next, now);
        batch.push({
          PutRequest: { Item: marshall(recordItem(collection, record), { removeUndefinedValues: true }) },
        });
        for (const u of updatesOf(collection, String(record.id), undefined, record)) {
          const id = JSON.stringify([u.report, u.day ?? null, u.shard]);
          const sums = counters.get(id) ?? new Map<string, bigint>();
          for (const d of u.deltas) {
            const n = bucketAttribute('count', d.dims);
            sums.set(n, (sums.get(n) ?? 0n) + d.count);
            if (d.amount !== 0n) {
              const a = bucketAttribute('amount', d.dims);
              sums.set(a, (sums.get(a) ?? 0n) + d.amount);
            }
          }
          counters.set(id, sums);
        }
      }
      await batchWrite(c, batch);
      done += batch.length;
      bar.tick(done);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  bar.done();
  await addCounters(c, counters);
}

async function batchWrite(c: Context, requests: WriteRequest[]) {
  let pending = requests;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
    const out = await c.raw.send(new BatchWriteItemCommand({ RequestItems: { [c.table]: pending } }));
    pending = out.UnprocessedItems?.[c.table] ?? [];
  }
}

/** The loaded records' counters, added to the live ones: an UpdateItem of ADDs per counter item. */
async function addCounters(c: Context, counters: Map<string, Map<string, bigint>>) {
  for (const [id, sums] of counters) {
    const [report, day, shard] = JSON.parse(id) as [string, string | null, number];
    const entries = [...sums].filter(([, v]) => v !== 0n);
    // An update expression is at most 4 KB: 40 attributes a request.
    for (let i = 0; i < entries.length; i += 40) {
      const chunk = entries.slice(i, i + 40);
      const names: Record<string, string> = {};
      const values: Record<string, AttributeValue> = {};
      chunk.forEach(([attr, v], j) => {
        names[`#a${j}`] = attr;
        values[`:v${j}`] = { N: v.toString() };
      });
      await c.raw.send(
        new UpdateItemCommand({
          TableName: c.table,
          Key: marshall(counterKey(report, day ?? undefined, shard)),
          UpdateExpression: `ADD ${chunk.map((_, j) => `#a${j} :v${j}`).join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    }
  }
}

// ── the snapshot, two ways ──────────────────────────────────────────────────────────────────────

/** Every report's buckets from one Scan of the whole table: what a report without counters does. */
async function scanBuckets(doc: DynamoDBDocumentClient, table: string, now: Date) {
  const buckets = new Map<string, Bucket[]>(REPORT_NAMES.map((r) => [r, []]));
  let scanned = 0;
  let capacity = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }),
    );
    scanned += out.ScannedCount ?? 0;
    capacity += out.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of (out.Items ?? []) as Item[]) {
      const collection = collectionOfItem(item);
      if (!collection || deletionOf(item)) continue;
      for (const report of reportsOf(collection)) {
        const c = report.contribute(item);
        if (c)
          buckets.get(report.name)!.push({ day: c.day, dims: c.dims, count: 1n, amount: c.amount ?? 0n });
      }
    }
    start = out.LastEvaluatedKey;
  } while (start);
  // The activity report shows its window only, as its counters are read.
  for (const name of REPORT_NAMES) {
    const days = windowOf(REPORTS[name], now);
    if (days)
      buckets.set(
        name,
        buckets.get(name)!.filter((b) => b.day! >= days.from && b.day! <= days.to),
      );
  }
  return { buckets, scanned, capacity };
}

/** One daily snapshot of ours: the six reports' counters read, then each report's snapshot made. */
async function oursOnce(c: Context, now: Date) {
  useTable(c.table);
  const read = await timed(async () => {
    for (const name of REPORT_NAMES) await c.lib.readCounters(name, windowOf(REPORTS[name], now));
  });
  const total = await timed(async () => {
    for (const name of REPORT_NAMES) await c.lib.makeSnapshot(name, now);
  });
  return { read, total };
}

/** The same snapshot from a Scan, `runs` times: timed to the Scan's end, then to the last file's. */
async function scanRuns(c: Context, runs: number) {
  useTable(c.table);
  const doc = DynamoDBDocumentClient.from(c.raw, { marshallOptions: { removeUndefinedValues: true } });
  const out = { scan: [] as number[], scanRead: [] as number[], scanned: 0, capacity: 0, sameRows: true };
  for (let r = 0; r < runs; r++) {
    const now = new Date();
    const start = performance.now();
    const { buckets, scanned, capacity } = await scanBuckets(doc, c.table, now);
    out.scanRead.push(performance.now() - start);
    const written = [];
    for (const name of REPORT_NAMES)
      written.push((await c.lib.writeSnapshot(name, buckets.get(name)!, now)).snapshot);
    out.scan.push(performance.now() - start);
    Object.assign(out, { scanned, capacity });
    // The Scan's rows must be the counters' rows: the comparison is of the same report.
    for (const snapshot of written) {
      const report = REPORTS[snapshot.name as ReportName];
      const counted = snapshotOf(report, await c.lib.readCounters(report.name, windowOf(report, now)), now);
      if (JSON.stringify(counted.rows) !== JSON.stringify(snapshot.rows)) out.sameRows = false;
    }
  }
  return out;
}

/** The counter items a snapshot of every report reads (Select COUNT of the same Queries). */
async function countCounterItems(c: Context) {
  const doc = DynamoDBDocumentClient.from(c.raw);
  let items = 0;
  let capacity = 0;
  for (const name of REPORT_NAMES) {
    const q = counterQuery(name, windowOf(REPORTS[name], new Date()));
    const out = await doc.send(
      new QueryCommand({
        TableName: c.table,
        Select: 'COUNT',
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': q.pkAttr, '#sk': q.skAttr },
        ExpressionAttributeValues: { ':pk': q.pkValue, ':from': q.skFrom, ':to': q.skTo },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    items += out.Count ?? 0;
    capacity += out.ConsumedCapacity?.CapacityUnits ?? 0;
  }
  return { items, capacity };
}

// ── printing ────────────────────────────────────────────────────────────────────────────────────

function printWrites(w: Awaited<ReturnType<typeof countWrites>>) {
  const s = w.summary;
  console.log(
    table(
      [
        'record change (through the API)',
        'changes',
        'reports touched',
        'counter items written',
        'per report touched',
      ],
      s.rows.map((r) => [
        r.change,
        String(r.changes),
        String(r.reportsTouched),
        String(r.counterWrites),
        r.reportsTouched ? (r.counterWrites / r.reportsTouched).toFixed(2) : '–',
      ]),
    ),
  );
  console.log(
    `  ${s.changes} changes touched ${s.reportsTouched} report counters: ${s.counterWrites.onStream} counter items written ` +
      `on the stream (computed ${s.counterWrites.computed}) = ${(s.counterWrites.onStream / s.reportsTouched).toFixed(2)} per report touched ` +
      `(goal ≤ ${WRITES_PER_REPORT_GOAL}), plus ${s.markers.onStream} "counted" markers (computed ${s.markers.computed}), ` +
      `in ${s.transactions} TransactWriteItems (one per change that touches a report; none for the others).`,
  );
}

function printSize(s: SizeResult) {
  console.log(
    `\n  ${count(s.records)} records (${s.itemsInTable} items in the table): loaded in ${ms(s.loadMs)}; ` +
      `a recount (reports:rebuild) took ${ms(s.recountMs)} and ${s.countersEqualRecount ? 'equals' : 'DIFFERS FROM'} the counters`,
  );
  console.log(
    table(
      ['daily snapshot, 6 reports', 'n', 'median', 'p95', 'min', 'max', 'reads'],
      [
        ['ours: counters → files', s.ours, `${s.counterItems} counter items, ${s.capacity.ours} RCU`],
        ['ours: reading the counters only', s.oursRead, ''],
        ['Scan of the table → same files', s.scan, `${s.itemsInTable} items, ${s.capacity.scan} RCU`],
        ['Scan only (and bucketing)', s.scanRead, ''],
      ].map(([label, x, reads]) => {
        const v = x as Summary;
        return [label as string, String(v.n), ms(v.median), ms(v.p95), ms(v.min), ms(v.max), reads as string];
      }),
    ),
  );
  console.log(`  same rows both ways: ${s.sameRows ? 'yes' : 'NO'}`);
}

function printReports(r: ReportsResult) {
  const [a, b] = [r.sizes[0]!, r.sizes.at(-1)!];
  console.log(
    `\n  ${count(b.records)} / ${count(a.records)}: ours ${ratio(b.ours.median, a.ours.median)} ` +
      `(${r.growth.ours <= SNAPSHOT_GROWTH_GOAL ? 'meets' : 'MISSES'} the goal ≤ ${SNAPSHOT_GROWTH_GOAL}×), ` +
      `the Scan ${ratio(b.scan.median, a.scan.median)}; at ${count(b.records)} the Scan takes ${ratio(b.scan.median, b.ours.median)} ours.`,
  );
}

/** One line for the run's summary. */
export function reportsSummaryLine(r: ReportsResult): string {
  const [a, b] = [r.sizes[0]!, r.sizes.at(-1)!];
  const w = r.writes;
  return (
    `  reports      daily snapshot ${count(a.records)} → ${count(b.records)}: ours ${ms(a.ours.median)} → ${ms(b.ours.median)} ` +
    `(${ratio(b.ours.median, a.ours.median)}, ${r.growth.ours <= SNAPSHOT_GROWTH_GOAL ? 'meets' : 'MISSES'} goal ≤ ${SNAPSHOT_GROWTH_GOAL}×), ` +
    `Scan ${ms(a.scan.median)} → ${ms(b.scan.median)} (${ratio(b.scan.median, a.scan.median)}); ` +
    `${(w.counterWrites.onStream / w.reportsTouched).toFixed(2)} counter writes per report touched ` +
    `(${w.counterWrites.onStream / w.reportsTouched <= WRITES_PER_REPORT_GOAL ? 'meets' : 'MISSES'} goal ≤ ${WRITES_PER_REPORT_GOAL})`
  );
}

/**
 * The phase's sizes and how many snapshots of ours each: BENCH_REPORTS_SIZES=1000,100000 and
 * BENCH_REPORTS_RUNS=9 by default (the Scans: 5 at the smaller sizes, 2 at the largest).
 */
export function reportsOptions(): { sizes: number[]; runs: number } {
  const sizes = (process.env.BENCH_REPORTS_SIZES ?? '1000,100000').split(',').map(Number);
  const runs = Number(process.env.BENCH_REPORTS_RUNS ?? 9);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(runs >= 1))
    throw new Error('BENCH_REPORTS_SIZES takes record counts like 1000,100000; BENCH_REPORTS_RUNS a count');
  return { sizes, runs };
}
