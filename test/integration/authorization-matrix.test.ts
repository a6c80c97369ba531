import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../infra/local/api-client.js';
import { DEPARTMENTS, type Department, isDepartment } from '../../shared/config/departments.js';
import { COLLECTION_NAMES, type CollectionName, type CrmRecord } from '../../shared/domain/collections.js';
import { type Caller, hasAnyRole } from '../../shared/policy/caller.js';
import { MATRIX } from '../../shared/policy/matrix.js';
import {
  canConvertLead,
  canCreate,
  canRead,
  meetsGuard,
  ownerDeptFor,
  permissionsOf,
  redact,
  writeGuard,
} from '../../shared/policy/policy.js';
import { PATCH_FIELD } from '../support/record-fixtures.js';
import { ensureUser, type SignedIn, signIn } from '../support/role-users.js';
import { countItems } from '../support/table-count.js';

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

const CASES = {
  create: casesFor('create', COLLECTION_NAMES, false),
  get: casesFor('get', COLLECTION_NAMES),
  patch: casesFor('patch', COLLECTION_NAMES),
  delete: casesFor('delete', COLLECTION_NAMES),
  list: casesFor('list', COLLECTION_NAMES),
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

  const scratch = await user('sally').client.post<CrmRecord>('/v1/accounts', { name: 'Matrix scratch' });
  expect(scratch.status).toBe(201);
  scratchAccountId = scratch.body.id;

  // Shared fixtures: one record per collection and owner; each owner's contact, opportunity, case
  // and activity hang off that owner's account, so every fixture account has a timeline.
  await inBatches(OWNERS, 8, async (owner) => {
    const account = await createOwned('accounts', owner, bodyFor('accounts', `fixture ${owner}`, ''));
    fixtures.set(`accounts:${owner}`, account.id);
  });
  const rest = COLLECTION_NAMES.filter((c) => c !== 'accounts').flatMap((c) =>
    OWNERS.map((owner) => ({ c, owner })),
  );
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
        .filter((i) => canRead(caller, i.collection))
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
