import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { apiClient, tokenFor } from '../../infra/local/api-client.js';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { lambdaContext } from '../../infra/local/lambda-runtime.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { RESOURCE_NAMES } from '../../shared/config/resources.js';
import { recordItem } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import type { ImportView } from '../../shared/domain/use-cases/imports.js';
import { startCountingProxy } from '../support/counting-proxy.js';
import type { LatencyContext } from './latency.js';
import { PROJECT_ROOT, track } from './processes.js';
import { heading, ms, progressBar, ratio, table } from './stats.js';

/**
 * Import (issue 11 "Performance"): a CSV of 50,000 contacts (~10 MB) imported by the real job handler
 * (functions/jobs/run-job.ts) against DynamoDB Local: rows per second, DynamoDB calls per row (counted on
 * the wire by the counting proxy), and the job's peak RSS, beside a bare BatchWriteItem loop writing as
 * many items in the same run. The file is made and uploaded through the API (the presigned PUT); the job
 * runs in a child process of its own, so that its RSS is the job's (plus Node and the proxy), started
 * as Lambda would start it. The stack's stream consumers are stopped first: the figures are the job's.
 */
export const IMPORT_ROWS = 50_000;
/** The goal for the job's peak RSS: streamed, not loaded. */
export const RSS_GOAL_MB = 256;

export interface ImportBenchResult {
  rows: number;
  fileBytes: number;
  status: string;
  counts: ImportView['counts'];
  jobMs: number;
  rowsPerSecond: number;
  calls: Record<string, number>;
  callsPerRow: number;
  rssBeforeMb: number;
  peakRssMb: number;
  baseline: { items: number; ms: number; itemsPerSecond: number; calls: number };
}

const STACK_ENV = 'CONCORD_BENCH_IMPORT';
const RESULT_PREFIX = 'IMPORT_BENCH ';
const TITLE = 'Head of procurement for the northern region in charge of suppliers and contracts and renewals';

/** One contact row of the file, ~200 bytes. */
const rowOf = (i: number, tag: string) =>
  [
    `Benchmark-${i}`,
    `Importer-north-${i % 997}`,
    `bench.contact.${i}.${tag}@import-bench.example`,
    `+1 555 ${String(i).padStart(7, '0')}`,
    `${TITLE} #${i}`.slice(0, 100),
    i % 2 ? 'true' : 'false',
  ].join(',');

/** In the parent: the file, its upload, then the child that runs the job and the baseline. */
export async function benchImport(
  ctx: LatencyContext,
  workDir: string,
  rows = IMPORT_ROWS,
): Promise<ImportBenchResult> {
  heading(`Import: ${rows.toLocaleString('en')} rows by the job handler vs a bare BatchWriteItem loop`);
  const { info } = ctx.stack;
  await ctx.stack.streams.stop();
  const tag = randomBytes(3).toString('hex');
  const file = join(workDir, 'import-bench.csv');
  const lines = ['firstName,lastName,email,phone,title,marketingOptIn'];
  for (let i = 1; i <= rows; i++) lines.push(rowOf(i, tag));
  await writeFile(file, `${lines.join('\n')}\n`);
  const fileBytes = (await stat(file)).size;
  console.log(`  file: ${(fileBytes / 1024 / 1024).toFixed(2)} MB, ${rows} rows`);
  const sally = apiClient(info.apiUrl, await tokenFor(info, 'sally'));
  const made = await sally.post<ImportView>('/v1/imports', { collection: 'contacts', mode: 'create' });
  if (made.status !== 201) throw new Error(`POST /v1/imports: ${made.status}`);
  const put = await fetch(made.body.uploadUrl!, { method: 'PUT', body: await readFile(file) });
  if (put.status !== 200) throw new Error(`upload: ${put.status}`);
  const result = await runChild({ info, importId: made.body.id, rows, tag });
  return { ...result, fileBytes };
}

function runChild(input: { info: StackInfo; importId: string; rows: number; tag: string }) {
  return new Promise<Omit<ImportBenchResult, 'fileBytes'>>((done, fail) => {
    // `--import tsx`: one process, whose RSS is the job's. Its progress bars go to our stderr.
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, [STACK_ENV]: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    track(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) return fail(new Error(`the import child ended ${code}:\n${out}`));
      done(JSON.parse(line.slice(RESULT_PREFIX.length)));
    });
  });
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/** In the child: the job through the counting proxy, then the baseline through the same proxy. */
async function inChild(input: { info: StackInfo; importId: string; rows: number; tag: string }) {
  const { info, importId, rows } = input;
  const proxy = await startCountingProxy(info.dynamodbEndpoint);
  Object.assign(
    process.env,
    handlerEnv({
      dynamodb: proxy.url,
      cognito: info.auth.cognitoEndpoint,
      userPoolId: info.auth.userPoolId,
      s3: info.s3Endpoint,
      cursorSecret: randomBytes(32).toString('base64url'),
    }),
  );
  // After the environment: the handler reads it as it loads, as in a Lambda container.
  const { handler } = await import('../../functions/jobs/run-job.js');
  const { getJob, updateJob } = await import('../../shared/db/jobs-repo.js');
  await updateJob('import', importId, { status: 'queued' });
  const rssBeforeMb = mb(process.resourceUsage().maxRSS);
  proxy.reset();

  const bar = progressBar('rows imported', rows);
  let polling = true;
  let peakRssKb = 0;
  let polls = 0;
  const poll = (async () => {
    while (polling) {
      polls++;
      peakRssKb = Math.max(peakRssKb, process.memoryUsage.rss() / 1024);
      // The job's own item, read through the proxy too: its calls are taken out below.
      const job = (await getJob('import', importId)) as { counts?: { rows: number } } | undefined;
      bar.tick(job?.counts?.rows ?? 0);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const started = performance.now();
  const out = (await handler({ importId }, lambdaContext('run-job', 15 * 60_000))) as {
    counts: ImportView['counts'];
  };
  const jobMs = performance.now() - started;
  polling = false;
  await poll;
  bar.tick(rows);
  bar.done();
  const peakRssMb = mb(Math.max(peakRssKb, process.resourceUsage().maxRSS));
  const calls: Record<string, number> = {};
  for (const op of proxy.calls()) calls[op] = (calls[op] ?? 0) + 1;
  // Take the progress polls out (GetItem, one a second): they are the bench's, not the job's.
  calls.GetItem = Math.max(0, (calls.GetItem ?? 0) - polls);
  const final = (await getJob('import', importId)) as { status?: string; error?: string | null } | undefined;
  const status = String(final?.status) + (final?.error ? ` (${final.error})` : '');
  const jobCalls = Object.values(calls).reduce((a, b) => a + b, 0);

  // The baseline: the same number of contact items, 25 a BatchWriteItem, one call after the other.
  const db = new DynamoDBClient({ endpoint: proxy.url });
  const base = progressBar('items written (baseline)', rows);
  proxy.reset();
  const now = new Date().toISOString();
  const baseStarted = performance.now();
  for (let i = 0; i < rows; i += 25) {
    let pending: WriteRequest[] = [];
    for (let j = i; j < Math.min(rows, i + 25); j++) {
      const [firstName, lastName, email, phone, title] = rowOf(j + 1, `${input.tag}b`).split(',');
      const item = recordItem('contacts', {
        id: newId(),
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: 'bench',
        updatedBy: 'bench',
        ownerId: 'bench',
        ownerDept: 'sales',
        firstName,
        lastName,
        email,
        phone,
        title,
        marketingOptIn: j % 2 === 0,
      });
      pending.push({ PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } });
    }
    while (pending.length) {
      const res = await db.send(
        new BatchWriteItemCommand({ RequestItems: { [RESOURCE_NAMES.table]: pending } }),
      );
      pending = res.UnprocessedItems?.[RESOURCE_NAMES.table] ?? [];
    }
    base.tick(Math.min(rows, i + 25));
  }
  const baseMs = performance.now() - baseStarted;
  base.done();
  const baseCalls = proxy.calls().length;
  await proxy.stop();
  return {
    rows,
    status,
    counts: out.counts,
    jobMs,
    rowsPerSecond: Math.round((out.counts.rows / jobMs) * 1000),
    calls,
    callsPerRow: Math.round((jobCalls / Math.max(1, out.counts.rows)) * 100) / 100,
    rssBeforeMb,
    peakRssMb,
    baseline: {
      items: rows,
      ms: baseMs,
      itemsPerSecond: Math.round((rows / baseMs) * 1000),
      calls: baseCalls,
    },
  };
}

export function printImport(r: ImportBenchResult) {
  console.log(
    table(
      ['', 'rows/items', 'time', 'per second', 'DynamoDB calls', 'calls per row'],
      [
        [
          'import job (run-job handler)',
          String(r.counts.rows),
          ms(r.jobMs),
          String(r.rowsPerSecond),
          Object.entries(r.calls)
            .filter(([, n]) => n)
            .map(([op, n]) => `${op} ${n}`)
            .join(', '),
          String(r.callsPerRow),
        ],
        [
          'bare BatchWriteItem loop',
          String(r.baseline.items),
          ms(r.baseline.ms),
          String(r.baseline.itemsPerSecond),
          `BatchWriteItem ${r.baseline.calls}`,
          String(Math.round((r.baseline.calls / r.baseline.items) * 100) / 100),
        ],
      ],
    ),
  );
  console.log(
    `  status ${r.status}; created ${r.counts.created}, failed ${r.counts.failed}; job / baseline ${ratio(r.jobMs, r.baseline.ms)}`,
  );
  console.log(
    `  peak RSS of the job's process ${r.peakRssMb} MB (before the job ${r.rssBeforeMb} MB): ` +
      `${r.peakRssMb <= RSS_GOAL_MB ? 'meets' : 'MISSES'} the goal ≤ ${RSS_GOAL_MB} MB`,
  );
}

export const importSummaryLine = (r: ImportBenchResult) =>
  `  import       ${r.counts.rows} rows in ${ms(r.jobMs)} (${r.rowsPerSecond} rows/s, ${r.callsPerRow} DynamoDB calls/row, ` +
  `peak RSS ${r.peakRssMb} MB) vs bare BatchWriteItem ${ms(r.baseline.ms)}: ${ratio(r.jobMs, r.baseline.ms)}`;

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const raw = process.env[STACK_ENV];
  if (!raw) {
    console.error(`${STACK_ENV} is not set: this file is run by test/bench/run.ts`);
    process.exit(2);
  }
  inChild(JSON.parse(raw)).then(
    (result) => {
      console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error((error as Error).stack ?? String(error));
      process.exit(1);
    },
  );
}
