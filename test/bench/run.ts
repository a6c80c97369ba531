import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runningChildren, stopAll } from '../../infra/local/engines/processes.js';
import { type BundlesResult, benchBundles, GOAL_EXTRA_BYTES, GOAL_EXTRA_MS } from './bundles.js';
import { benchChannels, CHANNEL_EVENTS, type ChannelsResult } from './channels.js';
import {
  benchCollaboration,
  type CollaborationResult,
  LAG_GOAL_P99_MS,
  PUT_EVENTS_PER_1000_GOAL,
} from './collaboration.js';
import {
  benchImport,
  IMPORT_ROWS,
  type ImportBenchResult,
  importSummaryLine,
  printImport,
} from './imports.js';
import { benchLatency, GOAL_RATIO, type LatencyResult, startBenchStack } from './latency.js';
import { benchListLatency } from './list-latency.js';
import { benchPartitions } from './partitions.js';
import { stopOwnChildren } from './processes.js';
import { benchReports, reportsOptions, reportsSummaryLine } from './reports.js';
import { benchRoundTrips, type RouteTrips } from './round-trips.js';
import { benchStartup, type StartupResult } from './startup.js';
import { heading, kb, ms, ratio, signedKb, signedMs } from './stats.js';

/**
 * `npm run bench`: startup, framework overhead, bundle size and load time, round trips per route.
 * Prints figures and ratios against baselines measured in the same run; never fails on speed.
 * Everything it starts it stops: the in-process engines with stopAll(), `npm start` runs with SIGINT.
 */

const began = performance.now();
let stackToStop: (() => Promise<void>) | undefined;
let workDir: string | undefined;

async function cleanUp() {
  await stopOwnChildren();
  await stackToStop?.().catch(() => undefined);
  stackToStop = undefined;
  await stopAll();
  // A stack interrupted while starting may spawn an engine after that stopAll (e.g. once the jar check
  // ends): a moment later, stop whatever registered since, then remove the folders.
  await sleep(500);
  await stopAll();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}

/** One clean-up, whoever asks first (a signal, or main ending because the signal stopped its engines). */
let cleaning: Promise<void> | undefined;
let aborted = false;
const cleanUpOnce = () => {
  cleaning ??= cleanUp().catch((error: unknown) => console.error(`clean-up: ${(error as Error).message}`));
  return cleaning;
};

// Output piped into a reader that quits (`| head`): stop cleanly instead of dying on EPIPE mid-run.
process.stdout.on('error', () => {
  if (aborted) return;
  aborted = true;
  void cleanUpOnce().finally(() => process.exit(130));
});

// `on`, not `once`: the engines' module leaves a signal alone only while another listener owns it.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (aborted) return;
    aborted = true;
    console.log(`\n${sig}: cleaning up…`);
    void cleanUpOnce().finally(() => process.exit(130));
  });
}

type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/** The phases that run alone on a stack of their own (BENCH_ONLY=<name>; <name> is their key in BENCH_RESULTS). */
const ONE_STACK_PHASES: Record<string, (stack: BenchStack) => Promise<unknown>> = {
  // commit → inbox and → feed lags, PutEvents per burst
  collaboration: (stack) => benchCollaboration(stack, 500, 1000),
  channels: async (stack) => {
    const channels = await benchChannels(stack, CHANNEL_EVENTS);
    heading('Summary');
    channelsSummary(channels);
    return channels;
  },
  // framework overhead: handler and gateway vs the bare SDK call
  latency: (stack) => benchLatency(stack, Number(process.env.BENCH_LATENCY_CALLS ?? 300)),
};

async function main() {
  console.log('Concord CRM benchmarks');
  console.log(
    `  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'})  ${process.platform}/${process.arch}`,
  );
  console.log(`  load average before: ${loadAverage()} (other work on the machine skews every figure)`);
  workDir = await mkdtemp(join(tmpdir(), 'concord-bench-'));
  // BENCH_ONLY=reports: the reports phase alone, on its own stack (most of its time goes to loading 100k records).
  if (process.env.BENCH_ONLY === 'reports') {
    const reports = await benchReports(workDir, reportsOptions());
    heading('Summary');
    console.log(reportsSummaryLine(reports));
    if (process.env.BENCH_RESULTS)
      await writeFile(process.env.BENCH_RESULTS, `${JSON.stringify({ reports }, null, 2)}\n`);
    return;
  }
  // BENCH_ONLY=bundles: bundle sizes and load times alone (no stack: nothing else of ours on the cores).
  if (process.env.BENCH_ONLY === 'bundles') {
    const bundles = await benchBundles(workDir, Number(process.env.BENCH_BUNDLE_RUNS ?? 20));
    console.log(`  load average after: ${loadAverage()}`);
    if (process.env.BENCH_RESULTS)
      await writeFile(process.env.BENCH_RESULTS, `${JSON.stringify({ bundles }, null, 2)}\n`);
    return;
  }
  // BENCH_ONLY=partitions: writes per partition key of every index under a 100k-record bulk write (keys
  // only), then a list page's latency sharded vs one partition on a DynamoDB Local of its own.
  if (process.env.BENCH_ONLY === 'partitions') {
    const partitions = benchPartitions(100_000);
    const listLatency = await benchListLatency(workDir);
    if (process.env.BENCH_RESULTS)
      await writeFile(process.env.BENCH_RESULTS, `${JSON.stringify({ partitions, listLatency }, null, 2)}\n`);
    return;
  }
  // BENCH_ONLY=collaboration | channels | latency: that phase alone, on its own in-process stack.
  const aloneName = process.env.BENCH_ONLY ?? '';
  const alone = Object.hasOwn(ONE_STACK_PHASES, aloneName) ? ONE_STACK_PHASES[aloneName] : undefined;
  if (alone) {
    const only = await startBenchStack(workDir);
    stackToStop = only.stop;
    try {
      const result = await alone(only);
      if (process.env.BENCH_RESULTS)
        await writeFile(process.env.BENCH_RESULTS, `${JSON.stringify({ [aloneName]: result }, null, 2)}\n`);
    } finally {
      await only.stop();
      stackToStop = undefined;
    }
    return;
  }
  // BENCH_ONLY=import: the import phase alone (50,000 rows by the job handler vs bare BatchWriteItem).
  if (process.env.BENCH_ONLY === 'import') {
    const imported = await importPhase(workDir);
    heading('Summary');
    console.log(importSummaryLine(imported));
    if (process.env.BENCH_RESULTS)
      await writeFile(process.env.BENCH_RESULTS, `${JSON.stringify({ import: imported }, null, 2)}\n`);
    return;
  }

  const startup: StartupResult = await benchStartup(workDir, 3);

  // Latency, then round trips against the same in-process stack (the round trips need one running).
  const ctx = await startBenchStack(workDir);
  stackToStop = ctx.stop;
  let latency: LatencyResult;
  let trips: RouteTrips[];
  let collaboration: CollaborationResult;
  let channels: ChannelsResult;
  try {
    latency = await benchLatency(ctx, 300);
    trips = await benchRoundTrips(ctx.stack.info);
    collaboration = await benchCollaboration(ctx, 500, 1000);
    channels = await benchChannels(ctx, CHANNEL_EVENTS);
  } finally {
    await ctx.stop();
    stackToStop = undefined;
    await stopAll();
  }
  const leftover = runningChildren();
  if (leftover.length)
    console.log(`  LEAK: engines still registered: ${leftover.map((c) => c.name).join(', ')}`);

  // Reports on a stack of their own: they stop its stream consumers and load 100k records into it.
  const reports = await benchReports(workDir, reportsOptions());

  // The import on a stack of its own too: it stops its stream consumers and writes 100,000 items.
  const imported = await importPhase(workDir);

  // Bundles last, with no stack running: the load timings share the 2 cores with nothing else of ours.
  const bundles: BundlesResult = await benchBundles(workDir, 20);

  summary(startup, latency, trips, bundles, collaboration);
  channelsSummary(channels);
  console.log(reportsSummaryLine(reports));
  console.log(importSummaryLine(imported));
  // BENCH_RESULTS=<file> keeps every raw figure as JSON (used to write docs/benchmarks.md).
  const results = process.env.BENCH_RESULTS;
  if (results) {
    await writeFile(
      results,
      `${JSON.stringify({ startup, latency, trips, bundles, collaboration, channels, reports, import: imported }, null, 2)}\n`,
    );
    console.log(`\n  raw figures: ${results}`);
  }
  console.log(`  total bench time ${ms(performance.now() - began)}; load average after: ${loadAverage()}`);
}

/** The import phase on its own in-process stack, stopped afterwards. */
async function importPhase(dir: string): Promise<ImportBenchResult> {
  const only = await startBenchStack(dir);
  stackToStop = only.stop;
  try {
    // BENCH_IMPORT_ROWS: a smaller file for a quick try (the recorded figures use the default).
    const rows = Number(process.env.BENCH_IMPORT_ROWS ?? IMPORT_ROWS);
    const result = await benchImport(only, dir, rows);
    printImport(result);
    return result;
  } finally {
    await only.stop();
    stackToStop = undefined;
  }
}

const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

function summary(
  startup: StartupResult,
  latency: LatencyResult,
  trips: RouteTrips[],
  bundles: BundlesResult,
  collaboration: CollaborationResult,
) {
  heading('Summary');
  const s = latency.stats;
  const goal = (ok: boolean) => (ok ? 'meets goal' : 'MISSES goal');
  console.log(
    `  startup      fresh ${ms(startup.fresh.median)} (median of ${startup.fresh.n}), restart ${ms(startup.restart.median)}; ` +
      `${startup.leaks.length ? `LEAKS: ${startup.leaks.length}` : 'no leaked process'}`,
  );
  console.log(
    `  GET          gateway ${ms(s['gateway GET'].median)} / bare ${ms(s['bare GetItem'].median)} = ` +
      `${ratio(s['gateway GET'].median, s['bare GetItem'].median)} (informative: the local HTTP hop and JWT check); ` +
      `handler only ${ratio(s['handler GET'].median, s['bare GetItem'].median)} ` +
      `(${goal(s['handler GET'].median / s['bare GetItem'].median <= GOAL_RATIO)} ≤ ${GOAL_RATIO}×)`,
  );
  console.log(
    `  PATCH        gateway ${ms(s['gateway PATCH'].median)} / bare ${ms(s['bare UpdateItem'].median)} = ` +
      `${ratio(s['gateway PATCH'].median, s['bare UpdateItem'].median)} (informative); ` +
      `handler only ${ratio(s['handler PATCH'].median, s['bare UpdateItem'].median)} ` +
      `(${goal(s['handler PATCH'].median / s['bare UpdateItem'].median <= GOAL_RATIO)} ≤ ${GOAL_RATIO}×)`,
  );
  console.log(`  JWT verify   ${ms(s['JWT verify'].median)} median (API Gateway's job in AWS)`);
  const over = bundles.rows.filter((r) => r !== bundles.floor && !(r.withinSize && r.withinLoad));
  const largest = bundles.rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  console.log(
    `  bundles      floor ${kb(bundles.floor.bytes)} / ${ms(bundles.floor.load.median)} load; largest ${largest.name} ` +
      `${kb(largest.bytes)} (${signedKb(largest.extraBytes)}, ${signedMs(largest.extraMs)}); ` +
      `${over.length ? `${over.length} of ${bundles.rows.length - 1} MISS the goal (≤ +${GOAL_EXTRA_BYTES / 1024} KB, ≤ +${GOAL_EXTRA_MS} ms)` : 'all within the goal'}`,
  );
  if (over.length) {
    const top = new Map<string, number>();
    for (const r of over) {
      const p = r.topPackagesOverFloor[0];
      if (p) top.set(p.name, Math.max(top.get(p.name) ?? 0, p.bytes));
    }
    console.log(
      `               biggest addition: ${[...top].map(([name, bytes]) => `${name} ${signedKb(bytes)}`).join(', ')}`,
    );
  }
  console.log(
    `  round trips  ${trips.map((t) => `${t.route.split(' (')[0]}: ${t.calls.length}`).join('; ')}`,
  );
  const c = collaboration;
  console.log(
    `  lag          commit → inbox p50 ${ms(c.inbox.median)} p99 ${ms(c.inbox.p99)}; → feed p50 ${ms(c.feed.median)} ` +
      `p99 ${ms(c.feed.p99)} (${goal(Math.max(c.inbox.p99, c.feed.p99) <= LAG_GOAL_P99_MS)} p99 ≤ ${LAG_GOAL_P99_MS} ms)`,
  );
  console.log(
    `  PutEvents    ${c.putEvents.calls} calls for ${c.putEvents.changes} changes ` +
      `(${goal(c.putEvents.calls <= (PUT_EVENTS_PER_1000_GOAL * c.putEvents.changes) / 1000)})`,
  );
}

function channelsSummary(c: ChannelsResult) {
  console.log(
    `  channels     commit → receiver p50 ${ms(c.lag.all.median)} p99 ${ms(c.lag.all.p99)} over ${c.events} events; ` +
      `${c.sends} sends counted at the receivers (${c.channelsConfigured} channels configured per event: ` +
      `${c.sendsPerEvent[String(c.channelsConfigured)] === c.events ? 'each event exactly once per channel' : `MISMATCH ${JSON.stringify(c.sendsPerEvent)}`})`,
  );
}

main()
  .catch((error: unknown) => {
    // Once aborted, main fails because its engines were stopped under it: that is no news.
    if (!aborted) console.error(`\nbenchmark failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUpOnce();
    // Open keep-alive sockets or JWKS timers must not keep the process up once the figures are out.
    process.exit(aborted ? 130 : (process.exitCode ?? 0));
  });
