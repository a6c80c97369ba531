import net from 'node:net';
import { relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { CollectionName, CrmRecord } from '../../shared/domain/collections.js';
import { problemViolations, type RawReply } from './problem-check.js';
import type { SignedIn } from './role-users.js';
import { stack } from './stack.js';
import { stableCount } from './table-count.js';

/**
 * The harness of the bad-input fuzz tests (test/integration/bad-input-*.fuzz.test.ts): sends each
 * generated request and checks its reply, then checks that nothing was written. Every reply must be a
 * 4xx problem+json (type/title/status/detail, status = the HTTP status), never a 5xx, with nothing
 * internal in it, and the table and the target records must be exactly as they were before.
 *
 * A property fails inside, on the first reply that breaks the contract, so that fast-check shrinks the
 * request to the smallest one that still breaks it (for SHRINK_BUDGET_MS at most: then the smallest
 * found so far is reported). The failure prints the seed and the path of that request, and the command
 * that replays it:
 *
 *   FUZZ_SEED=<seed> npx vitest run <file>
 *       generates the same requests again for every property of the file (they all share the seed);
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> FUZZ_PROPERTY=<name> npx vitest run <file> -t '<test>'
 *       sends the shrunk request of the property named <name> first (and shrinks on from there).
 */
const DEFAULT_SEED = Math.floor(Math.random() * 2 ** 31);
const SHRINK_BUDGET_MS = 10_000;
/** numRuns of each property: 1600 bad requests in all, over the bad-input test files. */
export const FUZZ_RUNS = {
  createBodies: 250,
  patchBodies: 200,
  rawBodies: 150,
  listQueries: 200,
  ids: 200,
  headers: 150,
  convertBodies: 100,
  rawHttp: 50,
  commentBodies: 100,
  channelBodies: 100,
  roleCellBodies: 100,
  privacyBodies: 100,
  /** Each run uploads a file and runs an import job: kept small. */
  importFiles: 25,
} as const;

/** The seed (FUZZ_SEED, else one random per test file) and the path to replay for this property. */
function replaySettings(name: string): { seed: number; path?: string } {
  const text = process.env.FUZZ_SEED;
  const seed = text === undefined ? DEFAULT_SEED : Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${text}`);
  const path = process.env.FUZZ_PATH;
  if (path && !process.env.FUZZ_PROPERTY) {
    throw new Error('FUZZ_PATH belongs to one property: name it in FUZZ_PROPERTY (the failure prints both)');
  }
  return { seed, path: path && process.env.FUZZ_PROPERTY === name ? path : undefined };
}

// ── Sending ─────────────────────────────────────────────────────────────────────────────────────
export type Who = 'ada' | 'sally' | 'mark' | 'sue';

export interface FuzzRequest {
  as?: Who;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as bytes, with `contentType` (default application/json; null: no content-type at all). */
  body?: string;
  contentType?: string | null;
  /** The statuses this request may get, when not the property's own. */
  expect?: readonly number[];
  /** What kind of bad input this is, to group violations by (default: method and route). */
  label?: string;
}

/** The users the requests go out as (signed in by `createFuzzTargets` in fuzz-targets.ts). */
export const users = new Map<Who, SignedIn>();

export async function send(req: FuzzRequest): Promise<RawReply> {
  const headers: Record<string, string> = {};
  if (req.as) headers.authorization = `Bearer ${users.get(req.as)!.token}`;
  if (req.body !== undefined) {
    const type = req.contentType === undefined ? 'application/json' : req.contentType;
    if (type !== null) headers['content-type'] = type;
  }
  Object.assign(headers, req.headers);
  try {
    const res = await fetch(`${stack().apiUrl}${req.path}`, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : new TextEncoder().encode(req.body),
    });
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  } catch (error) {
    // No HTTP reply at all (the connection was reset or refused): a violation of its own kind.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      contentType: null,
      text: `no reply: ${cause?.code ?? cause?.message ?? String(error)}`,
    };
  }
}

/** Writes the request on a socket byte for byte (no client-side header checks), reads the reply. */
export async function sendRaw(req: FuzzRequest): Promise<RawReply> {
  const url = new URL(stack().apiUrl);
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string> = {
    host: url.host,
    connection: 'close',
    ...(req.as ? { authorization: `Bearer ${users.get(req.as)!.token}` } : {}),
    ...(req.body !== undefined
      ? { 'content-type': 'application/json', 'content-length': String(body.length) }
      : {}),
    ...req.headers,
  };
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', (error) => (chunks.length ? resolve(Buffer.concat(chunks)) : reject(error)));
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
  });
  // latin1: one char per byte, so chunk sizes count right; the payload is decoded as UTF-8 at the end.
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const headLines = (split < 0 ? text : text.slice(0, split)).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headLines[0] ?? '')?.[1] ?? 0);
  const replyHeaders = new Map(
    headLines.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
    }),
  );
  let payload = split < 0 ? '' : text.slice(split + 4);
  if (replyHeaders.get('transfer-encoding')?.includes('chunked')) {
    let out = '';
    let rest = payload;
    for (;;) {
      const eol = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.slice(0, eol), 16);
      if (!size) break;
      out += rest.slice(eol + 2, eol + 2 + size);
      rest = rest.slice(eol + 2 + size + 2);
    }
    payload = out;
  }
  payload = Buffer.from(payload, 'latin1').toString('utf8');
  return { status, contentType: replyHeaders.get('content-type') ?? null, text: payload };
}

// ── Checking ────────────────────────────────────────────────────────────────────────────────────
export interface Tally {
  name: string;
  /** Requests sent, shrinking included. */
  runs: number;
  statuses: Map<number, number>;
  slowest: { ms: number; what: string };
}

const tallies: Tally[] = [];

const clip = (text: string, n = 160) =>
  JSON.stringify(text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);

export function shapeOf(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/');
  if (segments.length <= 3) return segments.join('/');
  return `/${segments[1]}/${segments[2]}/{id}${segments.length > 4 ? `/${segments.at(-1)}` : ''}`;
}

const whatOf = (req: FuzzRequest) => req.label ?? `${req.method} ${shapeOf(req.path)}`;

/** The last requests sent: a reset connection may be an earlier request's doing. */
const recent: string[] = [];

/** What this reply breaks (empty when it keeps the contract), as one line with the exchange. */
function violationOf(req: FuzzRequest, reply: RawReply, allowed: readonly number[]): string | undefined {
  const earlier = recent.join('; ');
  recent.push(`${whatOf(req)} (body ${req.body?.length ?? 0} chars) → ${reply.status}`);
  if (recent.length > 4) recent.shift();
  if (reply.status === 0) return `${reply.text} ← ${whatOf(req)}, after: ${earlier}`;
  const echoed = `${req.path} ${JSON.stringify(req.headers ?? {})} ${req.contentType ?? ''} ${req.body ?? ''}`;
  const problems = problemViolations(reply, echoed);
  if (reply.status >= 400 && reply.status < 500 && !allowed.includes(reply.status)) {
    problems.push(`status ${reply.status}, expected ${allowed.join('/')}`);
  }
  if (problems.length === 0) return undefined;
  return (
    `${problems.join(' + ')} ← ${whatOf(req)}: ${req.as ?? '(raw)'} ${req.method} ${clip(req.path, 120)} ` +
    `headers=${clip(JSON.stringify(req.headers ?? {}), 120)} ` +
    `content-type=${req.contentType === undefined ? '(json)' : String(req.contentType)} body=${clip(req.body ?? '')} ` +
    `→ ${reply.status} ${reply.contentType ?? '(no content-type)'} ${clip(reply.text, 300)}`
  );
}

/** A property that failed: its smallest failing request, and how to send it again. */
export class FuzzFailure extends Error {
  constructor(
    message: string,
    readonly seed: number,
    readonly path: string,
    readonly counterexample: FuzzRequest | undefined,
  ) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function replayCommand(name: string, seed: number, path: string): string {
  const state = expect.getState();
  const file = state.testPath ? relative(process.cwd(), state.testPath) : '<test file>';
  const test = (state.currentTestName ?? '').split(' > ').at(-1) ?? '';
  const pattern = test.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (
    `FUZZ_SEED=${seed} FUZZ_PATH=${path} FUZZ_PROPERTY=${shellQuote(name)} ` +
    `npx vitest run ${file}${pattern ? ` -t ${shellQuote(pattern)}` : ''}`
  );
}

/**
 * Sends `runs` requests (the `examples` first: cases every run must try, counted in `runs`) and throws a
 * FuzzFailure with the smallest failing request, its seed and path, at the first broken reply.
 */
export async function checkReplies(
  name: string,
  runs: number,
  arbitrary: fc.Arbitrary<FuzzRequest>,
  allowed: readonly number[],
  options: {
    send?: (req: FuzzRequest) => Promise<RawReply>;
    examples?: FuzzRequest[];
    shrinkBudgetMs?: number;
  } = {},
): Promise<Tally> {
  const send1 = options.send ?? send;
  const t: Tally = { name, runs: 0, statuses: new Map(), slowest: { ms: 0, what: '' } };
  tallies.push(t);
  const { seed, path } = replaySettings(name);
  lastSeed = seed;
  let shrinkUntil: number | undefined;
  const property = fc.asyncProperty(arbitrary, async (req) => {
    // Past the budget every candidate counts as passing, which ends the shrinking where it is.
    if (shrinkUntil !== undefined && Date.now() > shrinkUntil) return;
    const at = Date.now();
    const reply = await send1(req);
    const took = Date.now() - at;
    t.runs++;
    t.statuses.set(reply.status, (t.statuses.get(reply.status) ?? 0) + 1);
    if (took > t.slowest.ms) {
      t.slowest = {
        ms: took,
        what: `${whatOf(req)} (body ${req.body?.length ?? 0} chars) → ${reply.status}`,
      };
    }
    const violation = violationOf(req, reply, req.expect ?? allowed);
    if (violation === undefined) return;
    shrinkUntil ??= Date.now() + (options.shrinkBudgetMs ?? SHRINK_BUDGET_MS);
    throw new Error(violation);
  });
  const examples = (options.examples ?? []).map((e): [FuzzRequest] => [e]);
  const details = await fc.check(property, { numRuns: runs, seed, path, examples });
  if (!details.failed) return t;
  const failedPath = details.counterexamplePath ?? '';
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new FuzzFailure(
    `fuzz [${name}] failed at request ${details.numRuns} of ${runs} (seed ${details.seed}, path ${failedPath}), ` +
      `shrunk ${details.numShrinks} time(s) to:\n  ${fc.stringify(details.counterexample?.[0])}\n` +
      `which got: ${error}\nreplay it: ${replayCommand(name, details.seed, failedPath)}`,
    details.seed,
    failedPath,
    details.counterexample?.[0],
  );
}

let lastSeed = DEFAULT_SEED;

function summary(t: Tally, ms: number): string {
  const statuses = [...t.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return (
    `fuzz [${t.name}]: ${t.runs} requests in ${(ms / 1000).toFixed(1)} s, statuses ${statuses}; ` +
    `slowest ${t.slowest.ms} ms: ${t.slowest.what}`
  );
}

/** One property over the running stack: every reply checked, then the table and the targets unchanged. */
export async function fuzz(
  name: string,
  runs: number,
  arbitrary: fc.Arbitrary<FuzzRequest>,
  allowed: readonly number[],
  options: { send?: (req: FuzzRequest) => Promise<RawReply>; examples?: FuzzRequest[] } = {},
) {
  const before = await stableCount();
  const started = Date.now();
  const t = await checkReplies(name, runs, arbitrary, allowed, options);
  const ms = Date.now() - started;
  // Not one request's doing (so nothing to shrink): the seed replays the whole property.
  const replay = `replay: FUZZ_SEED=${lastSeed} npx vitest run ${relative(process.cwd(), expect.getState().testPath ?? '')}`;
  expect(await stableCount(), `the table holds what it held before; ${replay}`).toBe(before);
  const changed = await changedTargets();
  await snapshotTargets();
  console.info(summary(t, ms));
  expect(changed, `target records changed; ${replay}`).toEqual([]);
  // A replayed path sends one request (and passes once the bug is fixed); a full run sends them all.
  if (replaySettings(name).path === undefined) expect(t.runs).toBe(runs);
}

// ── Records the requests aim at, which must come out unchanged ──────────────────────────────────
/** The records every property must leave as they were, by `collection:id`, as last read. */
export const snapshots = new Map<string, CrmRecord>();

export async function adminRead(c: CollectionName, id: string): Promise<CrmRecord | undefined> {
  const res = await users.get('ada')!.client.get<CrmRecord>(`/v1/${c}/${id}`);
  return res.status === 200 ? res.body : undefined;
}

async function changedTargets(): Promise<string[]> {
  const out: string[] = [];
  for (const [key, before] of snapshots) {
    const [c, id] = key.split(':') as [CollectionName, string];
    const now = await adminRead(c, id);
    if (JSON.stringify(now) !== JSON.stringify(before)) {
      out.push(
        `${key}: v${before.version} → ${now ? `v${now.version} ${clip(JSON.stringify(now), 200)}` : 'gone'}`,
      );
    }
  }
  return out;
}

/** Takes the targets as they are now, so that each property reports only its own changes. */
export async function snapshotTargets() {
  for (const key of snapshots.keys()) {
    const [c, id] = key.split(':') as [CollectionName, string];
    const now = await adminRead(c, id);
    if (now) snapshots.set(key, now);
    else snapshots.delete(key);
  }
}

/** One line on every property this test file ran, and the seed that replays them all. */
export function fuzzTotals(): string {
  const total = tallies.reduce((n, t) => n + t.runs, 0);
  return `fuzz total: ${total} bad requests (FUZZ_SEED=${lastSeed}); ${tallies.map((t) => `${t.name} ${t.runs}`).join(', ')}`;
}
