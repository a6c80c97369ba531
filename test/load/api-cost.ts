import type { StackInfo } from '../../infra/local/stack-info.js';
import { median } from '../bench/stats.js';
import type { BareSdk } from './bare-sdk.js';
import { runWorkload, type Seed, seedWorkload, type Tokens, unexpectedStatuses } from './workload.js';

/**
 * What the API costs over the bare SDK calls of the same workload. The API and the bare SDK run in
 * alternating windows (A B, B A, A B, …: each kind leads every other pair), so both see the same
 * minutes of a shared machine. One bare phase after the API phase gave 0.26, 0.96 and 1.57 in three
 * runs: the neighbours' load had changed between the phases, and the ratio measured the machine.
 */
export interface CostWindow {
  kind: 'api' | 'bare';
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** A kind's windows together: count over seconds; latencies as the medians of the windows' own. */
interface KindTotals {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface ApiCost {
  windows: CostWindow[];
  api: KindTotals;
  bare: KindTotals & { refused: number };
  /** API requests/s over bare calls/s, all windows together. */
  ratio: number;
  /** The same, pair by pair (an API window and the bare window next to it). */
  pairRatios: number[];
  /** The bare SDK's median latency per workload step (medians of the windows' own). */
  bareSteps: number[];
  /** Answers the workload must not produce (5xx included), from the API windows. */
  unexpected: string[];
}

export interface CostOptions {
  connections: number;
  pairs: number;
  windowSeconds: number;
  /** Qualified leads to convert per API window (each twice, as in the load run). */
  poolPerWindow: number;
}

export async function measureApiCost(
  info: StackInfo,
  tokens: Tokens,
  seed: Seed,
  bare: BareSdk,
  options: CostOptions,
): Promise<ApiCost> {
  // Leads of their own to convert: the load run's pool is converted already.
  const fresh = await seedWorkload(info, tokens, { hot: 0, pool: options.pairs * options.poolPerWindow });
  const windows: CostWindow[] = [];
  const unexpected: string[] = [];
  let refused = 0;
  const stepP50s: number[][] = [];
  const { connections, windowSeconds: seconds } = options;
  try {
    for (let pair = 0; pair < options.pairs; pair++) {
      const order = pair % 2 === 0 ? (['api', 'bare'] as const) : (['bare', 'api'] as const);
      for (const kind of order) {
        const label = `cost window ${pair + 1}/${options.pairs}: ${kind === 'api' ? 'API' : 'bare SDK'}`;
        if (kind === 'bare') {
          const r = await bare.run({ connections, seconds, label });
          refused += r.refused;
          stepP50s.push(r.stepP50);
          windows.push({
            kind,
            count: r.calls,
            seconds: r.seconds,
            perSecond: r.perSecond,
            p50: r.p50,
            p99: r.p99,
          });
          continue;
        }
        const pool = fresh.pool.slice(pair * options.poolPerWindow, (pair + 1) * options.poolPerWindow);
        const { outcomes, result } = await runWorkload(
          info,
          tokens,
          { ...seed, pool },
          { connections, seconds, label },
        );
        unexpected.push(...unexpectedStatuses(outcomes).map((u) => `window ${pair + 1}: ${u}`));
        const count = result.requests.total;
        windows.push({
          kind,
          count,
          seconds: result.duration,
          perSecond: count / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
        });
      }
    }
  } finally {
    bare.close();
  }
  const summary = summarize(windows);
  const bareSteps = (stepP50s[0] ?? []).map((_, i) => median(stepP50s.map((w) => w[i]!)));
  return { ...summary, bare: { ...summary.bare, refused }, bareSteps, unexpected };
}

function totals(windows: CostWindow[]): KindTotals {
  const count = windows.reduce((n, w) => n + w.count, 0);
  return {
    count,
    perSecond: count / windows.reduce((t, w) => t + w.seconds, 0),
    // A window's latencies are not kept past it: the medians of the windows' own percentiles.
    p50: median(windows.map((w) => w.p50)),
    p99: median(windows.map((w) => w.p99)),
  };
}

function summarize(windows: CostWindow[]) {
  const api = windows.filter((w) => w.kind === 'api');
  const bare = windows.filter((w) => w.kind === 'bare');
  return {
    windows,
    api: totals(api),
    bare: totals(bare),
    ratio: totals(api).perSecond / totals(bare).perSecond,
    pairRatios: api.map((w, i) => w.perSecond / bare[i]!.perSecond),
  };
}
