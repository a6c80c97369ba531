import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { getJob, idsByNaturalKey, updateJob } from '../../shared/db/jobs-repo.js';
import type { ImportJob } from '../../shared/domain/imports.js';
import type { ImportView } from '../../shared/domain/use-cases/imports.js';
import { rowRecordId, runImport } from '../../shared/transfers/run-import.js';
import { useStackEnv } from '../support/direct.js';
import { as, EVENT_PATIENCE_MS, stack, waitForEvent } from '../support/stack.js';

/**
 * Imports through the local stack: the job made by the route, the CSV PUT to the presigned URL (the local
 * S3), the job started asynchronously (the local Lambda Invoke endpoint runs it) and followed until done.
 * Other files write contacts too: every email here carries this run's own tag.
 */
const TAG = randomBytes(4).toString('hex');
const email = (name: string) => `${name}.${TAG}@import.example`;
type Contact = {
  id: string;
  version: number;
  email?: string;
  phone?: string;
  title?: string;
  marketingOptIn?: boolean;
};

let sally: ApiClient;
let max: ApiClient;
let mark: ApiClient;

beforeAll(async () => {
  sally = await as('sally');
  max = await as('max');
  mark = await as('mark');
  useStackEnv({ AWS_ENDPOINT_URL_S3: stack().s3Endpoint });
});

/** Makes the job, uploads the CSV and starts it; answers the job as created. */
async function startImport(
  client: ApiClient,
  collection: string,
  mode: string,
  csv: string,
): Promise<ImportView> {
  const made = await client.post<ImportView>('/v1/imports', { collection, mode });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const put = await fetch(made.body.uploadUrl!, { method: 'PUT', body: csv });
  expect(put.status).toBe(200);
  const started = await client.post<ImportView>(`/v1/imports/${made.body.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return made.body;
}

/** Polls the job until it is done or failed, or the time runs out. */
async function finished(client: ApiClient, id: string): Promise<ImportView> {
  const deadline = Date.now() + EVENT_PATIENCE_MS;
  for (;;) {
    const res = await client.get<ImportView>(`/v1/imports/${id}`);
    expect(res.status).toBe(200);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${res.body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function importAndWait(client: ApiClient, collection: string, mode: string, csv: string) {
  const job = await startImport(client, collection, mode, csv);
  return finished(client, job.id);
}

async function errorsCsv(view: ImportView): Promise<string> {
  expect(view.errorsUrl).toBeTruthy();
  const res = await fetch(view.errorsUrl!);
  expect(res.status).toBe(200);
  return res.text();
}

async function contactByEmail(address: string): Promise<Contact> {
  const ids = await idsByNaturalKey('contacts', address.toLowerCase());
  expect(ids, address).toHaveLength(1);
  const res = await sally.get<Contact>(`/v1/contacts/${ids[0]}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('importing the departments’ lists', () => {
  it('merges a sales CSV and a marketing CSV into one contact per person, with fields from both', async () => {
    // Prepare
    const sales = [
      'firstName,lastName,email,phone,title',
      `Ann,Archer,${email('ann')},+49 30 1234567,CTO`,
      `Bo,Brandt,${email('bo')},+1 555 0100,Buyer`,
    ].join('\r\n');
    const marketing = [
      '\uFEFFfirstName,lastName,email,marketingOptIn',
      `Ann,Archer,${email('ann').toUpperCase()},true`,
      `Bo,Brandt,${email('bo')},no`,
      `Cy,Chen,${email('cy')},yes`,
      `Ann,Archer,${email('ann')},false`,
    ].join('\n');

    // Act
    const first = await importAndWait(sally, 'contacts', 'upsert', sales);
    const second = await importAndWait(sally, 'contacts', 'upsert', marketing);

    // Assess
    expect(first).toMatchObject({ status: 'done', counts: { rows: 2, created: 2, updated: 0, failed: 0 } });
    expect(second).toMatchObject({
      status: 'done',
      counts: { rows: 4, created: 1, updated: 2, skipped: 1, failed: 0 },
      errorsUrl: null,
    });
    const ann = await contactByEmail(email('ann'));
    expect(ann).toMatchObject({ phone: '+49 30 1234567', title: 'CTO', marketingOptIn: true, version: 2 });
    expect(ann.email).toBe(email('ann'));
    expect(await contactByEmail(email('bo'))).toMatchObject({ phone: '+1 555 0100', marketingOptIn: false });
    expect(await contactByEmail(email('cy'))).toMatchObject({ marketingOptIn: true });
    await waitForEvent(ann.id, 'contact.updated');
  });

  it('skips a known key in create mode', async () => {
    // Prepare
    const csv = `firstName,lastName,email\nDee,Dunn,${email('dee')}\n`;
    await importAndWait(sally, 'contacts', 'create', csv);

    // Act
    const again = await importAndWait(sally, 'contacts', 'create', csv.replace('Dunn', 'Dunne'));

    // Assess
    expect(again.counts).toMatchObject({ rows: 1, created: 0, skipped: 1 });
    expect((await contactByEmail(email('dee'))).version).toBe(1);
  });

  it('reports bad rows with their row and field and imports the rest', async () => {
    // Prepare
    const csv = [
      'firstName,lastName,email,marketingOptIn',
      `Eve,Evans,${email('eve')},true`,
      `Fay,,${email('fay')},true`,
      'Gus,Gray,not-an-email,maybe',
    ].join('\n');

    // Act
    const view = await importAndWait(sally, 'contacts', 'create', csv);

    // Assess
    expect(view).toMatchObject({ status: 'done', counts: { rows: 3, created: 1, failed: 2 } });
    const lines = (await errorsCsv(view)).trim().split('\n');
    expect(lines[0]).toBe('row,field,message');
    expect(lines.some((l) => l.startsWith('2,lastName,'))).toBe(true);
    expect(lines.some((l) => l.startsWith('3,email,'))).toBe(true);
    expect(lines.some((l) => l.startsWith('3,marketingOptIn,'))).toBe(true);
  });

  it('refuses a file whose header names what is not a field', async () => {
    // Act
    const view = await importAndWait(
      sally,
      'contacts',
      'create',
      `firstName,lastName,shoeSize\nHal,Hill,44\n`,
    );

    // Assess
    expect(view.status).toBe('failed');
    expect(view.counts.created).toBe(0);
    expect(await errorsCsv(view)).toContain('0,shoeSize,is not a field of contacts');
  });

  it('fails on malformed CSV and may be started again', async () => {
    // Prepare
    const job = await startImport(sally, 'contacts', 'create', 'firstName,lastName\n"Ida,Ives\n');

    // Act
    const view = await finished(sally, job.id);
    const restart = await sally.post<ImportView>(`/v1/imports/${job.id}/start`);

    // Assess
    expect(view.status).toBe('failed');
    expect(view.error).toBeTruthy();
    expect(restart.status).toBe(202);
    await finished(sally, job.id);
  });

  it('creates nothing twice when the job runs again', async () => {
    // Prepare
    const csv = `firstName,lastName,email\nJo,Jones,${email('jo')}\nKim,King,\n`;
    const view = await importAndWait(sally, 'contacts', 'create', csv);
    expect(view.counts).toMatchObject({ rows: 2, created: 2 });
    // As Lambda's retry of a run that stopped after writing: the job is running again.
    await updateJob('import', view.id, { status: 'running' });

    // Act
    const counts = await runImport(view.id);

    // Assess
    expect(counts).toMatchObject({ rows: 2, created: 2, failed: 0 });
    expect(await idsByNaturalKey('contacts', email('jo'))).toHaveLength(1);
    const job = (await getJob('import', view.id)) as ImportJob | undefined;
    const kim = await sally.get<Contact>(`/v1/contacts/${rowRecordId(job!, 2)}`);
    expect(kim.status).toBe(200);
    expect(kim.body.version).toBe(1);
  });
});

describe('who may import what', () => {
  it('refuses a job for a collection the caller may not create in', async () => {
    // Act
    const markContacts = await mark.post('/v1/imports', { collection: 'contacts', mode: 'create' });
    const sallyLeads = await sally.post('/v1/imports', { collection: 'leads', mode: 'create' });
    const unknown = await sally.post('/v1/imports', { collection: 'opportunities' });

    // Assess
    expect(markContacts.status).toBe(403);
    expect(sallyLeads.status).toBe(403);
    expect(unknown.status).toBe(400);
  });

  it("refuses rows that would change another user's record or give one away", async () => {
    // Prepare: max (a sales manager) owns this contact; mark is of another department
    const owned = await max.post<Contact>('/v1/contacts', {
      firstName: 'Lu',
      lastName: 'Lane',
      email: email('lu'),
    });
    expect(owned.status).toBe(201);
    const me = await mark.get<{ userId: string }>('/v1/me');
    const csv = [
      'firstName,lastName,email,title,ownerId',
      `Lu,Lane,${email('lu')},Owner,`,
      `Mo,Moss,${email('mo')},,${me.body.userId}`,
    ].join('\n');

    // Act
    const view = await importAndWait(sally, 'contacts', 'upsert', csv);

    // Assess
    expect(view.counts).toMatchObject({ rows: 2, created: 0, updated: 0, failed: 2 });
    const errors = await errorsCsv(view);
    expect(errors).toMatch(/^1,,/m);
    expect(errors).toMatch(/^2,/m);
    expect((await max.get<Contact>(`/v1/contacts/${owned.body.id}`)).body.title).toBeUndefined();
  });

  it('shows a job to its requester only (and admins)', async () => {
    // Prepare
    const made = await sally.post<ImportView>('/v1/imports', { collection: 'contacts' });

    // Act
    const byMax = await max.get(`/v1/imports/${made.body.id}`);
    const byAda = await (await as('ada')).get(`/v1/imports/${made.body.id}`);
    const early = await sally.post(`/v1/imports/${made.body.id}/start`);

    // Assess
    expect(byMax.status).toBe(404);
    expect(byAda.status).toBe(200);
    expect(early.status).toBe(409);
  });
});
