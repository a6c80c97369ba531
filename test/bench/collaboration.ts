import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { STREAM_CONSUMERS } from '../../shared/config/streams.js';
import type { LatencyContext } from './latency.js';
import { heading, ms, percentile, progressBar, type Summary, summarize, table } from './stats.js';

/**
 * Collaboration on the local stack: how long after a commit the change is in a watcher's inbox and in
 * the department's change feed (p50/p99), and how many PutEvents calls the publisher makes for a burst
 * of changes. Lag is measured from the PATCH's reply (the commit) to the first poll that sees the
 * change; the poll interval (POLL_MS) bounds how late that sighting can be.
 */

export const LAG_GOAL_P99_MS = 2_000;
const POLL_MS = 25;
const PATIENCE_MS = 60_000;
/** The issue's bound: 1000 changes → at most 100 PutEvents calls (10 entries each, the API's maximum). */
export const PUT_EVENTS_PER_1000_GOAL = 100;

export type Lag = Summary & { p99: number };
const lagOf = (samples: number[]): Lag => ({ ...summarize(samples), p99: percentile(samples, 99) });

export interface CollaborationResult {
  changes: number;
  inbox: Lag;
  feed: Lag;
  missing: { inbox: number; feed: number };
  pollerIntervalMs: number;
  putEvents: { changes: number; calls: number; entries: number };
}

type Page<T> = { items: T[]; nextCursor: string | null };
type FeedItem = { id: string; record?: { version?: number } };
type Notification = { event?: { id?: string }; record?: { version?: number } };

async function ok<T>(what: string, reply: Promise<{ status: number; body: T }>): Promise<T> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The feed's cursor at its current end: the next page starts after everything there is now. */
async function feedEnd(client: ApiClient): Promise<string> {
  let cursor: string | undefined;
  for (;;) {
    const page = await ok<Page<FeedItem>>(
      'feed',
      client.get(`/v1/changes?limit=100${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`),
    );
    if (!page.nextCursor) throw new Error('the feed gave no nextCursor');
    if (page.items.length === 0) return page.nextCursor;
    cursor = page.nextCursor;
  }
}

/**
 * Polls while the changes are written, then until every version in `wanted` was seen or the patience
 * (counted from the last write) runs out; records first sightings. It starts before the first write, so
 * it must not stop on an empty `wanted`.
 */
async function watch(
  wanted: Set<number>,
  seen: Map<number, number>,
  poll: () => Promise<number[]>,
  writing: () => boolean,
) {
  let deadline = Number.POSITIVE_INFINITY;
  for (;;) {
    for (const version of await poll()) if (!seen.has(version)) seen.set(version, Date.now());
    if (!writing()) {
      if (seen.size >= wanted.size) break;
      deadline = Math.min(deadline, Date.now() + PATIENCE_MS);
      if (Date.now() > deadline) break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function benchCollaboration(
  ctx: LatencyContext,
  changes = 500,
  burst = 1000,
): Promise<CollaborationResult> {
  heading(`5. Collaboration: commit → inbox and → change feed (${changes} changes), PutEvents per burst`);
  const info = ctx.stack.info;
  const [sally, sue] = await Promise.all(
    ['sally', 'sue'].map(async (u) => apiClient(info.apiUrl, await tokenFor(info, u))),
  );
  const account = await ok<{ id: string }>('create', sally!.post('/v1/accounts', { name: 'Lag bench' }));
  await ok('watch', sue!.put(`/v1/accounts/${account.id}/watch`, {}));
  let cursor = await feedEnd(sue!);

  const committed = new Map<number, number>();
  const inboxSeen = new Map<number, number>();
  const feedSeen = new Map<number, number>();
  const wanted = new Set<number>();
  let writing = true;
  const inbox = watch(
    wanted,
    inboxSeen,
    async () => {
      const page = await ok<Page<Notification>>('inbox', sue!.get('/v1/notifications?limit=100'));
      return page.items.filter((n) => n.event?.id === account.id).map((n) => n.record?.version ?? 0);
    },
    () => writing,
  );
  const feed = watch(
    wanted,
    feedSeen,
    async () => {
      const page = await ok<Page<FeedItem>>(
        'feed',
        sue!.get(`/v1/changes?limit=100&since=${encodeURIComponent(cursor)}`),
      );
      if (page.nextCursor) cursor = page.nextCursor;
      return page.items.filter((i) => i.id === account.id).map((i) => i.record?.version ?? 0);
    },
    () => writing,
  );
  const bar = progressBar('changes committed', changes);
  for (let i = 1; i <= changes; i++) {
    const rec = await ok<{ version: number }>(
      'patch',
      sally!.patch(`/v1/accounts/${account.id}`, { industry: `bench ${i}` }),
    );
    committed.set(rec.version, Date.now());
    wanted.add(rec.version);
    bar.tick(i);
  }
  bar.done();
  writing = false;
  await Promise.all([inbox, feed]);
  const lags = (seen: Map<number, number>) =>
    [...committed].flatMap(([v, at]) => (seen.has(v) ? [seen.get(v)! - at] : []));

  const putEvents = await countPutEvents(ctx, sally!, account.id, burst);
  const result: CollaborationResult = {
    changes,
    inbox: lagOf(lags(inboxSeen)),
    feed: lagOf(lags(feedSeen)),
    missing: {
      inbox: [...committed.keys()].filter((v) => !inboxSeen.has(v)).length,
      feed: [...committed.keys()].filter((v) => !feedSeen.has(v)).length,
    },
    pollerIntervalMs: 200,
    putEvents,
  };
  printCollaboration(result);
  return result;
}

/** Creates `burst` records, 20 at a time, and counts the PutEvents calls the bus answers for them. */
async function countPutEvents(ctx: LatencyContext, client: ApiClient, accountId: string, burst: number) {
  const bus = ctx.stack.bus;
  const before = bus.counts();
  const bar = progressBar('records created', burst);
  let made = 0;
  const worker = async () => {
    while (made < burst) {
      made++;
      const relatedTo = { collection: 'accounts', id: accountId };
      await ok(
        'create',
        client.post('/v1/activities', { type: 'note', subject: `burst ${made}`, relatedTo }),
      );
      bar.tick(made);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  bar.done();
  const deadline = Date.now() + PATIENCE_MS;
  while (bus.counts().entriesAccepted - before.entriesAccepted < burst && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const after = bus.counts();
  return {
    changes: burst,
    calls: after.putEventsCalls - before.putEventsCalls,
    entries: after.entriesAccepted - before.entriesAccepted,
  };
}

function printCollaboration(r: CollaborationResult) {
  const window = STREAM_CONSUMERS['publish-changes'].maxBatchingWindowSeconds;
  console.log(
    table(
      ['commit →', 'n', 'p50', 'p95', 'p99', 'max', `goal p99 ≤ ${LAG_GOAL_P99_MS} ms`, 'not seen'],
      (['inbox', 'feed'] as const).map((k) => [
        k === 'inbox' ? "a watcher's inbox" : "the department's feed",
        String(r[k].n),
        ms(r[k].median),
        ms(r[k].p95),
        ms(r[k].p99),
        ms(r[k].max),
        r[k].p99 <= LAG_GOAL_P99_MS ? 'meets' : 'MISSES',
        String(r.missing[k]),
      ]),
    ),
  );
  console.log(
    `  PutEvents: ${r.putEvents.calls} calls for ${r.putEvents.changes} changes (${r.putEvents.entries} entries accepted; ` +
      `goal ≤ ${(PUT_EVENTS_PER_1000_GOAL * r.putEvents.changes) / 1000}); publisher batching window ${window} s.\n` +
      `  The local poller reads the stream every ${r.pollerIntervalMs} ms when idle; the bench polls every ${POLL_MS} ms.`,
  );
}
