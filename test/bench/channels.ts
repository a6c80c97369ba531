import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { stopAll } from '../../infra/local/engines/processes.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { CHANNEL_KINDS, type ChannelKind, PACING } from '../../shared/config/channels.js';
import type { Department } from '../../shared/config/departments.js';
import type { LatencyContext } from './latency.js';
import { heading, ms, percentile, progressBar, type Summary, summarize, table } from './stats.js';

/**
 * Channels on the local stack: how long after a commit its message reaches each channel (p50/p99), and
 * how many messages each event makes, counted where they land (the Slack and WeChat Work receivers'
 * files, the local SES's store): one per channel configured, never a duplicate. Each department's
 * channels get their own kind of event (sales: opportunity.created, marketing: lead.created, support:
 * case.created), committed at the slowest receiver's pace (WeChat Work's 20 a minute), so the lag is
 * the pipeline's and not a queue behind pacing (pacing is tested with a fake clock, test/unit/channels).
 * A webhook's time is when its receiver took the request; an email's is when SES accepted it (the
 * delivery record's time, written as SES answers: its store keeps whole seconds only).
 *
 * Alone: `npx tsx test/bench/channels.ts` or `BENCH_ONLY=channels npm run bench` (BENCH_CHANNEL_EVENTS=<n>,
 * 200 unless set).
 */

export const CHANNEL_EVENTS = Number(process.env.BENCH_CHANNEL_EVENTS ?? 200);
const PATIENCE_MS = 90_000;
/** Per department, one event per this: the slowest rate any channel is paced to, and a margin. */
const INTERVAL_MS = Math.ceil(Math.max(...Object.values(PACING).map((r) => r.windowMs / r.count)) * 1.05);

export type Lag = Summary & { p99: number };
const lagOf = (samples: number[]): Lag => ({ ...summarize(samples), p99: percentile(samples, 99) });

export interface ChannelsResult {
  events: number;
  intervalMs: number;
  lag: Record<ChannelKind | 'all', Lag>;
  /** Messages counted at the receivers, per event: how many events had each count. */
  sendsPerEvent: Record<string, number>;
  channelsConfigured: number;
  sends: number;
  /** Answers other than success at the receivers (a rate limit hit, say). */
  refused: number;
  missing: number;
}

type Source = { department: Department; as: string; path: string; body: (i: number) => object };

interface Received {
  receivedAt: string;
  path: string;
  payload: unknown;
  answer: { status: number; body: unknown };
}
type Delivery = { eventId: string; channel: ChannelKind; status: string; at: string };
type StoredEmail = { destination: { to: string[] }; subject: string };

async function ok<T>(what: string, reply: Promise<{ status: number; body: T }>): Promise<T> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const lines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

async function allDeliveries(admin: ApiClient, department: Department): Promise<Delivery[]> {
  const out: Delivery[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Delivery[]; nextCursor: string | null } = await ok(
      'deliveries',
      admin.get(
        `/v1/admin/channels/${department}/deliveries?status=sent&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export async function benchChannels(ctx: LatencyContext, events = CHANNEL_EVENTS): Promise<ChannelsResult> {
  heading(`6. Channels: commit → Slack, WeChat Work and email (${events} events), sends per event`);
  const info: StackInfo = ctx.stack.info;
  const clients = Object.fromEntries(
    await Promise.all(
      ['ada', 'sally', 'mark', 'sue'].map(async (u) => [u, apiClient(info.apiUrl, await tokenFor(info, u))]),
    ),
  ) as Record<string, ApiClient>;
  const run = randomBytes(4).toString('hex');
  const hooks = (d: Department) => ({
    slack: `${info.receivers.slack}/services/bench/${d}/${run}`,
    wecom: `${info.receivers.wecom}/cgi-bin/webhook/send?key=bench-${d}-${run}`,
    email: `bench-${d}-${run}@bench.concord.local`,
  });
  const account = await ok<{ id: string }>(
    'account',
    clients.sally!.post('/v1/accounts', { name: `Channels bench ${run}` }),
  );
  const sources: Source[] = [
    {
      department: 'sales',
      as: 'sally',
      path: '/v1/opportunities',
      body: (i) => ({
        accountId: account.id,
        name: `Bench deal ${i}`,
        amount: '1000.00',
        currency: 'EUR',
        stage: 'prospecting',
      }),
    },
    {
      department: 'marketing',
      as: 'mark',
      path: '/v1/leads',
      body: (i) => ({ name: `Bench lead ${i}`, email: `lead${i}-${run}@bench.example`, status: 'new' }),
    },
    {
      department: 'support',
      as: 'sue',
      path: '/v1/cases',
      body: (i) => ({ accountId: account.id, subject: `Bench case ${i}`, priority: 'normal' }),
    },
  ];
  const detailType = { sales: 'opportunity.created', marketing: 'lead.created', support: 'case.created' };
  for (const { department } of sources) {
    const h = hooks(department);
    await ok(
      'settings',
      clients.ada!.put(`/v1/admin/channels/${department}`, {
        slack: { webhookUrl: h.slack },
        wecom: { webhookUrl: h.wecom },
        email: { to: [h.email] },
        events: [detailType[department]],
      }),
    );
  }

  // Commit: the departments side by side, each at its pace, staggered so the commits interleave.
  const committed = new Map<string, { at: number; department: Department }>();
  const bar = progressBar('events committed', events);
  const began = Date.now();
  await Promise.all(
    sources.map(async (source, s) => {
      const mine = Math.floor(events / sources.length) + (s < events % sources.length ? 1 : 0);
      for (let i = 0; i < mine; i++) {
        const due = began + (s * INTERVAL_MS) / sources.length + i * INTERVAL_MS;
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        const rec = await ok<{ id: string }>('create', clients[source.as]!.post(source.path, source.body(i)));
        committed.set(rec.id, { at: Date.now(), department: source.department });
        bar.tick(committed.size);
      }
    }),
  );
  bar.done();

  // Wait for every channel of every event to be sent (or the patience to run out), then count.
  const channelsDir = join(dirname(info.eventsLog), 'channels');
  const deadline = Date.now() + PATIENCE_MS;
  let deliveries: Delivery[] = [];
  while (Date.now() < deadline) {
    deliveries = (await Promise.all(sources.map((s) => allDeliveries(clients.ada!, s.department)))).flat();
    if (deliveries.length >= events * CHANNEL_KINDS.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const eventIds = new Map(
    (await lines<{ event: { detail: { id: string; eventId: string } } }>(info.eventsLog)).map((e) => [
      e.event.detail.eventId,
      e.event.detail.id,
    ]),
  );
  const [slack, wecom] = await Promise.all(
    (['slack', 'wecom'] as const).map((k) => lines<Received>(join(channelsDir, `${k}.jsonl`))),
  );
  const store = (await (await fetch(info.email.storeUrl)).json()) as { emails: StoredEmail[] };

  const samples: Record<ChannelKind, number[]> = { slack: [], wecom: [], email: [] };
  const sends = new Map<string, number>([...committed.keys()].map((id) => [id, 0]));
  const idIn = (text: string) => [...committed.keys()].find((id) => text.includes(id));
  let refused = 0;
  for (const [kind, got] of [
    ['slack', slack],
    ['wecom', wecom],
  ] as const) {
    const ours = new Set(sources.map((s) => hooks(s.department)[kind]).map((u) => new URL(u)));
    const paths = new Set([...ours].map((u) => `${u.pathname}${u.search}`));
    for (const r of got!.filter((x) => paths.has(x.path))) {
      const id = idIn(JSON.stringify(r.payload));
      if (!id) continue;
      const success =
        r.answer.status === 200 &&
        (kind === 'slack' || (r.answer.body as { errcode?: number }).errcode === 0);
      if (!success) {
        refused++;
        continue;
      }
      sends.set(id, sends.get(id)! + 1);
      samples[kind].push(Date.parse(r.receivedAt) - committed.get(id)!.at);
    }
  }
  const mailboxes = new Set(sources.map((s) => hooks(s.department).email));
  for (const e of store.emails.filter((m) => m.destination.to.some((t) => mailboxes.has(t)))) {
    const id = idIn(e.subject);
    if (id) sends.set(id, sends.get(id)! + 1);
  }
  for (const d of deliveries.filter((x) => x.channel === 'email')) {
    const id = eventIds.get(d.eventId);
    const commit = id ? committed.get(id) : undefined;
    if (commit) samples.email.push(Date.parse(d.at) - commit.at);
  }

  const sendsPerEvent: Record<string, number> = {};
  for (const n of sends.values()) sendsPerEvent[String(n)] = (sendsPerEvent[String(n)] ?? 0) + 1;
  const result: ChannelsResult = {
    events: committed.size,
    intervalMs: INTERVAL_MS,
    lag: {
      slack: lagOf(samples.slack),
      wecom: lagOf(samples.wecom),
      email: lagOf(samples.email),
      all: lagOf([...samples.slack, ...samples.wecom, ...samples.email]),
    },
    sendsPerEvent,
    channelsConfigured: CHANNEL_KINDS.length,
    sends: [...sends.values()].reduce((a, b) => a + b, 0),
    refused,
    missing:
      committed.size * CHANNEL_KINDS.length -
      samples.slack.length -
      samples.wecom.length -
      samples.email.length,
  };
  printChannels(result);
  return result;
}

function printChannels(r: ChannelsResult) {
  const names: Record<ChannelKind | 'all', string> = {
    slack: 'Slack (receiver took it)',
    wecom: 'WeChat Work (receiver took it)',
    email: 'email (SES accepted it)',
    all: 'every channel',
  };
  console.log(
    table(
      ['commit →', 'n', 'p50', 'p95', 'p99', 'max'],
      (['slack', 'wecom', 'email', 'all'] as const).map((k) => [
        names[k],
        String(r.lag[k].n),
        ms(r.lag[k].median),
        ms(r.lag[k].p95),
        ms(r.lag[k].p99),
        ms(r.lag[k].max),
      ]),
    ),
  );
  const spread = Object.entries(r.sendsPerEvent)
    .map(([n, count]) => `${count} event(s) with ${n}`)
    .join(', ');
  console.log(
    `  Sends counted at the receivers: ${r.sends} for ${r.events} events (${spread}; ${r.channelsConfigured} channels configured each); ` +
      `${r.refused} refused by a receiver, ${r.missing} not sent within ${PATIENCE_MS / 1000} s.\n` +
      `  Each department committed one event every ${ms(r.intervalMs)} (WeChat Work's pace); the consumer polls each queue every 100 ms when idle.`,
  );
}

/** Alone: its own in-process stack in a temp folder, stopped and removed after. */
async function main() {
  const workDir = await mkdtemp(join(tmpdir(), 'concord-bench-channels-'));
  let ctx: LatencyContext | undefined;
  const cleanUp = async () => {
    await ctx?.stop().catch(() => undefined);
    await stopAll();
    await rm(workDir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => void cleanUp().finally(() => process.exit(130)));
  // The handlers' log lines would bury the figures: to a file, set before the first handler loads.
  process.env.CONCORD_LOG_FILE ??= join(workDir, 'handlers.log');
  const { startBenchStack } = await import('./latency.js');
  try {
    ctx = await startBenchStack(workDir);
    await benchChannels(ctx);
  } finally {
    await cleanUp();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main()
    .catch((error: unknown) => {
      console.error(`channels benchmark failed: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    })
    .finally(() => process.exit(process.exitCode ?? 0));
}
