import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { eventually } from '../support/change-log.js';
import { as } from '../support/stack.js';

/**
 * The trail of roles (docs/api.md "The trail of roles"): the audit consumer turns each change of a user
 * directory entry into an entry of the user's trail. An invitation, a change of groups and a disabling,
 * each by ada, through HTTP → handler → Cognito and DynamoDB Local → stream → audit consumer.
 */
interface Entry {
  entity: string;
  id: string;
  actor: string | null;
  type: string;
  action: string;
  changedFields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
type Page = { items: Entry[]; nextCursor: string | null };

let ada: ApiClient;
let sally: ApiClient;
let adaId = '';

beforeAll(async () => {
  ada = await as('ada');
  sally = await as('sally');
  adaId = (await ada.get<{ userId: string }>('/v1/me')).body.userId;
});

describe('GET /v1/admin/users/{username}/audit', () => {
  it('shows who invited the user, changed their groups and disabled them, newest first', async () => {
    // Prepare
    const username = `trail-${randomUUID().slice(0, 8)}`;
    const invited = await ada.post<{ userId: string }>('/v1/admin/users', {
      username,
      email: `${username}@example.com`,
      groups: ['support'],
    });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const path = `/v1/admin/users/${username}/audit`;

    // Act
    const moved = await ada.put(`/v1/admin/users/${username}/groups`, { groups: ['marketing', 'managers'] });
    const disabled = await ada.delete(`/v1/admin/users/${username}`);
    const trail = await eventually('three entries in the trail', async () => {
      const res = await ada.get<Page>(path);
      return res.status === 200 && res.body.items.length >= 3 ? res.body : undefined;
    });
    const firstPage = await ada.get<Page>(`${path}?limit=2`);
    const secondPage = await ada.get<Page>(
      `${path}?limit=2&cursor=${encodeURIComponent(firstPage.body.nextCursor ?? '')}`,
    );

    // Assess
    expect(secondPage.status, JSON.stringify(secondPage.body)).toBe(200);
    expect([moved.status, disabled.status]).toEqual([200, 204]);
    expect(trail.items.map((e) => [e.type, e.actor, e.entity, e.id])).toEqual([
      ['user.updated', adaId, 'user', invited.body.userId],
      ['user.updated', adaId, 'user', invited.body.userId],
      ['user.created', adaId, 'user', invited.body.userId],
    ]);
    const [disabling, move, creation] = trail.items;
    expect(disabling).toMatchObject({
      changedFields: ['enabled'],
      before: { enabled: true },
      after: { enabled: false },
    });
    expect(move).toMatchObject({
      changedFields: ['groups', 'department'],
      before: { groups: ['support'], department: 'support' },
      after: { groups: ['managers', 'marketing'], department: 'marketing' },
    });
    expect(creation).toMatchObject({
      action: 'created',
      before: null,
      after: { username, groups: ['support'], department: 'support', enabled: true },
    });
    expect(trail.nextCursor).toBeNull();
    expect([...firstPage.body.items, ...secondPage.body.items]).toEqual(trail.items);
    expect(secondPage.body.nextCursor).toBeNull();
  });

  it('is for admins only, 404 for a user the directory does not know, 400 for a bad query', async () => {
    // Act
    const byMember = await sally.get('/v1/admin/users/ada/audit');
    const unknown = await ada.get(`/v1/admin/users/nobody-${randomUUID().slice(0, 8)}/audit`);
    const badLimit = await ada.get('/v1/admin/users/sally/audit?limit=0');
    const badCursor = await ada.get('/v1/admin/users/sally/audit?cursor=forged');
    const extra = await ada.get('/v1/admin/users/sally/audit?since=1');

    // Assess
    expect([byMember.status, unknown.status, badLimit.status, badCursor.status, extra.status]).toEqual([
      403, 404, 400, 400, 400,
    ]);
  });
});
