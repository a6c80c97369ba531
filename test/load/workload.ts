import autocannon from 'autocannon';
import { apiClient, tokenFor } from '../../infra/local/api-client.js';
import type { StackInfo } from '../../infra/local/stack-info.js';
import { progressBar } from '../bench/stats.js';

/**
 * The mixed workload: five demo users in their roles, each autocannon connection cycling through the
 * same 13 steps (reads, lists, the account timeline, creates, PATCHes with If-Match, lead conversions).
 * Hot records are shared on purpose, so connections race: a PATCH whose If-Match went stale meanwhile
 * must get 412, and every pool lead is converted twice (two attempts, usually by two connections at
 * once): one 201, the other 409. Every answer is counted by step and status, and every successful
 * write by record, so that afterwards each record's version can be checked against it.
 */
export const ROLES = ['sally', 'mark', 'sue', 'max', 'ada'] as const;
export type Role = (typeof ROLES)[number];
export type Tokens = Record<Role, string>;

export interface Seed {
  /** Owned by sally: read, patched (by sally and the sales manager), the target of creates and timelines. */
  accounts: string[];
  /** Leads being worked by marketing: read and patched. */
  leads: string[];
  /** Qualified leads, each converted twice by sales. */
  pool: string[];
  /** When seeding began (ISO): a conversion of this seed made its records after it. */
  since: string;
}

/** Names that tell a conversion's records from the rest (checks.ts finds them by these). */
export const CONVERSION_MARKS = {
  account: 'Conv Co ',
  contact: 'Conv Lead',
  opportunity: 'Conv Lead ',
} as const;

export type Step =
  | 'account-read'
  | 'account-patch'
  | 'timeline'
  | 'contact-create'
  | 'lead-list'
  | 'lead-read'
  | 'lead-patch'
  | 'case-create'
  | 'manager-read'
  | 'manager-patch'
  | 'opportunity-list'
  | 'contact-list'
  | 'convert';

/** Statuses a step may answer when nothing is broken: success, and the refusals its races produce. */
export const EXPECTED: Record<Step, readonly number[]> = {
  'account-read': [200],
  'account-patch': [200, 409, 412],
  timeline: [200],
  'contact-create': [201, 409],
  'lead-list': [200],
  'lead-read': [200],
  'lead-patch': [200, 409, 412],
  'case-create': [201, 409],
  'manager-read': [200],
  'manager-patch': [200, 409, 412],
  'opportunity-list': [200],
  'contact-list': [200],
  // 200: a lead read instead, once every pool lead has had its two attempts.
  convert: [200, 201, 409],
};

export interface Conversion {
  leadId: string;
  accountId: string;
  contactId: string;
  opportunityId: string;
}

export interface Outcomes {
  /** Answers by step, then by HTTP status. */
  statuses: Record<Step, Record<number, number>>;
  /** Successful writes per record id, as the workload counted them (PATCH 200s; a conversion's lead). */
  writes: Map<string, number>;
  /** Writes per record id answered with a 5xx, or never answered: they may have committed or not. */
  ambiguous: Map<string, number>;
  conversions: Conversion[];
  convertAttempts: Map<string, number>;
  /** The detail of every 409, counted (the races' own words). */
  conflicts: Map<string, number>;
  /** 503 answers without a Retry-After header (the contract requires one). */
  missingRetryAfter: number;
  /** 5xx answers by status, with the time each came (ms since the run's start) for the fault timeline. */
  serverErrors: { status: number; at: number; step: Step }[];
}

export interface WorkloadResult {
  outcomes: Outcomes;
  result: autocannon.Result;
}

export async function signInAll(info: StackInfo): Promise<Tokens> {
  const tokens = await Promise.all(ROLES.map((role) => tokenFor(info, role)));
  return Object.fromEntries(ROLES.map((role, i) => [role, tokens[i]!])) as Tokens;
}

/** Runs `work` over the items, `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

async function create(info: StackInfo, token: string, path: string, body: unknown): Promise<string> {
  const reply = await apiClient(info.apiUrl, token).post<{ id: string }>(path, body);
  if (reply.status !== 201) throw new Error(`seed POST ${path} answered ${reply.status}`);
  return reply.body.id;
}

export async function seedWorkload(
  info: StackInfo,
  tokens: Tokens,
  sizes: { hot: number; pool: number },
): Promise<Seed> {
  const seed: Seed = { accounts: [], leads: [], pool: [], since: new Date().toISOString() };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const bar = progressBar('seed records', sizes.hot * 2 + sizes.pool);
  let made = 0;
  const made1 = () => bar.tick(++made);
  await inParallel(range(sizes.hot), 8, async (i) => {
    seed.accounts.push(await create(info, tokens.sally, '/v1/accounts', { name: `Load account ${i}` }));
    made1();
    const lead = { name: `Load lead ${i}`, status: 'working' };
    seed.leads.push(await create(info, tokens.mark, '/v1/leads', lead));
    made1();
  });
  await inParallel(range(sizes.pool), 8, async (i) => {
    const lead = {
      name: `${CONVERSION_MARKS.opportunity}${i}`,
      company: `${CONVERSION_MARKS.account}${i}`,
      status: 'qualified',
    };
    seed.pool.push(await create(info, tokens.mark, '/v1/leads', lead));
    made1();
  });
  bar.done();
  return seed;
}

/** What a step sends, given what the connection has read so far in this cycle. */
interface Call {
  role: Role;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  ifMatch?: string;
  /** The record a write changes (for the ledger). */
  writes?: string;
}

interface Context {
  account?: string;
  accountTag?: string;
  lead?: string;
  leadTag?: string;
  managed?: string;
  managedTag?: string;
  convert?: string;
  /** The write this connection sent last, until its answer comes: one left set means no answer came. */
  pending?: string;
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
/** An ETag no version matches: a PATCH after a failed read is then a plain (expected) 412. */
const NO_TAG = '"0"';

export interface WorkloadOptions {
  connections: number;
  /** Seconds, or `amount` requests. */
  seconds?: number;
  amount?: number;
  /** The client's patience per request, seconds. */
  timeoutSeconds?: number;
  label?: string;
  /** Ends the run early (a fault scenario stops once it has seen what it waits for). */
  signal?: AbortSignal;
  /** Called with every answer's status, as it comes. */
  onAnswer?: (status: number) => void;
}

/**
 * Runs the workload against the API and returns autocannon's figures and the workload's own counts.
 * `startedAt` lets a fault timeline put the 5xx answers next to the moment the engine was killed.
 */
export function runWorkload(
  info: StackInfo,
  tokens: Tokens,
  seed: Seed,
  options: WorkloadOptions,
  startedAt = Date.now(),
): Promise<WorkloadResult> {
  const outcomes: Outcomes = {
    statuses: Object.fromEntries(Object.keys(EXPECTED).map((s) => [s, {}])) as Outcomes['statuses'],
    writes: new Map(),
    ambiguous: new Map(),
    conversions: [],
    convertAttempts: new Map(),
    conflicts: new Map(),
    missingRetryAfter: 0,
    serverErrors: [],
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  // autocannon drops the requests still in flight when the run ends, without an onResponse: a write
  // among them may have committed, so it is ambiguous, not absent (else it shows as a phantom write).
  const contexts = new Set<Context>();
  let poolNext = 0;
  let n = 0;

  const steps: [Step, (c: Context) => Call, ((c: Context, body: Record<string, unknown>) => void)?][] = [
    [
      'account-read',
      (c) => {
        c.account = pick(seed.accounts);
        return { role: 'sally', method: 'GET', path: `/v1/accounts/${c.account}` };
      },
    ],
    [
      'account-patch',
      (c) => ({
        role: 'sally',
        method: 'PATCH',
        path: `/v1/accounts/${c.account}`,
        body: { industry: `load ${++n}` },
        ifMatch: c.accountTag ?? NO_TAG,
        writes: c.account,
      }),
    ],
    [
      'timeline',
      () => ({ role: 'sue', method: 'GET', path: `/v1/accounts/${pick(seed.accounts)}/timeline?limit=25` }),
    ],
    [
      'contact-create',
      () => ({
        role: 'sally',
        method: 'POST',
        path: '/v1/contacts',
        body: { accountId: pick(seed.accounts), firstName: 'Load', lastName: `Contact ${++n}` },
      }),
    ],
    ['lead-list', () => ({ role: 'mark', method: 'GET', path: '/v1/leads?limit=25' })],
    [
      'lead-read',
      (c) => {
        c.lead = pick(seed.leads);
        return { role: 'mark', method: 'GET', path: `/v1/leads/${c.lead}` };
      },
    ],
    [
      'lead-patch',
      (c) => ({
        role: 'mark',
        method: 'PATCH',
        path: `/v1/leads/${c.lead}`,
        body: { source: `load ${++n}` },
        ifMatch: c.leadTag ?? NO_TAG,
        writes: c.lead,
      }),
    ],
    [
      'case-create',
      () => ({
        role: 'sue',
        method: 'POST',
        path: '/v1/cases',
        body: { accountId: pick(seed.accounts), subject: `Load case ${++n}` },
      }),
    ],
    [
      'manager-read',
      (c) => {
        c.managed = pick(seed.accounts);
        return { role: 'max', method: 'GET', path: `/v1/accounts/${c.managed}` };
      },
    ],
    [
      'manager-patch',
      (c) => ({
        role: 'max',
        method: 'PATCH',
        path: `/v1/accounts/${c.managed}`,
        body: { industry: `managed ${++n}` },
        ifMatch: c.managedTag ?? NO_TAG,
        writes: c.managed,
      }),
    ],
    ['opportunity-list', () => ({ role: 'max', method: 'GET', path: '/v1/opportunities?limit=25' })],
    ['contact-list', () => ({ role: 'ada', method: 'GET', path: '/v1/contacts?limit=25' })],
    [
      'convert',
      (c) => {
        // Each pool lead twice in a row: two connections usually race for it. An empty pool reads instead.
        const lead = seed.pool[Math.floor(poolNext++ / 2)];
        c.convert = lead;
        if (!lead) return { role: 'sally', method: 'GET', path: `/v1/leads/${pick(seed.leads)}` };
        return {
          role: 'sally',
          method: 'POST',
          path: `/v1/leads/${lead}/convert`,
          body: { opportunity: { amount: '1000.00', stage: 'prospecting' } },
          writes: lead,
        };
      },
    ],
  ];

  // autocannon hands the headers over with their names as sent (`ETag`, `Retry-After`): matched here
  // case-insensitively, as HTTP names are (a case-sensitive look-up counted every 503 as without one).
  const header = (headers: Record<string, unknown> | undefined, name: string) => {
    const found = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
    return typeof found === 'string' ? found : undefined;
  };
  const tagOf = (headers: Record<string, unknown> | undefined) => header(headers, 'etag');

  const requests: autocannon.Request[] = steps.map(([step, build]) => ({
    setupRequest: (req: autocannon.Request, context: object) => {
      const c = context as Context;
      contexts.add(c);
      if (c.pending) bump(outcomes.ambiguous, c.pending);
      const call = build(c);
      c.pending = call.writes;
      if (step === 'convert' && call.writes) bump(outcomes.convertAttempts, call.writes);
      return {
        ...req,
        method: call.method,
        path: call.path,
        headers: {
          authorization: `Bearer ${tokens[call.role]}`,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(call.ifMatch ? { 'if-match': call.ifMatch } : {}),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
      };
    },
    onResponse: (status: number, text: string, context: object, headers?: Record<string, unknown>) => {
      const c = context as Context;
      const written = c.pending;
      c.pending = undefined;
      const counts = outcomes.statuses[step];
      counts[status] = (counts[status] ?? 0) + 1;
      options.onAnswer?.(status);
      if (status >= 500) {
        outcomes.serverErrors.push({ status, at: Date.now() - startedAt, step });
        if (status === 503 && !header(headers, 'retry-after')) outcomes.missingRetryAfter++;
        if (written) bump(outcomes.ambiguous, written);
        return;
      }
      const body = parseJson(text);
      if (status === 409) bump(outcomes.conflicts, `${step}: ${String(body.detail ?? '')}`);
      if (step === 'account-read') c.accountTag = status === 200 ? tagOf(headers) : undefined;
      if (step === 'lead-read') c.leadTag = status === 200 ? tagOf(headers) : undefined;
      if (step === 'manager-read') c.managedTag = status === 200 ? tagOf(headers) : undefined;
      if (written && (status === 200 || status === 201)) bump(outcomes.writes, written);
      if (step === 'convert' && status === 201 && c.convert) {
        outcomes.conversions.push({
          leadId: c.convert,
          accountId: String(body.accountId ?? ''),
          contactId: String((body.contact as { id?: string } | undefined)?.id ?? ''),
          opportunityId: String((body.opportunity as { id?: string } | undefined)?.id ?? ''),
        });
      }
    },
  }));

  return new Promise((resolve, reject) => {
    const total = options.amount ?? options.seconds ?? 1;
    const bar = progressBar(options.label ?? 'workload', total);
    let answered = 0;
    const began = Date.now();
    const timer = options.amount
      ? undefined
      : setInterval(() => bar.tick(Math.min(total, Math.round((Date.now() - began) / 1000))), 1000);
    const instance = autocannon(
      {
        url: info.apiUrl,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 1 }),
        timeout: options.timeoutSeconds ?? 10,
        requests,
      },
      (error, result) => {
        for (const c of contexts) if (c.pending) bump(outcomes.ambiguous, c.pending);
        if (timer) clearInterval(timer);
        bar.tick(total);
        bar.done();
        if (error) reject(error);
        else resolve({ outcomes, result });
      },
    );
    if (options.amount) instance.on('response', () => bar.tick(++answered));
    options.signal?.addEventListener('abort', () => instance.stop(), { once: true });
  });
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Answers outside EXPECTED, by step and status (5xx included). */
export function unexpectedStatuses(outcomes: Outcomes): string[] {
  const out: string[] = [];
  for (const [step, counts] of Object.entries(outcomes.statuses) as [Step, Record<number, number>][]) {
    for (const [status, count] of Object.entries(counts)) {
      if (!EXPECTED[step].includes(Number(status))) out.push(`${step} ${status} ×${count}`);
    }
  }
  return out;
}

/** Answers by status over every step. */
export function statusTotals(outcomes: Outcomes): Record<number, number> {
  const totals: Record<number, number> = {};
  for (const counts of Object.values(outcomes.statuses)) {
    for (const [status, count] of Object.entries(counts))
      totals[Number(status)] = (totals[Number(status)] ?? 0) + count;
  }
  return totals;
}
