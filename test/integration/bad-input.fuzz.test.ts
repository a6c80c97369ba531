import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../shared/db/cursor.js';
import { cursorAttributes, type IndexQuery, listQuery, timelineQuery } from '../../shared/db/keys.js';
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  type CollectionName,
  type CrmRecord,
  SERVER_FIELDS,
} from '../../shared/domain/collections.js';
import { listFiltersOf } from '../../shared/domain/use-cases/read-records.js';
import { problemViolations, type RawReply } from '../support/problem-check.js';
import { PATCH_FIELD } from '../support/record-fixtures.js';
import { type SignedIn, signIn } from '../support/role-users.js';
import { stack } from '../support/stack.js';
import { countItems, stableCount } from '../support/table-count.js';

/**
 * Bad input, generated: bodies, content types, queries, ids and headers that no route may accept.
 * Every reply must be a 4xx problem+json (type/title/status/detail, status = the HTTP status), never
 * a 5xx, with nothing internal in it, and the table must hold exactly the items it held before.
 *
 * Each property records what broke instead of stopping at the first counterexample, so that every
 * run sends its full number of requests and one bug does not hide another; the test then fails
 * with each kind of violation, how often it happened and one example. FUZZ_SEED=<n> replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = {
  createBodies: 250,
  patchBodies: 200,
  rawBodies: 150,
  listQueries: 200,
  ids: 200,
  headers: 150,
  convertBodies: 100,
  rawHttp: 50,
} as const;

// ── Sending ─────────────────────────────────────────────────────────────────────────────────────
type Who = 'ada' | 'sally' | 'mark' | 'sue';

interface Req {
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

const users = new Map<Who, SignedIn>();

async function send(req: Req): Promise<RawReply> {
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

// ── Recording ───────────────────────────────────────────────────────────────────────────────────
interface Tally {
  name: string;
  runs: number;
  statuses: Map<number, number>;
  violations: Map<string, { count: number; example: string }>;
  slowest: { ms: number; what: string };
}

const tallies: Tally[] = [];

function newTally(name: string): Tally {
  const t: Tally = {
    name,
    runs: 0,
    statuses: new Map(),
    violations: new Map(),
    slowest: { ms: 0, what: '' },
  };
  tallies.push(t);
  return t;
}

const clip = (text: string, n = 160) =>
  JSON.stringify(text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text);

function shapeOf(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/');
  if (segments.length <= 3) return segments.join('/');
  return `/${segments[1]}/${segments[2]}/{id}${segments.length > 4 ? `/${segments.at(-1)}` : ''}`;
}

function violation(t: Tally, kind: string, example: string) {
  const seen = t.violations.get(kind);
  if (seen) seen.count++;
  else t.violations.set(kind, { count: 1, example });
}

/** The last requests sent: a reset connection may be an earlier request's doing. */
const recent: string[] = [];

function record(t: Tally, req: Req, reply: RawReply, allowed: readonly number[]) {
  const what = req.label ?? `${req.method} ${shapeOf(req.path)}`;
  const earlier = recent.join('; ');
  recent.push(`${what} (body ${req.body?.length ?? 0} chars) → ${reply.status}`);
  if (recent.length > 4) recent.shift();
  t.runs++;
  if (reply.status === 0) {
    violation(t, `${reply.text} ← ${what}`, `${recent.at(-1)}, after: ${earlier}`);
    return;
  }
  t.statuses.set(reply.status, (t.statuses.get(reply.status) ?? 0) + 1);
  const echoed = `${req.path} ${JSON.stringify(req.headers ?? {})} ${req.contentType ?? ''} ${req.body ?? ''}`;
  const problems = problemViolations(reply, echoed);
  if (reply.status >= 400 && reply.status < 500 && !allowed.includes(reply.status)) {
    problems.push(`status ${reply.status}, expected ${allowed.join('/')}`);
  }
  if (problems.length) {
    violation(
      t,
      `${problems.join(' + ')} ← ${req.label ?? `${req.method} ${shapeOf(req.path)}`}`,
      `${req.as ?? '(raw)'} ${req.method} ${clip(req.path, 120)} headers=${clip(JSON.stringify(req.headers ?? {}), 120)} ` +
        `content-type=${req.contentType === undefined ? '(json)' : String(req.contentType)} body=${clip(req.body ?? '')} ` +
        `→ ${reply.status} ${reply.contentType ?? '(no content-type)'} ${clip(reply.text, 300)}`,
    );
  }
}

function summary(t: Tally, ms: number): string {
  const statuses = [...t.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return (
    `fuzz [${t.name}]: ${t.runs} requests in ${(ms / 1000).toFixed(1)} s, statuses ${statuses}, ` +
    `${t.violations.size} kind(s) of violation; slowest ${t.slowest.ms} ms: ${t.slowest.what}`
  );
}

function violationsOf(t: Tally): string[] {
  return [...t.violations].map(([kind, v]) => `${kind} (${v.count}×), e.g. ${v.example}`);
}

/**
 * Runs one property for exactly `runs` requests (the `examples` first: cases every run must try,
 * counted in `runs`), then checks that nothing was written.
 */
async function fuzz(
  name: string,
  runs: number,
  arbitrary: fc.Arbitrary<Req>,
  allowed: readonly number[],
  options: { send?: (req: Req) => Promise<RawReply>; examples?: Req[] } = {},
) {
  const send1 = options.send ?? send;
  const t = newTally(name);
  const before = await stableCount();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (req) => {
      const at = Date.now();
      const reply = await send1(req);
      const took = Date.now() - at;
      if (took > t.slowest.ms)
        t.slowest = {
          ms: took,
          what: `${req.label ?? `${req.method} ${shapeOf(req.path)}`} (body ${req.body?.length ?? 0} chars) → ${reply.status}`,
        };
      record(t, req, reply, req.expect ?? allowed);
    }),
    { numRuns: runs, seed: SEED, examples: (options.examples ?? []).map((e): [Req] => [e]) },
  );
  const ms = Date.now() - started;
  const after = await stableCount();
  if (after !== before) violation(t, 'the table changed', `${before} items before, ${after} after`);
  const changed = await changedTargets();
  if (changed.length) violation(t, 'a target record changed', changed.join('; '));
  await snapshotTargets();
  console.info(summary(t, ms));
  expect(t.runs).toBe(runs);
  expect(violationsOf(t)).toEqual([]);
}

// ── Targets: real records the requests aim at, which must come out unchanged ────────────────────
const targets = {} as Record<CollectionName, string>;
/** Qualified leads for the conversion property (a pool, so one bad conversion cannot hide the rest). */
const qualifiedLeads: string[] = [];
const snapshots = new Map<string, CrmRecord>();
const cursors: { source: string; cursor: string }[] = [];

const WRITER: Record<CollectionName, Who> = {
  accounts: 'sally',
  contacts: 'sally',
  leads: 'mark',
  opportunities: 'sally',
  cases: 'sue',
  activities: 'sally',
};

function validCreateBody(c: CollectionName): Record<string, unknown> {
  const accountId = targets.accounts;
  switch (c) {
    case 'accounts':
      return { name: 'Fuzz target', domain: 'fuzz.example', tags: ['fuzz'] };
    case 'contacts':
      return {
        accountId,
        firstName: 'Fuzz',
        lastName: 'Target',
        email: 'f@fuzz.example',
        marketingOptIn: false,
      };
    case 'leads':
      return { name: 'Fuzz Lead', company: 'Fuzz Co', status: 'qualified', score: 70 };
    case 'opportunities':
      return { accountId, name: 'Fuzz deal', amount: '100.00', currency: 'EUR' };
    case 'cases':
      return { accountId, subject: 'Fuzz case' };
    case 'activities':
      return { type: 'note', subject: 'Fuzz note', relatedTo: { collection: 'accounts', id: accountId } };
  }
}

const validPatchBody = (c: CollectionName) => ({ [PATCH_FIELD[c]]: 'fuzz says hello' });

async function adminRead(c: CollectionName, id: string): Promise<CrmRecord | undefined> {
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
async function snapshotTargets() {
  for (const key of snapshots.keys()) {
    const [c, id] = key.split(':') as [CollectionName, string];
    const now = await adminRead(c, id);
    if (now) snapshots.set(key, now);
    else snapshots.delete(key);
  }
}

let tableAtStart = 0;

beforeAll(async () => {
  for (const who of ['ada', 'sally', 'mark', 'sue'] as const) users.set(who, await signIn(who));
  const create = async (who: Who, c: CollectionName, body: Record<string, unknown>) => {
    const res = await users.get(who)!.client.post<CrmRecord>(`/v1/${c}`, body);
    if (res.status !== 201) throw new Error(`target ${c}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  targets.accounts = await create('sally', 'accounts', validCreateBody('accounts'));
  for (const c of COLLECTION_NAMES) {
    if (c !== 'accounts') targets[c] = await create(WRITER[c], c, validCreateBody(c));
  }
  for (let i = 0; i < 3; i++) qualifiedLeads.push(await create('mark', 'leads', validCreateBody('leads')));
  // More than one account, so that lists and the target's timeline hand out real cursors.
  await create('sally', 'accounts', { name: 'Fuzz cursor one' });
  await create('sally', 'accounts', { name: 'Fuzz cursor two' });
  const ada = users.get('ada')!.client;
  for (const source of [
    '/v1/accounts?limit=1',
    `/v1/accounts?ownerId=${encodeURIComponent(users.get('sally')!.caller.userId)}&limit=1`,
    '/v1/contacts?limit=1',
    `/v1/accounts/${targets.accounts}/timeline?limit=1`,
  ]) {
    const res = await ada.get<{ nextCursor: string | null }>(source);
    if (res.body.nextCursor) cursors.push({ source, cursor: res.body.nextCursor });
  }
  expect(cursors.length).toBeGreaterThanOrEqual(3);
  for (const c of COLLECTION_NAMES) snapshots.set(`${c}:${targets[c]}`, (await adminRead(c, targets[c]))!);
  for (const id of qualifiedLeads) snapshots.set(`leads:${id}`, (await adminRead('leads', id))!);
  await snapshotTargets();
  tableAtStart = await stableCount();
}, 120_000);

afterAll(async () => {
  const total = tallies.reduce((n, t) => n + t.runs, 0);
  console.info(
    `fuzz total: ${total} bad requests (seed ${SEED}); ${tallies.map((t) => `${t.name} ${t.runs}`).join(', ')}`,
  );
  if (tableAtStart)
    expect(await countItems(), 'the table holds what it held before the fuzzing').toBe(tableAtStart);
});

// ── Generators ──────────────────────────────────────────────────────────────────────────────────
type Kind = 'string' | 'bool' | 'amount' | 'int' | 'object' | 'array';
const KIND: Record<string, Kind> = {
  marketingOptIn: 'bool',
  done: 'bool',
  amount: 'amount',
  score: 'int',
  relatedTo: 'object',
  tags: 'array',
};
const kindOf = (field: string): Kind => KIND[field] ?? 'string';
const fieldsOf = (c: CollectionName) => Object.keys(COLLECTIONS[c].fields);

const TRICKY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'PK',
  'SK',
  'GSI1PK',
  '_collection',
  '_deletedAt',
  '_expiresAt',
  '$where',
  '',
  ' ',
  'name ',
  'Name',
  'OWNERID',
  'owner_id',
  'a.b',
  'relatedTo.id',
  'ünïcødé',
  '🙂',
];

const anyKey = fc.oneof(
  fc.constantFrom(...TRICKY_KEYS),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
);
const unknownKeyOf = (known: readonly string[]) => anyKey.filter((k) => !known.includes(k));

const json = fc.jsonValue({ maxDepth: 3 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const anyString = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const nonEmptyArray = fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 4 });
/** An object with a key no field schema (not even relatedTo's {collection,id}) knows. */
const strangeObject = fc.dictionary(unknownKeyOf(['collection', 'id']), fc.jsonValue({ maxDepth: 2 }), {
  minKeys: 1,
  maxKeys: 3,
});
const badIdString = fc.oneof(
  anyString.filter((s) => !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(s)),
  fc.ulid().map((u) => u.toLowerCase()),
);
/** Over every field's limit (the longest, longText, takes 10 000), sometimes over the 256 KB body limit. */
const hugeString = fc
  .oneof(
    { weight: 9, arbitrary: fc.integer({ min: 10_001, max: 40_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 270_000, max: 300_000 }) },
  )
  .map((n) => 'x'.repeat(n));

/** A value the field's schema refuses, by type or range, whatever the rest of the body. */
function wrongValue(c: CollectionName, field: string, mode: 'create' | 'patch'): fc.Arbitrary<unknown> {
  const def = COLLECTIONS[c];
  // JSON merge patch: null removes an optional field, so null is only wrong where it cannot.
  const nullIsWrong = mode === 'create' || def.required.includes(field) || def.immutable?.includes(field);
  const common: fc.Arbitrary<unknown>[] = [strangeObject];
  if (nullIsWrong) common.push(fc.constant(null));
  switch (kindOf(field)) {
    case 'string':
      return fc.oneof(fc.integer(), finite, fc.boolean(), fc.array(json, { maxLength: 3 }), ...common);
    case 'bool':
      return fc.oneof(anyString, fc.integer(), nonEmptyArray, ...common);
    case 'amount':
      return fc.oneof(
        fc.boolean(),
        nonEmptyArray,
        fc.integer({ max: -1 }),
        fc.double({ min: -1e12, max: -0.0001, noNaN: true }),
        fc.double({ min: 1.0001e15, max: 1e300, noNaN: true }),
        fc.constantFrom('abc', '-1', '1.2345678', '1e3', '', ' 1', '1,000', '0x10', 'NaN', '١٢', '1.', '.5'),
        fc.constant('1234567890123456'),
        ...common,
      );
    case 'int':
      return fc.oneof(
        anyString,
        fc.boolean(),
        nonEmptyArray,
        fc.integer({ min: 101 }),
        fc.integer({ max: -1 }),
        fc.double({ min: 0.001, max: 99.999, noNaN: true }).filter((x) => !Number.isInteger(x)),
        ...common,
      );
    case 'object':
      return fc.oneof(
        anyString,
        fc.integer(),
        fc.boolean(),
        nonEmptyArray,
        fc.constant({}),
        fc.record({ collection: fc.constantFrom('activities', 'users', '', 'ACCOUNTS'), id: fc.ulid() }),
        fc.record({ collection: fc.constantFrom('accounts', 'contacts'), id: badIdString }),
        ...common,
      );
    case 'array':
      return fc.oneof(
        anyString,
        fc.integer(),
        fc.boolean(),
        fc.array(fc.oneof(fc.integer(), fc.boolean(), strangeObject), { minLength: 1, maxLength: 3 }),
        fc.constant(Array.from({ length: 51 }, (_, i) => `t${i}`)),
        fc.constant(['x'.repeat(51)]),
        fc.constant(['   ']),
        ...common,
      );
  }
}

type Entry = [string, unknown];

/** One change that alone makes a body invalid for the collection: unknown, server-owned or ill-typed. */
function badEntry(c: CollectionName, mode: 'create' | 'patch', fields = fieldsOf(c)): fc.Arbitrary<Entry> {
  const options: fc.Arbitrary<Entry>[] = [
    fc.tuple(unknownKeyOf(fieldsOf(c)), json),
    fc.tuple(
      fc.constantFrom(...SERVER_FIELDS),
      fc.oneof(json, fc.constantFrom('sales', 1, 2, '2020-01-01T00:00:00.000Z', 'x')),
    ),
    fc.constantFrom(...fields).chain((f) => wrongValue(c, f, mode).map((v): Entry => [f, v])),
    fc.constantFrom(...fields).chain((f) => hugeString.map((v): Entry => [f, v])),
  ];
  if (mode === 'patch' && COLLECTIONS[c].immutable?.length) {
    options.push(fc.constantFrom(...COLLECTIONS[c].immutable!).map((f): Entry => [f, validCreateBody(c)[f]]));
  }
  if (mode === 'patch' && c === 'leads') options.push(fc.constant<Entry>(['status', 'converted']));
  return fc.oneof(...options);
}

/** A valid base (or none) with 1–3 bad entries on top: the last word on a key is always a bad one. */
function badObject(c: CollectionName, mode: 'create' | 'patch', base: () => Record<string, unknown>) {
  return fc
    .record({ keepBase: fc.boolean(), bad: fc.array(badEntry(c, mode), { minLength: 1, maxLength: 3 }) })
    .map(({ keepBase, bad }) =>
      JSON.stringify(Object.fromEntries([...(keepBase ? Object.entries(base()) : []), ...bad])),
    );
}

/** A JSON body that is no object at all. */
const notAnObject = fc
  .oneof(fc.constant(null), fc.boolean(), fc.integer(), finite, anyString, fc.array(json, { maxLength: 4 }))
  .map((v) => JSON.stringify(v));

/** Deeply nested arrays or objects, as text (JSON.stringify would recurse), in a field or as the body. */
const deepNesting = fc
  .record({
    depth: fc.integer({ min: 50, max: 40_000 }),
    kind: fc.constantFrom('array', 'object'),
    wrap: fc.boolean(),
  })
  .map(({ depth, kind, wrap }) => {
    const inner =
      kind === 'array'
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return wrap ? `{"nested":${inner}}` : inner;
  });

/** Random objects made only of unknown keys. */
const unknownOnly = (c: CollectionName) =>
  fc.dictionary(unknownKeyOf(fieldsOf(c)), json, { minKeys: 1, maxKeys: 5 }).map((o) => JSON.stringify(o));

function badCreateBody(c: CollectionName): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: badObject(c, 'create', () => validCreateBody(c)) },
    { weight: 2, arbitrary: notAnObject },
    { weight: 2, arbitrary: unknownOnly(c) },
    { weight: 1, arbitrary: deepNesting },
  );
}

function badPatchBody(c: CollectionName): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: badObject(c, 'patch', () => validPatchBody(c)) },
    { weight: 2, arbitrary: notAnObject },
    { weight: 1, arbitrary: fc.constant('{}') },
    { weight: 2, arbitrary: unknownOnly(c) },
    { weight: 1, arbitrary: deepNesting },
  );
}

const collection = fc.constantFrom(...COLLECTION_NAMES);
const writerOrAdmin = (c: CollectionName) => fc.constantFrom<Who>('ada', WRITER[c]);

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD, as in UTF-8). */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

// ── Properties ──────────────────────────────────────────────────────────────────────────────────
describe('bad input never gets past validation, never breaks the server', () => {
  it(`create: ${RUNS.createBodies} bad bodies (unknown/server fields, wrong types, huge, deep, not objects)`, async () => {
    const arb = collection.chain((c) =>
      fc
        .record({ as: writerOrAdmin(c), body: badCreateBody(c) })
        .map(({ as, body }): Req => ({ as, method: 'POST', path: `/v1/${c}`, body })),
    );
    const examples = SERVER_FIELDS.map(
      (field): Req => ({
        as: 'sally',
        method: 'POST',
        path: '/v1/accounts',
        body: JSON.stringify({ name: 'Mass assignment', [field]: field === 'version' ? 7 : 'sales' }),
        label: `POST /v1/accounts with server field ${field}`,
      }),
    );
    await fuzz('create bodies', RUNS.createBodies, arb, [400, 413], { examples });
  });

  it(`patch: ${RUNS.patchBodies} bad merge patches on real records`, async () => {
    const arb = collection.chain((c) =>
      fc
        .record({ as: writerOrAdmin(c), body: badPatchBody(c) })
        .map(({ as, body }): Req => ({ as, method: 'PATCH', path: `/v1/${c}/${targets[c]}`, body })),
    );
    await fuzz('patch bodies', RUNS.patchBodies, arb, [400, 413]);
  });

  it(`raw bodies: ${RUNS.rawBodies} non-JSON text, wrong content types, huge and deep bodies`, async () => {
    const JSON_TYPES = [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/merge-patch+json',
      'application/vnd.api+json',
    ];
    const OTHER_TYPES = [
      null,
      'text/plain',
      'text/plain; charset=utf-8',
      'text/json',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      'application/x-json',
      'application/jsonp',
      'image/png',
      'json',
      '*/*',
    ];
    const notJson = fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        'name=x',
        '<account><name>x</name></account>',
        "{'name':'x'}",
        '{"name":"x",}',
        'NaN',
        'undefined',
        '{"name":"x"}{"name":"y"}',
        '[1,2',
        '"unterminated',
        '{"name": "x" /* comment */}',
        '\u0000',
      ),
      anyString.filter((s) => {
        if (s.trim() === '') return false;
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
    );
    type Target = { method: string; path: string; valid: string; who: Who[] };
    const target: fc.Arbitrary<Target> = fc.oneof(
      collection.map(
        (c): Target => ({
          method: 'POST',
          path: `/v1/${c}`,
          valid: JSON.stringify(validCreateBody(c)),
          who: ['ada', WRITER[c]],
        }),
      ),
      collection.map(
        (c): Target => ({
          method: 'PATCH',
          path: `/v1/${c}/${targets[c]}`,
          valid: JSON.stringify(validPatchBody(c)),
          who: ['ada', WRITER[c]],
        }),
      ),
      fc.constant({
        method: 'POST',
        path: `/v1/leads/${qualifiedLeads[0]}/convert`,
        valid: '{}',
        who: ['ada', 'sally'] as Who[],
      }),
    );
    type Variant = { kind: string; type: string | null; body: string | null };
    const variant = (kind: string, type: fc.Arbitrary<string | null>, body: fc.Arbitrary<string | null>) =>
      fc.record({ kind: fc.constant(kind), type, body });
    const arb = fc
      .record({
        target,
        ada: fc.boolean(),
        variant: fc.oneof<fc.Arbitrary<Variant>[]>(
          // A valid body under a type that is not JSON: 415, and nothing written.
          variant(
            'valid body under a non-JSON content type',
            fc.constantFrom(...OTHER_TYPES),
            fc.constant(null),
          ),
          variant('text that is not JSON', fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES), notJson),
          variant('deep nesting', fc.constantFrom(...JSON_TYPES), deepNesting),
          variant(
            'body over 256 KB',
            fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES),
            fc.integer({ min: 262_145, max: 300_000 }).map((n) => `{"name":"${'x'.repeat(n)}"}`),
          ),
          // The body is cut below.
          variant('truncated JSON', fc.constantFrom(...JSON_TYPES), fc.constant('')),
        ),
      })
      .chain(({ target: { method, path, valid, who }, ada, variant }) => {
        // The admin or a user who may write there: the request gets as far as its body.
        const as = ada ? 'ada' : (who[1] ?? 'ada');
        const label = `${method} ${shapeOf(path)}: ${variant.kind}`;
        const req = (body: string): Req => ({ as, method, path, body, contentType: variant.type, label });
        if (variant.body === '')
          return fc.integer({ min: 1, max: valid.length - 1 }).map((n) => req(valid.slice(0, n)));
        return fc.constant(req(variant.body ?? valid));
      });
    await fuzz('raw bodies', RUNS.rawBodies, arb, [400, 413, 415]);
  });

  it(`list and timeline: ${RUNS.listQueries} bad queries`, async () => {
    const sallyId = users.get('sally')!.caller.userId;
    /** Query parameters, and what makes them bad (for grouping). */
    type Part = { entries: [string, string][]; kind: string };
    const part =
      (key: string, kind: string) =>
      (value: string): Part => ({ entries: [[key, value]], kind });
    /** A cursor this list never gave out: edited, from another list, or forged with a valid checksum. */
    const badCursor = (q: IndexQuery, route: string): fc.Arbitrary<Part> => {
      const attrs = cursorAttributes(q);
      const others = cursors.filter((c) => !c.source.startsWith(`${route}?`) || c.source.includes('ownerId'));
      const forge = (payload: unknown) => encodeCursor(payload as Record<string, unknown>)!;
      return fc.oneof(
        fc
          .oneof(anyString, fc.base64String({ minLength: 4, maxLength: 80 }))
          .map(part('cursor', 'random cursor')),
        fc.constantFrom(...others.map((c) => c.cursor)).map(part('cursor', "another list's cursor")),
        fc
          .record({
            c: fc.constantFrom(...cursors.map((c) => c.cursor)),
            i: fc.nat(),
            ch: fc.constantFrom(...'Aa0_-.=+/'),
          })
          .map(({ c, i, ch }) => {
            const at = i % c.length;
            const to = c[at] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
            return `${c.slice(0, at)}${to}${c.slice(at + 1)}`;
          })
          .map(part('cursor', 'edited cursor')),
        // Valid checksum, the right attributes, some of them empty strings (no key value may be empty).
        fc
          .array(fc.boolean(), { minLength: attrs.length, maxLength: attrs.length })
          .filter((empties) => empties.some((e, i) => e && attrs[i] !== q.pkAttr))
          .map((empties) =>
            forge(
              Object.fromEntries(
                attrs.map((a, i) => [a, a === q.pkAttr ? q.pkValue : empties[i] ? '' : 'X']),
              ),
            ),
          )
          .map(part('cursor', 'forged cursor with empty key values')),
        fc
          .oneof(
            fc.dictionary(anyKey, fc.string(), { maxKeys: 4 }),
            fc.constant(Object.fromEntries(attrs.map((a) => [a, a === q.pkAttr ? 'accounts#OWNER#x' : 'X']))),
            fc.constant(
              Object.fromEntries(attrs.map((a) => [a, a === q.pkAttr ? q.pkValue : 'y'.repeat(1025)])),
            ),
            fc.constant(Object.fromEntries(attrs.map((a) => [a, a === q.pkAttr ? q.pkValue : 7]))),
            fc.oneof(fc.array(fc.string()), fc.string(), fc.integer(), fc.constant(null)),
          )
          .map((payload) => forge(payload))
          .map(part('cursor', 'forged cursor of the wrong shape')),
      );
    };
    const badLimit = fc
      .oneof(
        fc.constantFrom(
          '0',
          '101',
          '-1',
          '1.5',
          'abc',
          '',
          '1e2',
          ' 5',
          '5 ',
          '٣',
          '0x10',
          '1000',
          '+5',
          'NaN',
          '0010',
          '5,6',
        ),
        fc.integer({ min: 101, max: 2_000_000_000 }).map(String),
        fc.integer({ min: -1_000_000, max: 0 }).map(String),
        anyString.filter((s) => !(/^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 100)),
      )
      .map(part('limit', 'bad limit'));
    const listRoute = collection.chain((c) => {
      const filters = listFiltersOf(c);
      const allowed = ['limit', 'cursor', ...filters];
      const parts: fc.Arbitrary<Part>[] = [
        badLimit,
        badCursor(listQuery(c, { by: 'all' }), `/v1/${c}`),
        fc
          .tuple(unknownKeyOf([...allowed, '__proto__']), anyString)
          .map(([key, value]): Part => ({ entries: [[key, value]], kind: 'unknown parameter' })),
        fc
          .tuple(fc.constantFrom(...filters), fc.constantFrom('', 'f'.repeat(129), 'g'.repeat(5000)))
          .map(([key, value]): Part => ({ entries: [[key, value]], kind: 'filter value empty or over 128' })),
      ];
      if (filters.length > 1) {
        parts.push(
          // Two different filters, each with a fine value: only their number is wrong.
          fc.shuffledSubarray(filters, { minLength: 2, maxLength: 2 }).map(
            (fs): Part => ({
              entries: fs.map((f): [string, string] => [f, f === 'ownerId' ? sallyId : 'prospect']),
              kind: 'two filters',
            }),
          ),
        );
      }
      return fc
        .array(fc.oneof(...parts), { minLength: 1, maxLength: 3 })
        .map((ps) => ({ path: `/v1/${c}`, route: 'list', parts: ps }));
    });
    const timelineRoute = fc
      .array(
        fc.oneof(
          badLimit,
          badCursor(timelineQuery(targets.accounts), `/v1/accounts/${targets.accounts}/timeline`),
          fc
            .tuple(unknownKeyOf(['limit', 'cursor', '__proto__']), anyString)
            .map(([key, value]): Part => ({ entries: [[key, value]], kind: 'unknown parameter' })),
          fc.constantFrom<Part>(
            { entries: [['ownerId', sallyId]], kind: 'list filter' },
            { entries: [['status', 'open']], kind: 'list filter' },
          ),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((ps) => ({ path: `/v1/accounts/${targets.accounts}/timeline`, route: 'timeline', parts: ps }));
    const arb = fc
      .oneof({ weight: 4, arbitrary: listRoute }, { weight: 1, arbitrary: timelineRoute })
      .map(({ path, route, parts }): Req => {
        // One value per key (a repeated key would be joined with a comma and might turn valid).
        const seen = new Set<string>();
        const query = new URLSearchParams();
        const kinds = new Set<string>();
        for (const { entries, kind } of parts) {
          if (entries.some(([key]) => seen.has(key))) continue;
          kinds.add(kind);
          for (const [key, value] of entries) {
            seen.add(key);
            query.append(key, value);
          }
        }
        return {
          as: 'ada',
          method: 'GET',
          path: `${path}?${query}`,
          label: `${route} with ${[...kinds].sort().join(' & ')}`,
        };
      });
    // Every run tries a forged cursor (valid checksum, the right attributes, empty values) alone.
    const emptyKeys = (q: IndexQuery) =>
      encodeCursor(Object.fromEntries(cursorAttributes(q).map((a) => [a, a === q.pkAttr ? q.pkValue : ''])))!;
    const examples: Req[] = [
      {
        as: 'ada',
        method: 'GET',
        path: `/v1/accounts?cursor=${emptyKeys(listQuery('accounts', { by: 'all' }))}`,
        label: 'list with forged cursor with empty key values',
      },
      {
        as: 'ada',
        method: 'GET',
        path: `/v1/accounts/${targets.accounts}/timeline?cursor=${emptyKeys(timelineQuery(targets.accounts))}`,
        label: 'timeline with forged cursor with empty key values',
      },
    ];
    await fuzz('list queries', RUNS.listQueries, arb, [400], { examples });
  });

  it(`ids: ${RUNS.ids} bad, traversal-like, unicode, very long and near-miss ids on every id route`, async () => {
    const nearMiss = fc
      .constantFrom(...COLLECTION_NAMES)
      .chain((c) =>
        fc.constantFrom(
          `${targets[c]} `,
          ` ${targets[c]}`,
          `${targets[c]}\n`,
          targets[c].toLowerCase(),
          `${targets[c]}#RECORD`,
          `${targets[c]}/`,
          `${targets[c]}0`,
          targets[c].slice(1),
          `../${c}/${targets[c]}`,
        ),
      );
    const encodedId = fc.oneof(
      anyString,
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom(
        '',
        '.',
        '..',
        '../..',
        '../../../../etc/passwd',
        '..\\..\\windows\\win.ini',
        '%2e%2e%2f',
        '....//',
        '/etc/passwd',
        'ACCOUNT#x',
        'RECORD',
        '*',
        '\u0000',
        'null',
        'undefined',
        '[object Object]',
        '$(reboot)',
        "' OR '1'='1",
      ),
      fc.integer({ min: 300, max: 6000 }).map((n) => 'A'.repeat(n)),
      fc.string({ unit: 'grapheme', minLength: 300, maxLength: 900 }),
      fc.ulid().map((u) => u.toLowerCase()),
      fc.ulid(),
      nearMiss,
    );
    /** Not percent-encoded: malformed or non-UTF-8 escapes, as a client may send them. */
    const rawId = fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
        fc.constantFrom('%', '%2', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%80', '%%'),
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
      )
      .map((parts) => ({ id: parts.join(''), kind: 'raw id with a malformed or non-UTF-8 %-escape' }));
    const id = fc.oneof(
      {
        weight: 6,
        arbitrary: encodedId
          .map(pct)
          .filter((p) => p.length <= 10_000)
          .map((p) => ({ id: p, kind: 'percent-encoded bad id' })),
      },
      { weight: 1, arbitrary: rawId },
    );
    const arb = fc
      .record({
        id,
        c: collection,
        ada: fc.boolean(),
        route: fc.constantFrom('get', 'patch', 'delete', 'timeline', 'convert'),
      })
      .map(({ id: { id, kind }, c, ada, route }): Req => {
        // The admin, or a user who may write the collection (or convert leads), so that a missing
        // record is the only reason to refuse: 404, as for any id the caller cannot see.
        const as: Who = ada ? 'ada' : route === 'convert' || route === 'timeline' ? 'sally' : WRITER[c];
        const label = `${route} with a ${kind}`;
        switch (route) {
          case 'get':
            return { as, label, method: 'GET', path: `/v1/${c}/${id}` };
          case 'patch':
            return {
              as,
              label,
              method: 'PATCH',
              path: `/v1/${c}/${id}`,
              body: JSON.stringify(validPatchBody(c)),
            };
          case 'delete':
            return { as, label, method: 'DELETE', path: `/v1/${c}/${id}` };
          case 'timeline':
            return { as, label, method: 'GET', path: `/v1/accounts/${id}/timeline` };
          default:
            return { as, label, method: 'POST', path: `/v1/leads/${id}/convert`, body: '{}' };
        }
      });
    const examples = ['%E0%A4%A', '%zz', '%'].map(
      (id): Req => ({
        as: 'ada',
        method: 'GET',
        path: `/v1/accounts/${id}`,
        label: 'get with a raw id with a malformed or non-UTF-8 %-escape',
      }),
    );
    await fuzz('ids', RUNS.ids, arb, [404], { examples });
  });

  it(`headers: ${RUNS.headers} garbage If-Match, bad Idempotency-Key, forged Authorization`, async () => {
    /** What fetch can put in a header value: tab, printable ASCII and Latin-1 (no other controls). */
    const headerText = (min: number, max: number) =>
      fc.string({
        unit: fc
          .oneof(
            { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
            { weight: 2, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
            { weight: 1, arbitrary: fc.constant(0x09) },
          )
          .map((code) => String.fromCharCode(code)),
        minLength: min,
        maxLength: max,
      });
    const trimmed = (s: string) => s.replace(/^[\t ]+|[\t ]+$/g, '');
    const ifMatch = fc
      .oneof(
        fc.constantFrom(
          '"abc"',
          'W/"x"',
          '"1", "2"',
          '"-1"',
          '"1.5"',
          '"9999999999999"',
          '""',
          '"',
          '1',
          'W/1',
          'w/"1"',
          '"1"x',
          '*,*',
          '**',
          'null',
          '"1',
          '1"',
          "'1'",
          '"1"\u00a0',
        ),
        headerText(1, 40),
      )
      .filter((v) => {
        const t = trimmed(v);
        return t !== '' && t !== '*' && !/^\s*(?:W\/)?"\d{1,12}"\s*$/.test(t);
      });
    const idempotencyKey = fc
      .oneof(
        fc.constantFrom('a b', 'key with spaces', 'tab\there', 'clé', 'naïve', 'a\u00a0b'),
        fc.integer({ min: 256, max: 4000 }).map((n) => 'k'.repeat(n)),
        headerText(1, 60),
      )
      .filter((v) => {
        const t = trimmed(v);
        // fetch refuses characters above U+00FF; what it sends must be a key the contract refuses.
        return t !== '' && /^[\t\x20-\xff]*$/.test(v) && !/^[\x21-\x7e]{1,255}$/.test(t);
      });
    const token = users.get('sally')!.token;
    const [head = '', payload = '', signature = ''] = token.split('.');
    const authorization = fc.oneof(
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic c2FsbHk6cGFzcw==',
        `Token ${token}`,
        `Bearer ${token}.x`,
        `Bearer ${head}.${payload}`,
        `Bearer eyJhbGciOiJub25lIn0.${payload}.`,
        `Bearer ${head}.${payload}.`,
        `Bearer ${token} ${token}`,
      ),
      headerText(0, 80),
      fc.string({ minLength: 1, maxLength: 200 }).map((s) => `Bearer ${s.replace(/\s/g, '_')}`),
      // A real token with one character of its payload changed (never the last, whose low bits may not count).
      fc.record({ i: fc.nat(), ch: fc.constantFrom(...'AbZ09-_') }).map(({ i, ch }) => {
        const at = i % Math.max(1, payload.length - 1);
        const to = payload[at] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
        return `Bearer ${head}.${payload.slice(0, at)}${to}${payload.slice(at + 1)}.${signature}`;
      }),
    );
    const arb: fc.Arbitrary<Req> = fc.oneof(
      fc
        .record({
          c: collection,
          value: ifMatch,
          method: fc.constantFrom('PATCH', 'DELETE'),
          as: fc.constantFrom<Who>('ada'),
        })
        .map(
          ({ c, value, method, as }): Req => ({
            as,
            method,
            path: `/v1/${c}/${targets[c]}`,
            headers: { 'if-match': value },
            ...(method === 'PATCH' ? { body: JSON.stringify(validPatchBody(c)) } : {}),
            expect: [400],
            label: `${method} with a garbage If-Match`,
          }),
        ),
      fc.record({ c: collection, value: idempotencyKey }).map(
        ({ c, value }): Req => ({
          as: 'ada',
          method: 'POST',
          path: `/v1/${c}`,
          headers: { 'idempotency-key': value },
          body: JSON.stringify(validCreateBody(c)),
          expect: [400],
          label: 'POST (valid body) with a bad Idempotency-Key',
        }),
      ),
      fc
        .record({
          value: authorization,
          route: fc.constantFrom(
            'GET /v1/accounts',
            'GET /v1/me',
            'POST /v1/accounts',
            'DELETE /v1/accounts/{id}',
          ),
        })
        .map(({ value, route }): Req => {
          const [method = 'GET', path = ''] = route.split(' ');
          return {
            method,
            path: path.replace('{id}', targets.accounts),
            headers: { authorization: value },
            ...(method === 'POST' ? { body: JSON.stringify(validCreateBody('accounts')) } : {}),
            expect: [401],
            label: `${route} with a bad Authorization`,
          };
        }),
    );
    await fuzz('headers', RUNS.headers, arb, [400, 401]);
  });

  it(`lead conversion: ${RUNS.convertBodies} bad conversion bodies on qualified leads`, async () => {
    // Fields a conversion overwrites itself (accountId) would make a bad entry harmless: left out.
    const partEntry = (c: 'accounts' | 'contacts' | 'opportunities') =>
      badEntry(
        c,
        'create',
        fieldsOf(c).filter((f) => f !== 'accountId'),
      );
    const part = (c: 'accounts' | 'contacts' | 'opportunities') =>
      fc.oneof(
        fc.array(partEntry(c), { minLength: 1, maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
        fc.oneof(fc.constant(null), anyString, fc.integer(), fc.boolean(), fc.array(json, { maxLength: 3 })),
      );
    const PARTS = { account: 'accounts', contact: 'contacts', opportunity: 'opportunities' } as const;
    const tagged = (kind: string, text: fc.Arbitrary<string>) => text.map((body) => ({ kind, body }));
    const body = fc.oneof(
      tagged(
        'a JSON value that is not an object',
        notAnObject.filter((t) => t !== 'null'),
      ),
      tagged('the JSON value null', fc.constant('null')),
      fc
        .record({
          key: fc.constantFrom('account', 'contact', 'opportunity') as fc.Arbitrary<keyof typeof PARTS>,
          extra: fc.boolean(),
        })
        .chain(({ key, extra }) =>
          // The bad part comes last, so a valid extra part can never replace it.
          tagged(
            `a bad ${key}`,
            part(PARTS[key]).map((value) =>
              JSON.stringify({ ...(extra ? { opportunity: { amount: '10.00' } } : {}), [key]: value }),
            ),
          ),
        ),
      tagged(
        'an unknown top-level field',
        fc
          .tuple(unknownKeyOf(['accountId', 'account', 'contact', 'opportunity']), json)
          .map((entry) => JSON.stringify(Object.fromEntries([entry]))),
      ),
      tagged(
        'a malformed accountId',
        fc.oneof(badIdString, fc.integer(), fc.boolean()).map((accountId) => JSON.stringify({ accountId })),
      ),
      tagged(
        'both accountId and account',
        fc.constant(JSON.stringify({ accountId: targets.accounts, account: { name: 'Both' } })),
      ),
      // Well-formed, but no such account: the transaction must refuse and write nothing.
      tagged(
        'an accountId of no account',
        fc.ulid().map((accountId) => JSON.stringify({ accountId })),
      ),
      tagged(
        'deep nesting in account',
        deepNesting.map((nested) => `{"account":${nested.startsWith('{') ? nested : `{"x":${nested}}`}}`),
      ),
    );
    const arb = fc
      .record({ body, slot: fc.nat(qualifiedLeads.length - 1), as: fc.constantFrom<Who>('ada', 'sally') })
      .map(
        ({ body, slot, as }): Req => ({
          as,
          method: 'POST',
          path: `/v1/leads/{slot:${slot}}/convert`,
          body: body.body,
          label: `convert with ${body.kind}`,
        }),
      );
    // The lead is picked when the request is sent: one that a bad request did convert (a violation
    // already) is replaced by a fresh qualified lead, so that the later requests still test something.
    const pool = [...qualifiedLeads];
    const sendToPool = async (req: Req): Promise<RawReply> => {
      const slot = Number(/\{slot:(\d+)\}/.exec(req.path)?.[1] ?? 0);
      // The request object is this run's own: naming the lead in it makes the report concrete.
      req.path = req.path.replace(/\{slot:\d+\}/, pool[slot]!);
      const reply = await send(req);
      if (reply.status === 201) {
        const fresh = await users.get('mark')!.client.post<CrmRecord>('/v1/leads', validCreateBody('leads'));
        pool[slot] = fresh.body.id;
      }
      return reply;
    };
    const examples = ['null', '[]', '"{}"'].map(
      (body): Req => ({
        as: 'sally',
        method: 'POST',
        path: '/v1/leads/{slot:0}/convert',
        body,
        label:
          body === 'null'
            ? 'convert with the JSON value null'
            : 'convert with a JSON value that is not an object',
      }),
    );
    await fuzz('convert bodies', RUNS.convertBodies, arb, [400, 413], { send: sendToPool, examples });
  });

  it(`raw HTTP: ${RUNS.rawHttp} requests with control characters in headers or over-long request lines`, async () => {
    const CONTROLS = [
      ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) => ![9, 10, 13].includes(i)),
      0x7f,
    ];
    const control = fc.constantFrom(...CONTROLS).map((c) => String.fromCharCode(c));
    const arb = fc.oneof(
      fc.record({ before: fc.stringMatching(/^[a-z0-9]{1,10}$/), ch: control }).map(
        ({ before, ch }): Req => ({
          as: 'ada',
          method: 'POST',
          path: '/v1/accounts',
          headers: { 'idempotency-key': `${before}${ch}x` },
          body: JSON.stringify(validCreateBody('accounts')),
          label: 'control character in Idempotency-Key',
        }),
      ),
      fc.record({ ch: control, c: collection }).map(
        ({ ch, c }): Req => ({
          as: 'ada',
          method: 'PATCH',
          path: `/v1/${c}/${targets[c]}`,
          headers: { 'if-match': `"1${ch}"` },
          body: JSON.stringify(validPatchBody(c)),
          label: 'control character in If-Match',
        }),
      ),
      fc.integer({ min: 17_000, max: 40_000 }).map(
        (n): Req => ({
          as: 'ada',
          method: 'GET',
          path: `/v1/accounts/${'A'.repeat(n)}`,
          label: 'request line over 16 KB',
        }),
      ),
    );
    await fuzz('raw http', RUNS.rawHttp, arb, [400, 404, 414, 431], { send: sendRaw });
  });
});

describe('an oversized body', () => {
  /**
   * One keep-alive connection (maxSockets 1), so the request after the 413 travels on the very
   * connection whose body the gateway stopped reading.
   */
  it.each([300_000, 600_000, 2_000_000])(
    'of %i bytes gets 413, and the next request on its keep-alive connection still gets an answer',
    async (size) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const url = new URL(stack().apiUrl);
      const token = users.get('ada')!.token;
      const post = (body: string) =>
        new Promise<RawReply & { ms: number }>((resolve) => {
          const at = Date.now();
          const request = http.request(
            {
              host: url.hostname,
              port: url.port,
              method: 'POST',
              path: '/v1/accounts',
              agent,
              headers: {
                authorization: `Bearer ${token}`,
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                text += chunk;
              });
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  contentType: res.headers['content-type'] ?? null,
                  text,
                  ms: Date.now() - at,
                }),
              );
            },
          );
          request.on('error', (error: Error & { code?: string }) =>
            resolve({
              status: 0,
              contentType: null,
              text: `no reply: ${error.code ?? error.message}`,
              ms: Date.now() - at,
            }),
          );
          request.setTimeout(3000, () =>
            request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT (3 s)' })),
          );
          request.end(body);
        });
      try {
        const before = await countItems();
        const big = await post(JSON.stringify({ name: 'x'.repeat(size) }));
        expect(problemViolations(big)).toEqual([]);
        expect(big.status).toBe(413);
        const next = await post(JSON.stringify({ bogus: true }));
        expect(next.text, 'the next request is answered').not.toMatch(/^no reply/);
        expect(next.status).toBe(400);
        expect(problemViolations(next)).toEqual([]);
        expect(await countItems()).toBe(before);
      } finally {
        agent.destroy();
      }
    },
  );
});

/** Writes the request on a socket byte for byte (no client-side header checks), reads the reply. */
async function sendRaw(req: Req): Promise<RawReply> {
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
