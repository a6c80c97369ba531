import { heading, ms, table } from '../bench/stats.js';
import { type ApiCost, measureApiCost } from './api-cost.js';
import { prepareBareSdk } from './bare-sdk.js';
import {
  type ConversionCheck,
  checkConversions,
  checkDeliveries,
  checkVersions,
  type DeliveryCheck,
  scanRecords,
  type VersionCheck,
  violations,
  waitForEveryEvent,
} from './checks.js';
import type { OwnStack } from './own-stack.js';
import {
  EXPECTED,
  type Outcomes,
  runWorkload,
  seedWorkload,
  signInAll,
  statusTotals,
  unexpectedStatuses,
} from './workload.js';

/**
 * The load run: the mixed workload (workload.ts) for a bounded time against a stack of its own, the
 * invariants checked on the engines afterwards (checks.ts), then what the API costs: API windows
 * alternating with the bare SDK calls' (api-cost.ts) at the same concurrency on the same DynamoDB Local.
 */
export interface LoadOptions {
  seconds: number;
  connections: number;
  /** Hot accounts and leads that the connections share (fewer: more races). */
  hot: number;
  /** Qualified leads to convert (each twice). */
  pool: number;
  /** How long to wait for the stream to deliver every change afterwards. */
  eventPatienceMs: number;
  /** The cost phase: this many pairs of an API window and a bare SDK window. */
  costPairs: number;
  costWindowSeconds: number;
}

export interface LoadReport {
  options: LoadOptions;
  requests: number;
  perSecond: number;
  latency: { p50: number; p99: number; max: number };
  statuses: Record<number, number>;
  unexpected: string[];
  timeouts: number;
  socketErrors: number;
  outcomes: Outcomes;
  versions: VersionCheck;
  conversions: ConversionCheck;
  deliveries: DeliveryCheck;
  cost: ApiCost;
  problems: string[];
}

export async function runLoad(own: OwnStack, options: LoadOptions): Promise<LoadReport> {
  const { info } = own.stack;
  const tokens = await signInAll(info);
  const seed = await seedWorkload(info, tokens, { hot: options.hot, pool: options.pool });
  // Its table is made before the load: DynamoDB Local made the same table after 60 s of load about
  // five times slower to write (bare SDK 47 calls/s, API 100 req/s), before it 233 calls/s.
  const bare = await prepareBareSdk(info, seed);
  const { outcomes, result } = await runWorkload(info, tokens, seed, {
    connections: options.connections,
    seconds: options.seconds,
    label: `seconds of load (${options.connections} connections)`,
  });
  const records = await scanRecords(info);
  const versions = checkVersions(outcomes, seed, records);
  const conversions = checkConversions(outcomes, seed, records);
  const settled = await waitForEveryEvent(info, () => own.bus().settle(), options.eventPatienceMs);
  const deliveries = await checkDeliveries(info, settled);
  // After the checks, so that its writes are in none of them (the bare SDK has a table of its own).
  // The stream's consumers stop first: in AWS they run on Lambdas of their own, not on the API's
  // cores; here they would share the two cores with whichever window comes next.
  await own.stack.streams.stop();
  const cost = await measureApiCost(info, tokens, seed, bare, {
    connections: options.connections,
    pairs: options.costPairs,
    windowSeconds: options.costWindowSeconds,
    poolPerWindow: Math.ceil(options.pool / options.seconds) * options.costWindowSeconds,
  });
  const unexpected = [...unexpectedStatuses(outcomes), ...cost.unexpected.map((u) => `cost ${u}`)];
  const problems = [
    ...unexpected.map((u) => `unexpected answers: ${u}`),
    ...(result.timeouts ? [`${result.timeouts} requests timed out`] : []),
    ...(result.errors - result.timeouts ? [`${result.errors - result.timeouts} socket errors`] : []),
    ...violations({ versions, conversions, deliveries }),
    ...Object.entries(deliveries.deadLettered)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} dead-lettered ${n} batches`),
  ];
  return {
    options,
    requests: result.requests.total,
    perSecond: result.requests.total / result.duration,
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    statuses: statusTotals(outcomes),
    unexpected,
    timeouts: result.timeouts,
    socketErrors: result.errors - result.timeouts,
    outcomes,
    versions,
    conversions,
    deliveries,
    cost,
    problems,
  };
}

export function printLoad(r: LoadReport): void {
  heading(`Load: ${r.options.seconds} s, ${r.options.connections} connections, mixed workload`);
  console.log(
    table(
      ['', 'requests', 'req/s', 'p50', 'p99', 'max'],
      [
        [
          'API (autocannon)',
          String(r.requests),
          r.perSecond.toFixed(1),
          ms(r.latency.p50),
          ms(r.latency.p99),
          ms(r.latency.max),
        ],
      ],
    ),
  );
  printCost(r.cost);
  console.log(
    `  answers by status: ${Object.entries(r.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')}; timeouts ${r.timeouts}; socket errors ${r.socketErrors}`,
  );
  const codes = [...new Set(Object.values(r.outcomes.statuses).flatMap((c) => Object.keys(c)))].sort();
  console.log(
    table(
      ['step', ...codes],
      Object.entries(r.outcomes.statuses).map(([step, counts]) => [
        step,
        ...codes.map((s) => String(counts[Number(s)] ?? 0)),
      ]),
    ),
  );
  for (const [detail, n] of r.outcomes.conflicts) console.log(`  409 ×${n}  ${detail}`);
  console.log(
    `  versions: ${r.versions.checked} records checked, ${r.versions.lost.length} lost updates, ${r.versions.phantom.length} phantom writes`,
  );
  console.log(
    `  conversions: ${r.conversions.converted} leads converted, ${r.outcomes.conversions.length} answered 201, ` +
      `${r.conversions.halfDone.length} half-done, ${r.conversions.inconsistent.length} inconsistent`,
  );
  console.log(
    `  events: ${r.deliveries.events} logged, ${r.deliveries.duplicated.length} duplicated, ${r.deliveries.missing.length} changes missing one; ` +
      `${r.deliveries.ruleDeliveries} rule deliveries, ${r.deliveries.ruleMismatches.length} wrong; dead letters ${JSON.stringify(r.deliveries.deadLettered)}`,
  );
  console.log(r.problems.length ? `  PROBLEMS:\n    ${r.problems.join('\n    ')}` : '  every check holds');
}

function printCost(c: ApiCost): void {
  console.log('  What the API costs: API and bare SDK windows alternating (A B, B A, …), same connections');
  console.log(
    table(
      ['', 'windows', 'count', 'per s', 'p50 (median)', 'p99 (median)'],
      (['api', 'bare'] as const).map((kind) => {
        const t = c[kind];
        const n = c.windows.filter((w) => w.kind === kind).length;
        return [
          kind === 'api' ? 'API requests' : 'bare SDK calls',
          String(n),
          String(t.count),
          t.perSecond.toFixed(1),
          ms(t.p50),
          ms(t.p99),
        ];
      }),
    ),
  );
  const pairs = c.pairRatios.map((x) => x.toFixed(2)).join(', ');
  console.log(
    `  API / bare SDK throughput: ${c.ratio.toFixed(2)} (pair by pair: ${pairs}); bare refused ${c.bare.refused} stale writes`,
  );
  const steps = Object.keys(EXPECTED).map((step, i) => `${step} ${ms(c.bareSteps[i] ?? 0)}`);
  console.log(`  bare SDK p50 by step: ${steps.join(', ')}`);
}
