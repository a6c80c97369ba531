import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../infra/local/api-client.js';
import { DEPARTMENTS, type Department, isDepartment } from '../../shared/config/departments.js';
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  COMMENTABLE_COLLECTIONS,
  type CollectionName,
  type CrmRecord,
  hasRecordRoute,
  type RecordRouteKind,
} from '../../shared/domain/collections.js';
import { HANDOFF_MOVE_NAMES, HANDOFF_MOVES, type Handoff } from '../../shared/domain/handoffs.js';
import { type Caller, hasAnyRole } from '../../shared/policy/caller.js';
import {
  canComment,
  canDeleteComment,
  canEditComment,
  canReadRecord,
  canWatch,
} from '../../shared/policy/collaboration.js';
import { canMoveHandoff, canReadHandoff, canRequestHandoff } from '../../shared/policy/handoffs.js';
import { MATRIX } from '../../shared/policy/matrix.js';
import {
  canAdminister,
  canConvertLead,
  canCreate,
  canRead,
  canReadAuditTrail,
  changeFeedOf,
  departmentReads,
  mayReadAuditTrails,
  meetsGuard,
  ownerDeptFor,
  permissionsOf,
  redact,
  writeGuard,
} from '../../shared/policy/policy.js';
import { eventually } from '../support/change-log.js';
import { PATCH_FIELD } from '../support/record-fixtures.js';
import { type RoleMatrixReply, useMatrixInForce } from '../support/role-matrix.js';
import { ensureUser, type SignedIn, signIn } from '../support/role-users.js';
import { countItems, stableCount } from '../support/table-count.js';

/**
 * The authorization matrix, through HTTP: every record route × every role × ownership. The expected
 * status of each case is not written down here: it is what the policy module (canRead, writeScope
 * via canCreate/canWriteRecord, canConvertLead, redact) decides for the Caller that the user's token
 * yields and the record as stored. The API must agree with its own policy on every cell.
 */

// ── Who ─────────────────────────────────────────────────────────────────────────────────────────
interface RoleSpec {
  role: string;
  username: string;
  groups: string[];
  /** Another user of the same department (none for admins and the roleless). */
  peer?: string;
}

const ROLES: RoleSpec[] = [
  { role: 'sales member', username: 'sally', groups: ['sales'], peer: 'authz-sales-2' },
  { role: 'sales manager', username: 'max', groups: ['sales', 'managers'], peer: 'sally' },
  { role: 'marketing member', username: 'mark', groups: ['marketing'], peer: 'authz-mkt-mgr' },
  {
    role: 'marketing manager',
    username: 'authz-mkt-mgr',
    groups: ['marketing', 'managers'],
    peer: 'mark',
  },
  { role: 'support member', username: 'sue', groups: ['support'], peer: 'authz-sup-mgr' },
  { role: 'support manager', username: 'authz-sup-mgr', groups: ['support', 'managers'], peer: 'sue' },
  { role: 'admin', username: 'ada', groups: ['admins'] },
  { role: 'roleless', username: 'authz-roleless', groups: [] },
];

/** Users this file makes in the pool (the rest are demo users). */
const EXTRA_USERS: { username: string; groups: string[] }[] = [
  { username: 'authz-sales-2', groups: ['sales'] },
  { username: 'authz-mkt-mgr', groups: ['marketing', 'managers'] },
  { username: 'authz-sup-mgr', groups: ['support', 'managers'] },
  { username: 'authz-roleless', groups: [] },
];

/** A plain member of each department: the owner of "another department's record". */
const MEMBER_OF: Record<Department, string> = { sales: 'sally', marketing: 'mark', support: 'sue' };

const OWNERS = [...new Set([...ROLES.map((r) => r.username), ...EXTRA_USERS.map((u) => u.username)])];

const departmentOf = (spec: RoleSpec) => spec.groups.find(isDepartment);

// ── Whose record ────────────────────────────────────────────────────────────────────────────────
type Ownership = 'own' | 'same-dept' | 'other-dept';
const OWNERSHIP_LABEL: Record<Ownership, string> = {
  own: 'own record',
  'same-dept': "another owner's in the same department",
  'other-dept': "another department's record",
};

/**
 * The owner of another department's record in collection c: a member of the department that writes
 * c (its home department first) when that is not the caller's, else of any other department.
 */
function otherDepartmentOwner(spec: RoleSpec, c: CollectionName): string {
  const mine = departmentOf(spec);
  const rule = MATRIX[c].write;
  const writers: readonly Department[] = rule === 'all' ? DEPARTMENTS : rule;
  const candidates = [MATRIX[c].homeDept, ...DEPARTMENTS].filter((d) => d !== mine);
  const dept = candidates.find((d) => writers.includes(d)) ?? candidates[0]!;
  return MEMBER_OF[dept];
}

function ownerFor(spec: RoleSpec, ownership: Ownership, c: CollectionName): string | undefined {
  if (ownership === 'own') return spec.username;
  if (ownership === 'same-dept') return spec.peer;
  return otherDepartmentOwner(spec, c);
}

// ── The cases ───────────────────────────────────────────────────────────────────────────────────
type RouteName = 'create' | 'get' | 'patch' | 'delete' | 'list' | 'timeline' | 'convert';

interface Case {
  key: string;
  title: string;
  route: RouteName;
  collection: CollectionName;
  spec: RoleSpec;
  ownership?: Ownership;
  owner?: string;
}

const ROUTE_LABEL: Record<RouteName, (c: CollectionName) => string> = {
  create: (c) => `POST /v1/${c}`,
  get: (c) => `GET /v1/${c}/{id}`,
  patch: (c) => `PATCH /v1/${c}/{id}`,
  delete: (c) => `DELETE /v1/${c}/{id}`,
  list: (c) => `GET /v1/${c}?ownerId=`,
  timeline: () => 'GET /v1/accounts/{id}/timeline',
  convert: () => 'POST /v1/leads/{id}/convert',
};

function casesFor(route: RouteName, collections: readonly CollectionName[], withOwnership = true): Case[] {
  const out: Case[] = [];
  for (const collection of collections) {
    for (const spec of ROLES) {
      const ownerships: (Ownership | undefined)[] = withOwnership
        ? ['own', 'same-dept', 'other-dept']
        : [undefined];
      for (const ownership of ownerships) {
        const owner = ownership ? ownerFor(spec, ownership, collection) : undefined;
        if (ownership && !owner) continue;
        const parts = [ROUTE_LABEL[route](collection), spec.role];
        if (ownership && owner) parts.push(`${OWNERSHIP_LABEL[ownership]} (${owner}'s)`);
        out.push({
          key: `${route}:${collection}:${spec.username}:${ownership ?? '-'}`,
          title: parts.join(' · '),
          route,
          collection,
          spec,
          ownership,
          owner,
        });
      }
    }
  }
  return out;
}

/** The collections a generic record route serves (handoffs have routes of their own: the last section). */
const servedBy = (kind: RecordRouteKind) => COLLECTION_NAMES.filter((c) => hasRecordRoute(c, kind));
const CASES = {
  create: casesFor('create', servedBy('create'), false),
  get: casesFor('get', servedBy('get')),
  patch: casesFor('patch', servedBy('patch')),
  delete: casesFor('delete', servedBy('delete')),
  list: casesFor('list', servedBy('list')),
  timeline: casesFor('timeline', ['accounts']),
  convert: casesFor('convert', ['leads']),
};
const MATRIX_SIZE = Object.values(CASES).reduce((n, list) => n + list.length, 0);

// ── What the policy expects ─────────────────────────────────────────────────────────────────────
/** The status the contract gives for this route, derived from the policy functions alone. */
function expectedStatus(route: RouteName, caller: Caller, c: CollectionName, record?: CrmRecord): number {
  const status = decide(route, caller, c, record);
  const key = `${route} ${status}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  return status;
}

/** How many cases expected which status, per route: printed at the end, so the spread shows. */
const tally = new Map<string, number>();

function decide(route: RouteName, caller: Caller, c: CollectionName, record?: CrmRecord): number {
  if (!hasAnyRole(caller)) return 403;
  switch (route) {
    case 'create':
      return canCreate(caller, c) ? 201 : 403;
    case 'list':
      return canRead(caller, c) ? 200 : 403;
    case 'get':
      return canRead(caller, c) ? 200 : 404;
    case 'timeline':
      return canRead(caller, 'accounts') ? 200 : 404;
    case 'patch':
    case 'delete': {
      if (!canRead(caller, c)) return 404;
      // The guard the write's condition states, and the predicate that tells a denied write (403).
      const guard = writeGuard(caller, c);
      if (!guard || !meetsGuard(guard, record!)) return 403;
      return route === 'patch' ? 200 : 204;
    }
    case 'convert':
      if (!canRead(caller, 'leads')) return 404;
      return canConvertLead(caller) ? 201 : 403;
  }
}

// ── State made once ─────────────────────────────────────────────────────────────────────────────
const users = new Map<string, SignedIn>();
/** `${collection}:${owner}` → id of the shared fixture record. */
const fixtures = new Map<string, string>();
/** case key → id of a record that only this case uses (deletes and conversions consume theirs). */
const disposables = new Map<string, string>();
let scratchAccountId = '';
let optInContactId = '';
let sequence = 0;

const user = (username: string) => {
  const u = users.get(username);
  if (!u) throw new Error(`no signed-in user ${username}`);
  return u;
};
const admin = () => user('ada');
const fixtureId = (c: CollectionName, owner: string) => {
  const id = fixtures.get(`${c}:${owner}`);
  if (!id) throw new Error(`no fixture ${c} of ${owner}`);
  return id;
};

function bodyFor(c: CollectionName, label: string, accountId: string): Record<string, unknown> {
  switch (c) {
    case 'accounts':
      return { name: label, industry: 'Initial', lifecycleStage: 'prospect', tags: ['matrix'] };
    case 'contacts':
      return {
        accountId,
        firstName: 'Casey',
        lastName: label,
        email: 'casey@matrix.example',
        phone: '+1 555 0100',
        title: 'Initial',
        marketingOptIn: false,
      };
    case 'leads':
      return {
        name: `Lee ${label}`,
        email: 'lee@matrix.example',
        company: `${label} Co`,
        source: 'Initial',
        score: 50,
        status: 'working',
      };
    case 'opportunities':
      return { accountId, name: label, amount: '12345.67', currency: 'EUR', stage: 'proposal' };
    case 'cases':
      return { accountId, subject: label, description: 'Initial', priority: 'high' };
    case 'activities':
      return {
        type: 'call',
        subject: label,
        body: 'Initial',
        relatedTo: { collection: 'accounts', id: accountId },
      };
    case 'handoffs':
      return { record: { collection: 'accounts', id: accountId }, toDept: 'support', reason: label };
    case 'comments':
      // Served under the record it is on (the comments section below), never by the generic routes.
      return { body: label };
  }
}

/**
 * Creates a record owned by `owner`: as the owner where the owner may create in the collection,
 * else as the admin with `ownerId` set to the owner (an assignment).
 */
async function createOwned(
  c: CollectionName,
  owner: string,
  body: Record<string, unknown>,
): Promise<CrmRecord> {
  const o = user(owner);
  const byOwner = canCreate(o.caller, c);
  const creator = byOwner ? o : admin();
  const res = await creator.client.post<CrmRecord>(
    `/v1/${c}`,
    byOwner ? body : { ...body, ownerId: o.caller.userId },
  );
  if (res.status !== 201) {
    throw new Error(`fixture ${c} of ${owner}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  expect(res.body.ownerId).toBe(o.caller.userId);
  return res.body;
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

async function adminGet(c: CollectionName, id: string): Promise<Reply<CrmRecord>> {
  return admin().client.get<CrmRecord>(`/v1/${c}/${id}`);
}

async function stored(c: CollectionName, id: string): Promise<CrmRecord> {
  const res = await adminGet(c, id);
  expect(res.status, `admin reads ${c}/${id}`).toBe(200);
  return res.body;
}

function expectProblem(res: Reply<unknown>, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
}

/** docs/api.md "Permissions"'s field rules, stated once more in plain words next to the derived `redact`. */
function expectHiddenFields(
  caller: Caller,
  c: CollectionName,
  full: CrmRecord,
  seen: Record<string, unknown>,
) {
  if (c === 'opportunities') {
    expect(full.amount, 'the fixture has an amount').toBeDefined();
    const sees = caller.isAdmin || caller.isManager || caller.department === 'sales';
    expect('amount' in seen, `amount ${sees ? 'shown' : 'hidden'}`).toBe(sees);
  }
  if (c === 'contacts') {
    expect(full.email, 'the fixture has an email').toBeDefined();
    expect(full.phone, 'the fixture has a phone').toBeDefined();
    const hidden = !caller.isAdmin && caller.department === 'marketing' && full.marketingOptIn !== true;
    expect('email' in seen, `email ${hidden ? 'hidden' : 'shown'}`).toBe(!hidden);
    expect('phone' in seen, `phone ${hidden ? 'hidden' : 'shown'}`).toBe(!hidden);
  }
}

beforeAll(async () => {
  for (const u of EXTRA_USERS) await ensureUser(u.username, u.groups);
  await Promise.all(
    OWNERS.map(async (username) => {
      users.set(username, await signIn(username));
    }),
  );
  // The expectations come from the matrix in force: the cells admins set, as the API reports them.
  await useMatrixInForce(user('ada').client);

  const scratch = await user('sally').client.post<CrmRecord>('/v1/accounts', { name: 'Matrix scratch' });
  expect(scratch.status).toBe(201);
  scratchAccountId = scratch.body.id;

  // Shared fixtures: one record per collection and owner; each owner's contact, opportunity, case
  // and activity hang off that owner's account, so every fixture account has a timeline.
  await inBatches(OWNERS, 8, async (owner) => {
    const account = await createOwned('accounts', owner, bodyFor('accounts', `fixture ${owner}`, ''));
    fixtures.set(`accounts:${owner}`, account.id);
  });
  const rest = servedBy('create')
    .filter((c) => c !== 'accounts')
    .flatMap((c) => OWNERS.map((owner) => ({ c, owner })));
  await inBatches(rest, 8, async ({ c, owner }) => {
    const record = await createOwned(c, owner, bodyFor(c, `fixture ${owner}`, fixtureId('accounts', owner)));
    fixtures.set(`${c}:${owner}`, record.id);
  });

  const optIn = await user('sally').client.post<CrmRecord>('/v1/contacts', {
    ...bodyFor('contacts', 'opted in', scratchAccountId),
    marketingOptIn: true,
  });
  expect(optIn.status).toBe(201);
  optInContactId = optIn.body.id;

  // One record per delete and per convert case (on the scratch account, off the fixture timelines).
  const consumed = [...CASES.delete, ...CASES.convert];
  await inBatches(consumed, 8, async (k) => {
    const body = bodyFor(k.collection, `disposable ${k.key}`, scratchAccountId);
    if (k.route === 'convert') body.status = 'qualified';
    const record = await createOwned(k.collection, k.owner!, body);
    disposables.set(k.key, record.id);
  });
  console.info(
    `authorization matrix: ${MATRIX_SIZE} cases (create ${CASES.create.length}, get ${CASES.get.length}, ` +
      `patch ${CASES.patch.length}, delete ${CASES.delete.length}, list ${CASES.list.length}, ` +
      `timeline ${CASES.timeline.length}, convert ${CASES.convert.length}); ` +
      `${fixtures.size} fixtures, ${disposables.size} disposable records`,
  );
}, 180_000);

afterAll(() => {
  const lines = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
  console.info(`expected outcomes per route (get includes the 8 opt-in checks): ${lines.join(', ')}`);
});

describe('GET /v1/me shows the permissions the policy applies', () => {
  for (const spec of ROLES)
    it(`GET /v1/me · ${spec.role}`, async () => {
      const u = user(spec.username);
      // The token carries exactly the groups this role is made of.
      expect([...u.caller.groups].sort()).toEqual([...spec.groups].sort());
      const res = await u.client.get<Record<string, unknown>>('/v1/me');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        userId: u.caller.userId,
        username: spec.username,
        department: u.caller.department ?? null,
        groups: u.caller.groups,
      });
      expect(res.body.permissions).toEqual(permissionsOf(u.caller));
    });
});

describe('create', () => {
  for (const k of CASES.create)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const expected = expectedStatus('create', caller, k.collection);
      const before = await countItems();
      const res = await client.post<CrmRecord>(
        `/v1/${k.collection}`,
        bodyFor(k.collection, `created by ${k.spec.role}`, scratchAccountId),
      );
      expect(res.status).toBe(expected);
      if (expected === 201) {
        expect(res.body).toMatchObject({
          version: 1,
          ownerId: caller.userId,
          createdBy: caller.userId,
          ownerDept: ownerDeptFor(caller, k.collection),
        });
        expect(res.body).toEqual(redact(caller, k.collection, await stored(k.collection, res.body.id)));
      } else {
        expectProblem(res, expected);
        expect(await countItems(), 'a refused create writes nothing').toBe(before);
      }
    });
});

describe('get', () => {
  for (const k of CASES.get)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const id = fixtureId(k.collection, k.owner!);
      const full = await stored(k.collection, id);
      const expected = expectedStatus('get', caller, k.collection, full);
      const res = await client.get<CrmRecord>(`/v1/${k.collection}/${id}`);
      expect(res.status).toBe(expected);
      if (expected === 200) {
        expect(res.headers.get('etag')).toBe(`"${full.version}"`);
        expect(res.body).toEqual(redact(caller, k.collection, full));
        expectHiddenFields(caller, k.collection, full, res.body);
      } else {
        expectProblem(res, expected);
      }
    });

  for (const spec of ROLES)
    it(`GET /v1/contacts/{id} with marketingOptIn true · ${spec.role}`, async () => {
      const { caller, client } = user(spec.username);
      const full = await stored('contacts', optInContactId);
      const expected = expectedStatus('get', caller, 'contacts', full);
      const res = await client.get<CrmRecord>(`/v1/contacts/${optInContactId}`);
      expect(res.status).toBe(expected);
      if (expected === 200) {
        expect(res.body).toEqual(redact(caller, 'contacts', full));
        expectHiddenFields(caller, 'contacts', full, res.body);
      } else {
        expectProblem(res, expected);
      }
    });
});

describe('patch', () => {
  for (const k of CASES.patch)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const id = fixtureId(k.collection, k.owner!);
      const before = await stored(k.collection, id);
      const expected = expectedStatus('patch', caller, k.collection, before);
      const field = PATCH_FIELD[k.collection];
      const value = `patched ${++sequence} by ${k.spec.role}`;
      const res = await client.patch<CrmRecord>(`/v1/${k.collection}/${id}`, { [field]: value });
      expect(res.status).toBe(expected);
      const after = await stored(k.collection, id);
      if (expected === 200) {
        expect(after.version).toBe(before.version + 1);
        expect(after[field]).toBe(value);
        expect(after.updatedBy).toBe(caller.userId);
        expect(res.body).toEqual(redact(caller, k.collection, after));
      } else {
        expectProblem(res, expected);
        expect(after, 'a refused patch changes nothing').toEqual(before);
      }
    });
});

describe('delete', () => {
  for (const k of CASES.delete)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const id = disposables.get(k.key)!;
      const before = await stored(k.collection, id);
      const expected = expectedStatus('delete', caller, k.collection, before);
      const res = await client.delete(`/v1/${k.collection}/${id}`);
      expect(res.status).toBe(expected);
      if (expected === 204) {
        expect((await adminGet(k.collection, id)).status, 'gone after the delete').toBe(404);
      } else {
        expectProblem(res, expected);
        expect(await stored(k.collection, id), 'a refused delete changes nothing').toEqual(before);
      }
    });
});

describe('list', () => {
  for (const k of CASES.list)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const id = fixtureId(k.collection, k.owner!);
      const query = `/v1/${k.collection}?ownerId=${encodeURIComponent(user(k.owner!).caller.userId)}&limit=100`;
      const expected = expectedStatus('list', caller, k.collection);
      const res = await client.get<{ items: CrmRecord[]; nextCursor: string | null }>(query);
      expect(res.status).toBe(expected);
      if (expected !== 200) return expectProblem(res, expected);
      const all = await admin().client.get<{ items: CrmRecord[] }>(query);
      expect(all.status).toBe(200);
      expect(all.body.items.map((r) => r.id)).toContain(id);
      expect(res.body.items).toEqual(all.body.items.map((r) => redact(caller, k.collection, r)));
      const mine = res.body.items.find((r) => r.id === id)!;
      expectHiddenFields(caller, k.collection, all.body.items.find((r) => r.id === id)!, mine);
    });
});

interface TimelineItem {
  collection: CollectionName;
  record: CrmRecord;
}

describe('timeline', () => {
  for (const k of CASES.timeline)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const accountId = fixtureId('accounts', k.owner!);
      const path = `/v1/accounts/${accountId}/timeline?limit=100`;
      const expected = expectedStatus('timeline', caller, 'accounts', await stored('accounts', accountId));
      const res = await client.get<{ items: TimelineItem[] }>(path);
      expect(res.status).toBe(expected);
      if (expected !== 200) return expectProblem(res, expected);
      const all = await admin().client.get<{ items: TimelineItem[] }>(path);
      expect(all.status).toBe(200);
      const onIt = all.body.items.map((i) => `${i.collection}:${i.record.id}`);
      for (const c of ['contacts', 'opportunities', 'cases', 'activities'] as const) {
        expect(onIt).toContain(`${c}:${fixtureId(c, k.owner!)}`);
      }
      const visible = all.body.items
        .filter((i) => canReadRecord(caller, i.collection, i.record))
        .map((i) => ({ collection: i.collection, record: redact(caller, i.collection, i.record) }));
      expect(res.body.items).toEqual(visible);
      for (const item of res.body.items) {
        const full = all.body.items.find((i) => i.record.id === item.record.id)!.record;
        expectHiddenFields(caller, item.collection, full, item.record);
      }
    });
});

describe('lead conversion', () => {
  for (const k of CASES.convert)
    it(k.title, async () => {
      const { caller, client } = user(k.spec.username);
      const leadId = disposables.get(k.key)!;
      const before = await stored('leads', leadId);
      expect(before.status).toBe('qualified');
      const expected = expectedStatus('convert', caller, 'leads', before);
      const count = await countItems();
      const res = await client.post<{
        lead: CrmRecord;
        accountId: string;
        account: CrmRecord | null;
        contact: CrmRecord;
      }>(`/v1/leads/${leadId}/convert`, {});
      expect(res.status).toBe(expected);
      if (expected === 201) {
        const lead = await stored('leads', leadId);
        expect(lead).toMatchObject({ status: 'converted', version: before.version + 1 });
        const account = await stored('accounts', res.body.accountId);
        const contact = await stored('contacts', res.body.contact.id);
        for (const made of [account, contact]) expect(made.ownerId).toBe(caller.userId);
        expect(account.ownerDept).toBe(ownerDeptFor(caller, 'accounts'));
        expect(contact.ownerDept).toBe(ownerDeptFor(caller, 'contacts'));
      } else {
        expectProblem(res, expected);
        expect(await stored('leads', leadId), 'a refused conversion changes nothing').toEqual(before);
        expect(await countItems(), 'a refused conversion writes nothing').toBe(count);
      }
    });
});

// ── Handoffs ────────────────────────────────────────────────────────────────────────────────────
/**
 * Handoffs have their own routes, and their rules are per record (shared/policy/handoffs.ts): the
 * requesting and the receiving department read one, the receiving department moves it on, the
 * requester may cancel it. One handoff per direction between the departments (from a member of each),
 * every role on each: get, every move (on a fresh handoff in the move's starting status), the lists.
 */
interface HandoffFixture {
  label: string;
  from: Department;
  to: Department;
  requester: string;
}
const HANDOFF_DIRECTIONS: HandoffFixture[] = DEPARTMENTS.map((from, i) => {
  const to = DEPARTMENTS[(i + 1) % DEPARTMENTS.length]!;
  return { label: `${from} → ${to} (${MEMBER_OF[from]}'s)`, from, to, requester: MEMBER_OF[from] };
});

describe('handoffs', () => {
  let aboutAccountId = '';
  /** direction label → the handoff every get and list case reads. */
  const shared = new Map<string, Handoff>();
  /** `${move}:${direction}:${username}` → a handoff only that case moves. */
  const fresh = new Map<string, string>();
  const request = async (d: HandoffFixture, accountId: string): Promise<Handoff> => {
    const res = await user(d.requester).client.post<Handoff>('/v1/handoffs', {
      record: { collection: 'accounts', id: accountId },
      toDept: d.to,
      reason: `matrix ${d.label}`,
    });
    if (res.status !== 201) throw new Error(`handoff ${d.label}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const moveKeys = HANDOFF_MOVE_NAMES.flatMap((move) =>
    HANDOFF_DIRECTIONS.flatMap((d) => ROLES.map((spec) => ({ move, d, spec }))),
  );

  beforeAll(async () => {
    const account = await user('sally').client.post<CrmRecord>('/v1/accounts', { name: 'Matrix handoffs' });
    expect(account.status).toBe(201);
    aboutAccountId = account.body.id;
    for (const d of HANDOFF_DIRECTIONS) shared.set(d.label, await request(d, aboutAccountId));
    await inBatches(moveKeys, 8, async ({ move, d, spec }) => {
      const handoff = await request(d, scratchAccountId);
      if (HANDOFF_MOVES[move].from === 'accepted') {
        const accepted = await admin().client.post(`/v1/handoffs/${handoff.id}/accept`, {});
        expect(accepted.status).toBe(200);
      }
      fresh.set(`${move}:${d.label}:${spec.username}`, handoff.id);
    });
  }, 180_000);

  for (const spec of ROLES)
    it(`POST /v1/handoffs · ${spec.role}`, async () => {
      const { caller, client } = user(spec.username);
      // From the caller's department, or for an admin from the account's (sales): to another one.
      const from = caller.department ?? 'sales';
      const toDept = DEPARTMENTS.find((d) => d !== from)!;
      const expected = !hasAnyRole(caller) ? 403 : canRequestHandoff(caller) ? 201 : 403;
      // Settled first: the stream's consumers may still be writing what earlier cases caused.
      const before = await stableCount();
      const res = await client.post<Handoff>('/v1/handoffs', {
        record: { collection: 'accounts', id: scratchAccountId },
        toDept,
        reason: `requested by ${spec.role}`,
      });
      expect(res.status).toBe(expected);
      if (expected !== 201) {
        expectProblem(res, expected);
        expect(await countItems(), 'a refused request writes nothing').toBe(before);
        return;
      }
      expect(res.body).toMatchObject({
        status: 'requested',
        ownerId: caller.userId,
        ownerDept: from,
        toDept,
      });
    });

  for (const d of HANDOFF_DIRECTIONS)
    for (const spec of ROLES)
      it(`GET /v1/handoffs/{id} · ${spec.role} · ${d.label}`, async () => {
        const { caller, client } = user(spec.username);
        const handoff = shared.get(d.label)!;
        const expected =
          hasAnyRole(caller) && canReadHandoff(caller, handoff) ? 200 : !hasAnyRole(caller) ? 403 : 404;
        const res = await client.get<Handoff>(`/v1/handoffs/${handoff.id}`);
        expect(res.status).toBe(expected);
        if (expected === 200) expect(res.body).toEqual(handoff);
        else expectProblem(res, expected);
      });

  for (const { move, d, spec } of moveKeys)
    it(`POST /v1/handoffs/{id}/${move} · ${spec.role} · ${d.label}`, async () => {
      const { caller, client } = user(spec.username);
      const id = fresh.get(`${move}:${d.label}:${spec.username}`)!;
      const before = (await admin().client.get<Handoff>(`/v1/handoffs/${id}`)).body;
      const { side, to } = HANDOFF_MOVES[move];
      const expected = !hasAnyRole(caller)
        ? 403
        : !canReadHandoff(caller, before)
          ? 404
          : canMoveHandoff(caller, before, side)
            ? 200
            : 403;
      const res = await client.post<Handoff>(`/v1/handoffs/${id}/${move}`, {});
      expect(res.status).toBe(expected);
      const after = (await admin().client.get<Handoff>(`/v1/handoffs/${id}`)).body;
      if (expected === 200) {
        expect(after).toMatchObject({ status: to, version: before.version + 1, updatedBy: caller.userId });
        expect(res.body).toEqual(after);
      } else {
        expectProblem(res, expected);
        expect(after, 'a refused move changes nothing').toEqual(before);
      }
    });

  /** Every page of a handoff list, as one caller reads it. */
  async function readAll(client: SignedIn['client'], path: string) {
    const items: Handoff[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const sep = path.includes('?') ? '&' : '?';
      const res: Reply<{ items: Handoff[]; nextCursor: string | null }> = await client.get(
        `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (res.status !== 200) return { status: res.status, items, res };
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return { status: 200, items, res };
    }
    throw new Error(`${path}: more than 50 pages`);
  }

  for (const spec of ROLES)
    it(`GET /v1/handoffs?toDept= and GET /v1/accounts/{id}/handoffs · ${spec.role}`, async () => {
      const { caller, client } = user(spec.username);
      const roles = hasAnyRole(caller);
      for (const d of HANDOFF_DIRECTIONS) {
        const listed = await readAll(client, `/v1/handoffs?toDept=${d.to}&limit=100`);
        expect(listed.status, `${d.label} list`).toBe(roles ? 200 : 403);
        if (!roles) {
          expectProblem(listed.res, 403);
          continue;
        }
        // Only what the caller may read, and the fixture exactly when they may read it.
        for (const h of listed.items) expect(canReadHandoff(caller, h), h.id).toBe(true);
        const fixture = shared.get(d.label)!;
        expect(listed.items.some((h) => h.id === fixture.id)).toBe(canReadHandoff(caller, fixture));
      }
      const onRecord = await readAll(client, `/v1/accounts/${aboutAccountId}/handoffs?limit=2`);
      const expected = !roles ? 403 : canRead(caller, 'accounts') ? 200 : 404;
      expect(onRecord.status).toBe(expected);
      if (expected !== 200) return expectProblem(onRecord.res, expected);
      const visible = [...shared.values()].filter((h) => canReadHandoff(caller, h)).map((h) => h.id);
      expect(onRecord.items.map((h) => h.id).sort()).toEqual(visible.sort());
    });
});

// ── Comments and watching ───────────────────────────────────────────────────────────────────────
/**
 * Comments and watches live under a record: whoever may read the record comments on it, reads its
 * comments and watches it (404 for the others, as for the record); its author edits a comment, its author
 * or an admin deletes one (403 for the others). Every role on each commentable collection (sally's
 * fixture record), and on a comment of sally's and of sue's, fresh for each edit and delete case.
 */
describe('comments and watching', () => {
  const AUTHORS = ['sally', 'sue'] as const;
  /** `${action}:${author}:${username}` → a comment of the author's on the author's fixture account. */
  const comments = new Map<string, CrmRecord>();
  const onAccount = (author: string) => `/v1/accounts/${fixtureId('accounts', author)}/comments`;

  beforeAll(async () => {
    const keys = (['edit', 'delete'] as const).flatMap((action) =>
      AUTHORS.flatMap((author) => ROLES.map((spec) => ({ action, author, spec }))),
    );
    await inBatches(keys, 8, async ({ action, author, spec }) => {
      const res = await user(author).client.post<CrmRecord>(onAccount(author), {
        body: `for ${action} by ${spec.role}`,
      });
      expect(res.status).toBe(201);
      comments.set(`${action}:${author}:${spec.username}`, res.body);
    });
  }, 180_000);

  const roleOr403 = (caller: Caller, status: number) => (hasAnyRole(caller) ? status : 403);

  for (const c of COMMENTABLE_COLLECTIONS)
    for (const spec of ROLES)
      it(`POST + GET /v1/${c}/{id}/comments, PUT + DELETE /v1/${c}/{id}/watch · ${spec.role} · sally's`, async () => {
        const { caller, client } = user(spec.username);
        const path = `/v1/${c}/${fixtureId(c, 'sally')}`;
        const before = await stableCount();
        const post = await client.post<CrmRecord>(`${path}/comments`, { body: `by ${spec.role}` });
        const expected = roleOr403(caller, canComment(caller, c) ? 201 : canRead(caller, c) ? 403 : 404);
        expect(post.status).toBe(expected);
        if (expected === 201)
          expect(post.body).toMatchObject({ ownerId: caller.userId, parent: { collection: c } });
        else {
          expectProblem(post, expected);
          expect(await countItems(), 'a refused comment writes nothing').toBe(before);
        }
        const list = await client.get<{ items: CrmRecord[] }>(`${path}/comments?limit=100`);
        const readable = roleOr403(caller, canRead(caller, c) ? 200 : 404);
        expect(list.status).toBe(readable);
        if (readable === 200 && expected === 201)
          expect(list.body.items.map((i) => i.id)).toContain(post.body.id);
        const watched = roleOr403(caller, canWatch(caller, c) ? 204 : 404);
        for (const method of ['put', 'put', 'delete', 'delete'] as const) {
          const res =
            method === 'put'
              ? await client.put(`${path}/watch`, undefined)
              : await client.delete(`${path}/watch`);
          expect(res.status, `${method} watch`).toBe(watched);
        }
      });

  for (const author of AUTHORS)
    for (const spec of ROLES) {
      it(`PATCH /v1/accounts/{id}/comments/{commentId} · ${spec.role} · ${author}'s comment`, async () => {
        const { caller, client } = user(spec.username);
        const comment = comments.get(`edit:${author}:${spec.username}`)!;
        const res = await client.patch<CrmRecord>(`${onAccount(author)}/${comment.id}`, { body: 'edited' });
        const expected = roleOr403(
          caller,
          !canRead(caller, 'accounts') ? 404 : canEditComment(caller, comment) ? 200 : 403,
        );
        expect(res.status).toBe(expected);
        if (expected === 200) expect(res.body).toMatchObject({ body: 'edited', version: 2 });
        else expectProblem(res, expected);
      });

      it(`DELETE /v1/accounts/{id}/comments/{commentId} · ${spec.role} · ${author}'s comment`, async () => {
        const { caller, client } = user(spec.username);
        const comment = comments.get(`delete:${author}:${spec.username}`)!;
        const res = await client.delete(`${onAccount(author)}/${comment.id}`);
        const expected = roleOr403(
          caller,
          !canRead(caller, 'accounts') ? 404 : canDeleteComment(caller, comment) ? 204 : 403,
        );
        expect(res.status).toBe(expected);
        if (expected !== 204) expectProblem(res, expected);
        const left = await admin().client.get<{ items: CrmRecord[] }>(`${onAccount(author)}?limit=100`);
        expect(left.body.items.some((i) => i.id === comment.id)).toBe(expected !== 204);
      });
    }
});

// ── The change feed and the audit trail ─────────────────────────────────────────────────────────
describe('change feed', () => {
  const collectionOfEntity = (entity: string) =>
    COLLECTION_NAMES.find((c) => COLLECTIONS[c].entity === entity);
  for (const spec of ROLES)
    it(`GET /v1/changes · ${spec.role}`, async () => {
      const { caller, client } = user(spec.username);
      const expected = hasAnyRole(caller) ? 200 : 403;
      const res = await client.get<{ items: { entity: string; record: CrmRecord }[]; nextCursor: string }>(
        '/v1/changes?limit=100',
      );
      expect(res.status).toBe(expected);
      if (expected !== 200) return expectProblem(res, expected);
      expect(res.body.items.length, 'the fixtures made changes').toBeGreaterThan(0);
      const audience = changeFeedOf(caller)!;
      for (const item of res.body.items) {
        const c = collectionOfEntity(item.entity)!;
        if (audience.all) continue;
        expect(departmentReads(audience.department, c), `${c} in ${audience.department}'s feed`).toBe(true);
        if (c === 'opportunities') expect('amount' in item.record).toBe(audience.department === 'sales');
      }
    });
});

describe('audit trail', () => {
  for (const c of COLLECTION_NAMES)
    for (const spec of ROLES)
      for (const ownership of ['own', 'other-dept'] as const) {
        const owner = ownerFor(spec, ownership, c);
        if (!owner) continue;
        it(`GET /v1/audit?collection=${c} · ${spec.role} · ${OWNERSHIP_LABEL[ownership]} (${owner}'s)`, async () => {
          const id = fixtures.get(`${c}:${owner}`);
          if (!id) return; // no fixture of this collection (served by its own routes)
          const { caller, client } = user(spec.username);
          const record = await stored(c, id);
          const path = `/v1/audit?collection=${c}&id=${id}`;
          await eventually(`the audit trail of ${c}/${id}`, async () =>
            (await admin().client.get<{ items: unknown[] }>(path)).body.items?.length ? true : undefined,
          );
          let expected = 200;
          if (!hasAnyRole(caller)) expected = 403;
          else if (!canRead(caller, c)) expected = 404;
          else if (!mayReadAuditTrails(caller) || !canReadAuditTrail(caller, record.ownerDept))
            expected = 403;
          const res = await client.get<{ items: { after: Record<string, unknown> | null }[] }>(path);
          expect(res.status).toBe(expected);
          if (expected !== 200) return expectProblem(res, expected);
          const created = res.body.items.at(-1)!.after!;
          expect(created.id).toBe(id);
          if (c === 'opportunities') expect(created.amount, 'managers and admins see amount').toBeDefined();
        });
      }
});

// ── Privacy (admins only) ───────────────────────────────────────────────────────────────────────
describe('privacy', () => {
  // Nobody has this address: an admin's erasure finds nothing to erase, so the cases stay independent.
  const body = { email: 'nobody.matrix@privacy.example' };
  for (const route of ['exports', 'erasures'] as const)
    for (const spec of ROLES)
      it(`POST /v1/privacy/${route} · ${spec.role}`, async () => {
        const { caller, client } = user(spec.username);
        const expected = hasAnyRole(caller) && canAdminister(caller) ? 200 : 403;
        const before = await stableCount();
        const res = await client.post(`/v1/privacy/${route}`, body);
        expect(res.status).toBe(expected);
        if (expected === 200) return;
        expectProblem(res, expected);
        expect(await countItems(), 'a refused privacy request writes nothing').toBe(before);
      });
});

// ── Administration (admins only) ────────────────────────────────────────────────────────────────
describe('administration', () => {
  // Reads, and a role cell set to the value it holds: an admin's success moves nobody's rights.
  const ROUTES_OF_ADMINS: { method: 'GET' | 'PUT'; path: string; body?: () => Promise<unknown> }[] = [
    { method: 'GET', path: '/v1/admin/users' },
    { method: 'GET', path: '/v1/admin/users/sally/audit' },
    { method: 'GET', path: '/v1/admin/roles' },
    { method: 'GET', path: '/v1/admin/roles/audit' },
    { method: 'GET', path: '/v1/admin/channels/sales' },
    {
      method: 'PUT',
      path: '/v1/admin/roles/support/collections/cases',
      body: async () => {
        const { cells } = (await admin().client.get<RoleMatrixReply>('/v1/admin/roles')).body;
        const {
          read,
          create,
          update,
          delete: del,
          hiddenFields,
        } = cells.find((c) => c.group === 'support' && c.collection === 'cases')!;
        return { read, create, update, delete: del, hiddenFields };
      },
    },
  ];
  for (const route of ROUTES_OF_ADMINS)
    for (const spec of ROLES)
      it(`${route.method} ${route.path} · ${spec.role}`, async () => {
        const { caller, client } = user(spec.username);
        const expected = hasAnyRole(caller) && canAdminister(caller) ? 200 : 403;
        const res =
          route.method === 'GET'
            ? await client.get(route.path)
            : await client.put(route.path, await route.body!());
        expect(res.status).toBe(expected);
        if (expected !== 200) expectProblem(res, expected);
      });
});
