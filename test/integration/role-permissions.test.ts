import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import { localAwsConfig } from '../../infra/local/engines/local-aws.js';
import { ensureTable } from '../../infra/local/table.js';
import { ENV } from '../../shared/config/env.js';
import type { CrmRecord } from '../../shared/domain/collections.js';
import { callerFromClaims } from '../../shared/policy/caller.js';
import { canRead, permissionsOf, redact } from '../../shared/policy/policy.js';
import { useStackEnv } from '../support/direct.js';
import { type RoleMatrixReply, useMatrixInForce } from '../support/role-matrix.js';
import { as, EVENT_PATIENCE_MS, eventsFor, stack } from '../support/stack.js';
import { startWorkerGateway } from '../support/worker-gateway.js';

/**
 * Role permissions as data (docs/api.md "Role permissions"). On the shared stack only what changes
 * nobody's rights: refusals, and a PUT of a cell's own values (audited and announced all the same).
 * A real change runs on a gateway of this file's own, over a table of its own, so that the other
 * files' expectations never move under them.
 */
const ROLES = '/v1/admin/roles';
const cellPath = (group: string, collection: string) => `${ROLES}/${group}/collections/${collection}`;
const cellOf = (m: RoleMatrixReply, group: string, collection: string) =>
  m.cells.find((c) => c.group === group && c.collection === collection)!;
const bodyOf = ({ read, create, update, delete: del, hiddenFields }: RoleMatrixReply['cells'][number]) => ({
  read,
  create,
  update,
  delete: del,
  hiddenFields,
});

/** Retries the check until it passes or the deadline passes (then its last failure is the test's). */
async function within<T>(ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the role permissions on the shared stack', () => {
  it('are for admins alone', async () => {
    // Act / Assess
    for (const who of ['sally', 'max', 'mark', 'sue'] as const) {
      expect((await (await as(who)).get(ROLES)).status, who).toBe(403);
      expect((await (await as(who)).get(`${ROLES}/audit`)).status, who).toBe(403);
      const put = await (await as(who)).put(cellPath('sales', 'cases'), {
        read: true,
        create: false,
        update: 'none',
        delete: 'none',
        hiddenFields: [],
      });
      expect(put.status, who).toBe(403);
    }
  });

  it('show every group × collection with the code matrix as defaults', async () => {
    // Act
    const res = await (await as('ada')).get<RoleMatrixReply>(ROLES);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.cells).toHaveLength(5 * 6);
    expect(res.body.refreshSeconds).toBeLessThanOrEqual(60);
    expect(cellOf(res.body, 'marketing', 'opportunities')).toMatchObject({
      read: false,
      hiddenFields: ['amount'],
    });
    expect(cellOf(res.body, 'sales', 'opportunities')).toMatchObject({
      read: true,
      create: true,
      update: 'own',
    });
    expect(cellOf(res.body, 'managers', 'opportunities')).toMatchObject({ read: true, update: 'department' });
    expect(cellOf(res.body, 'admins', 'cases')).toMatchObject({ read: true, update: 'all', delete: 'all' });
  });

  it('refuse bad cells with 400 or 404 and write nothing', async () => {
    // Prepare
    const before = (await (await as('ada')).get<RoleMatrixReply>(ROLES)).body;
    const valid = { read: true, create: false, update: 'none', delete: 'none', hiddenFields: [] };
    const bad: [string, unknown, number][] = [
      [cellPath('sales', 'cases'), { ...valid, update: 'everything' }, 400],
      [cellPath('sales', 'cases'), { ...valid, extra: 1 }, 400],
      [cellPath('sales', 'cases'), { read: true }, 400],
      [cellPath('sales', 'cases'), { ...valid, read: false, create: true }, 400],
      [cellPath('sales', 'cases'), { ...valid, hiddenFields: ['ownerId'] }, 400],
      [cellPath('sales', 'cases'), { ...valid, hiddenFields: ['subject', 'subject'] }, 400],
      [cellPath('admins', 'cases'), { ...valid, read: false }, 400],
      [cellPath('finance', 'cases'), valid, 404],
      [cellPath('sales', 'comments'), valid, 404],
      [cellPath('sales', 'handoffs'), valid, 404],
    ];

    // Act / Assess
    for (const [path, body, status] of bad) {
      const res = await (await as('ada')).put(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const after = (await (await as('ada')).get<RoleMatrixReply>(ROLES)).body;
    expect(after.version).toBe(before.version);
    expect(after.cells).toEqual(before.cells);
  });

  it('audit and announce every change, also one that sets what was there', async () => {
    // Prepare: support's cell on accounts, set to its own values (nobody's rights move)
    const matrix = (await (await as('ada')).get<RoleMatrixReply>(ROLES)).body;
    const cell = cellOf(matrix, 'support', 'accounts');
    const announcedBefore = (await eventsFor('support/accounts')).length;

    // Act
    const res = await (await as('ada')).put(cellPath('support', 'accounts'), bodyOf(cell));

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ...bodyOf(cell),
      group: 'support',
      collection: 'accounts',
      changed: true,
    });
    expect((await (await as('ada')).get<RoleMatrixReply>(ROLES)).body.version).toBe(matrix.version + 1);
    const adaId = (await (await as('ada')).get<{ userId: string }>('/v1/me')).body.userId;
    await within(EVENT_PATIENCE_MS, async () => {
      const events = await eventsFor('support/accounts');
      expect(events.length).toBeGreaterThan(announcedBefore);
      expect(events.at(-1)!.event['detail-type']).toBe('role.permissions_changed');
      expect(events.at(-1)!.event.detail).toMatchObject({ entity: 'role', actor: adaId });
    });
    await within(EVENT_PATIENCE_MS, async () => {
      const trail = await (await as('ada')).get<{ items: Record<string, unknown>[] }>(
        `${ROLES}/audit?limit=100`,
      );
      expect(trail.status).toBe(200);
      expect(trail.body.items.some((e) => e.id === 'support/accounts' && e.actor === adaId)).toBe(true);
    });
  });
});

describe('a changed role cell', () => {
  let gateway: Awaited<ReturnType<typeof startWorkerGateway>>;
  const clients = new Map<string, ApiClient>();
  const client = (who: string) => clients.get(who)!;
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    // A table of this file's own, served by a gateway in this worker (the shared stack never sees it).
    const table = `concord-roles-${process.pid}-${Date.now()}`;
    await ensureTable(localAwsConfig(stack().dynamodbEndpoint), table);
    useStackEnv({ [ENV.tableName]: table });
    gateway = await startWorkerGateway();
    for (const who of ['sally', 'max', 'mark', 'sue', 'ada']) {
      const token = await tokenFor(stack(), who);
      tokens.set(who, token);
      clients.set(who, apiClient(gateway.url, token));
    }
  });
  afterAll(() => gateway?.stop());

  it('takes effect within the refresh interval, in /me, in reads and in what stays hidden', async () => {
    // Prepare: a case marketing may not read (the code's default)
    const created = await client('sue').post<CrmRecord>('/v1/accounts', { name: 'nope' });
    expect(created.status).toBe(403);
    const account = await client('sally').post<CrmRecord>('/v1/accounts', { name: 'Roles Co' });
    const kase = await client('sue').post<CrmRecord>('/v1/cases', {
      accountId: account.body.id,
      subject: 'Printer on fire',
      description: 'internal notes',
    });
    expect(kase.status).toBe(201);
    expect((await client('mark').get(`/v1/cases/${kase.body.id}`)).status).toBe(404);

    // Act: marketing reads cases, without their description
    const put = await client('ada').put(cellPath('marketing', 'cases'), {
      read: true,
      create: false,
      update: 'none',
      delete: 'none',
      hiddenFields: ['description'],
    });

    // Assess
    expect(put.status).toBe(200);
    const matrix = await useMatrixInForce(client('ada'));
    await within((matrix.refreshSeconds + 30) * 1000, async () => {
      const me = await client('mark').get<{ permissions: Record<string, unknown> }>('/v1/me');
      expect(me.body.permissions.cases).toEqual({
        read: true,
        create: false,
        update: 'none',
        delete: 'none',
        hiddenFields: ['description'],
      });
    });
    const seen = await client('mark').get<CrmRecord>(`/v1/cases/${kase.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.subject).toBe('Printer on fire');
    expect(seen.body).not.toHaveProperty('description');
    // Every other user decides by the same matrix in force: the API agrees with the policy module.
    for (const who of ['sally', 'max', 'mark', 'sue', 'ada']) {
      const caller = callerFromClaims(claimsOf(tokens.get(who)!))!;
      const me = await client(who).get<{ permissions: unknown }>('/v1/me');
      expect(me.body.permissions, who).toEqual(permissionsOf(caller));
      const read = await client(who).get<CrmRecord>(`/v1/cases/${kase.body.id}`);
      expect(read.status, who).toBe(canRead(caller, 'cases') ? 200 : 404);
      if (read.status === 200) expect(read.body, who).toEqual(redact(caller, 'cases', read.body));
    }
  });
});
