import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import type { ExportView } from '../../shared/domain/use-cases/exports.js';
import { as, EVENT_PATIENCE_MS } from '../support/stack.js';

/**
 * Exports through the local stack: the job queued by the route, run by the local Lambda Invoke endpoint,
 * its CSV fetched from the local S3 by the presigned link. Other files write contacts too: these tests
 * look at their own rows (this run's tag) and at the columns.
 */
const TAG = randomBytes(4).toString('hex');
type Row = Record<string, string>;

let sally: ApiClient;
let mark: ApiClient;
let sue: ApiClient;

beforeAll(async () => {
  sally = await as('sally');
  mark = await as('mark');
  sue = await as('sue');
});

async function exported(client: ApiClient, collection: string): Promise<Row[]> {
  const made = await client.post<ExportView>('/v1/exports', { collection });
  expect(made.status, JSON.stringify(made.body)).toBe(202);
  const deadline = Date.now() + EVENT_PATIENCE_MS;
  for (;;) {
    const res = await client.get<ExportView>(`/v1/exports/${made.body.id}`);
    expect(res.status).toBe(200);
    if (res.body.status === 'done') {
      const file = await fetch(res.body.downloadUrl!);
      expect(file.status).toBe(200);
      return parse(await file.text(), { columns: true }) as Row[];
    }
    expect(res.body.status).not.toBe('failed');
    if (Date.now() > deadline) throw new Error(`export ${made.body.id} still ${res.body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('exports', () => {
  it('exports what the caller may read, without the fields hidden from them', async () => {
    // Prepare
    const optedIn = await sally.post<{ id: string }>('/v1/contacts', {
      firstName: 'Opted',
      lastName: `In ${TAG}`,
      email: `in.${TAG}@export.example`,
      phone: '+1 555 0101',
      marketingOptIn: true,
    });
    const optedOut = await sally.post<{ id: string }>('/v1/contacts', {
      firstName: 'Opted',
      lastName: `Out ${TAG}`,
      email: `out.${TAG}@export.example`,
      phone: '+1 555 0102',
    });
    expect([optedIn.status, optedOut.status]).toEqual([201, 201]);

    // Act
    const bySales = await exported(sally, 'contacts');
    const byMarketing = await exported(mark, 'contacts');

    // Assess
    const mine = (rows: Row[]) => rows.filter((r) => r.lastName?.endsWith(TAG));
    expect(
      mine(bySales)
        .map((r) => [r.email, r.phone])
        .sort(),
    ).toEqual([
      [`in.${TAG}@export.example`, '+1 555 0101'],
      [`out.${TAG}@export.example`, '+1 555 0102'],
    ]);
    const marketing = new Map(mine(byMarketing).map((r) => [r.id, r]));
    expect(marketing.get(optedIn.body.id)).toMatchObject({
      email: `in.${TAG}@export.example`,
      marketingOptIn: 'true',
    });
    expect(marketing.get(optedOut.body.id)).toMatchObject({ email: '', phone: '' });
    expect(byMarketing.some((r) => r.email === `out.${TAG}@export.example`)).toBe(false);
  });

  it('refuses a collection the caller may not read, and shows a job to its requester only', async () => {
    // Act
    const supportOpportunities = await sue.post('/v1/exports', { collection: 'opportunities' });
    const made = await sally.post<ExportView>('/v1/exports', { collection: 'accounts' });
    const byMark = await mark.get(`/v1/exports/${made.body.id}`);

    // Assess
    expect(supportOpportunities.status).toBe(403);
    expect(byMark.status).toBe(404);
  });
});
