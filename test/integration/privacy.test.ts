import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Reply } from '../../infra/local/api-client.js';
import type { CrmRecord } from '../../shared/domain/collections.js';
import type { ExportView } from '../../shared/domain/use-cases/exports.js';
import type { ErasureView, SubjectExport } from '../../shared/domain/use-cases/privacy.js';
import { eventually, readFeed } from '../support/change-log.js';
import { as, waitForEvent } from '../support/stack.js';

/**
 * Privacy through the local stack (docs/import-export.md, "Privacy"): a person (a contact made by
 * sales, a lead made by marketing, with one email in two spellings), the records about them and every
 * copy the stream made of them; the subject export must hold it all, and after the erasure no read
 * path may show the email or the names.
 */
const TAG = randomBytes(4).toString('hex');
const EMAIL = `pat.${TAG}@privacy.example`;
const FIRST = `Pat${TAG}`;
const LAST = `Quist${TAG}`;
/** What must be gone everywhere: the email and the names (lowercased, as the search is). */
const TRACES = [EMAIL, FIRST.toLowerCase(), LAST.toLowerCase()];

let ada: ApiClient;
let sally: ApiClient;
let mark: ApiClient;
let max: ApiClient;
let sue: ApiClient;

const traceIn = (value: unknown): string | undefined => {
  const text = JSON.stringify(value).toLowerCase();
  return TRACES.find((t) => text.includes(t));
};

function expectProblem(res: Reply<unknown>, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

interface Person {
  account: string;
  contact: string;
  lead: string;
  activity: string;
  comment: string;
  handoff: string;
  other: string;
}
let person: Person;

async function created(res: Reply<CrmRecord>): Promise<string> {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const exportOf = async (email = EMAIL) => {
  const res = await ada.post<SubjectExport>('/v1/privacy/exports', { email });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

beforeAll(async () => {
  ada = await as('ada');
  sally = await as('sally');
  mark = await as('mark');
  max = await as('max');
  sue = await as('sue');
  const account = await created(await sally.post<CrmRecord>('/v1/accounts', { name: `Privacy ${TAG}` }));
  const contact = await created(
    await sally.post<CrmRecord>('/v1/contacts', {
      accountId: account,
      firstName: FIRST,
      lastName: LAST,
      email: EMAIL,
      phone: '+1 555 0199',
      title: 'Buyer',
    }),
  );
  // The same person as marketing knows them, the email spelled otherwise.
  const lead = await created(
    await mark.post<CrmRecord>('/v1/leads', {
      name: `${FIRST} ${LAST}`,
      email: EMAIL.toUpperCase(),
      company: 'Quist Co',
    }),
  );
  const other = await created(
    await sally.post<CrmRecord>('/v1/contacts', {
      accountId: account,
      firstName: 'Other',
      lastName: TAG,
      email: `other.${TAG}@privacy.example`,
    }),
  );
  expect((await max.put(`/v1/contacts/${contact}/watch`, undefined)).status).toBe(204);
  const activity = await created(
    await sally.post<CrmRecord>('/v1/activities', {
      type: 'call',
      subject: `Call ${FIRST}`,
      body: `Reached ${FIRST} at ${EMAIL}`,
      relatedTo: { collection: 'contacts', id: contact },
    }),
  );
  const comment = await created(
    await sally.post<CrmRecord>(`/v1/contacts/${contact}/comments`, {
      body: `@max ${FIRST} prefers ${EMAIL}`,
    }),
  );
  const handoff = await created(
    await sally.post<CrmRecord>('/v1/handoffs', {
      record: { collection: 'contacts', id: contact },
      toDept: 'support',
      reason: `${FIRST} ${LAST} needs help, write to ${EMAIL}`,
    }),
  );
  expect((await sally.patch(`/v1/contacts/${contact}`, { phone: '+1 555 0200' })).status).toBe(200);
  person = { account, contact, lead, activity, comment, handoff, other };
  // Every copy the stream makes (feed, audit, notifications) is in before the erasure runs.
  await eventually('the stream’s copies of the person', async () => {
    const doc = await exportOf();
    const ids = [contact, lead, activity, comment, handoff];
    const inFeed = ids.every((id) => doc.changes.some((c) => c.id === id));
    const audited = ids.every((id) => doc.audit.some((a) => a.id === id));
    const contactChanges = doc.audit.filter((a) => a.id === contact).length >= 2;
    const notified = doc.notifications.length >= 2;
    return inFeed && audited && contactChanges && notified ? true : undefined;
  });
}, 120_000);

describe('privacy: who may ask, and what they must send', () => {
  it('members and managers get 403 problem+json on both routes', async () => {
    // Act / Assess
    for (const client of [sally, mark, max, sue])
      for (const route of ['exports', 'erasures'])
        expectProblem(await client.post(`/v1/privacy/${route}`, { email: EMAIL }), 403);
    expect((await sally.get<CrmRecord>(`/v1/contacts/${person.contact}`)).body.email).toBe(EMAIL);
  });

  it('a bad body is a 400 problem+json with errors, and erases nothing', async () => {
    // Prepare
    const bodies = [{}, { email: 'not-an-email' }, { email: EMAIL, extra: true }, { email: 42 }, [EMAIL]];

    // Act / Assess
    for (const body of bodies)
      for (const route of ['exports', 'erasures']) {
        const res = await ada.post<{ errors: unknown[] }>(`/v1/privacy/${route}`, body);
        expectProblem(res, 400);
        expect(res.body.errors.length).toBeGreaterThan(0);
      }
    expect((await sally.get<CrmRecord>(`/v1/contacts/${person.contact}`)).body.email).toBe(EMAIL);
  });
});

describe('privacy: subject export', () => {
  it('holds every record about the person and every copy of them, found by email in any case', async () => {
    // Act
    const doc = await exportOf(EMAIL.replace('pat', 'PAT'));

    // Assess
    expect(doc.contacts.map((c) => c.id)).toEqual([person.contact]);
    expect(doc.contacts[0]).toMatchObject({ email: EMAIL, phone: '+1 555 0200', firstName: FIRST });
    expect(doc.leads.map((l) => l.id)).toEqual([person.lead]);
    expect(doc.activities.map((a) => a.id)).toEqual([person.activity]);
    expect(doc.comments.map((c) => c.id)).toEqual([person.comment]);
    expect(doc.handoffs.map((h) => h.id)).toEqual([person.handoff]);
    const contactChanges = doc.changes.filter((c) => c.id === person.contact).map((c) => c.type);
    expect(contactChanges).toEqual(expect.arrayContaining(['contact.created', 'contact.updated']));
    expect(doc.audit.filter((a) => a.id === person.contact).length).toBeGreaterThanOrEqual(2);
    expect(doc.notifications.some((n) => traceIn(n))).toBe(true);
    expect(JSON.stringify(doc)).not.toContain(person.other);
  });

  it('of an email nobody has is an empty document', async () => {
    // Act
    const doc = await exportOf(`nobody.${TAG}@privacy.example`);

    // Assess
    expect([doc.contacts, doc.leads, doc.changes, doc.audit, doc.notifications].flat()).toEqual([]);
  });
});

describe('privacy: erasure', () => {
  let first: ErasureView;

  beforeAll(async () => {
    const res = await ada.post<ErasureView>('/v1/privacy/erasures', { email: EMAIL.toUpperCase() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    first = res.body;
    await waitForEvent(person.contact, 'contact.erased');
    await waitForEvent(person.lead, 'lead.erased');
    // The erasure's own copies (its feed items, its audit entries) are in too.
    await eventually('the erasure in the audit trail', async () => {
      const res = await ada.get<{ items: { type: string }[] }>(
        `/v1/audit?collection=contacts&id=${person.contact}`,
      );
      return res.body.items.some((i) => i.type === 'contact.erased') ? true : undefined;
    });
  }, 120_000);

  it('answers who erased what, and how many records and copies', async () => {
    // Assess
    expect(first).toMatchObject({
      status: 'done',
      counts: { contacts: 1, leads: 1, activities: 1, comments: 1, handoffs: 1 },
    });
    expect(first.counts.changes).toBeGreaterThan(0);
    expect(first.counts.audit).toBeGreaterThan(0);
    expect(first.counts.notifications).toBeGreaterThan(0);
    const me = await ada.get<{ userId: string }>('/v1/me');
    expect(first.requestedBy).toBe(me.body.userId);
  });

  it('keeps the records, their ids, links and business fields, without the personal ones', async () => {
    // Act
    const contact = (await sally.get<CrmRecord>(`/v1/contacts/${person.contact}`)).body;
    const lead = (await mark.get<CrmRecord>(`/v1/leads/${person.lead}`)).body;

    // Assess
    expect(contact).toMatchObject({ id: person.contact, accountId: person.account, firstName: '[erased]' });
    expect(contact).not.toHaveProperty('email');
    expect(contact).not.toHaveProperty('phone');
    expect(lead).toMatchObject({ id: person.lead, name: '[erased]', company: 'Quist Co' });
    expect(lead).not.toHaveProperty('email');
    const other = (await sally.get<CrmRecord>(`/v1/contacts/${person.other}`)).body;
    expect(other.email).toBe(`other.${TAG}@privacy.example`);
  });

  it('leaves no trace in any read path: records, lists, timeline, feed, audit, notifications, exports', async () => {
    // Prepare
    const paths: [ApiClient, string][] = [
      [sally, `/v1/contacts/${person.contact}`],
      [mark, `/v1/leads/${person.lead}`],
      [sally, `/v1/activities/${person.activity}`],
      [sally, `/v1/contacts/${person.contact}/comments`],
      [sally, `/v1/contacts?accountId=${person.account}&limit=100`],
      [mark, '/v1/leads?limit=100'],
      [sally, `/v1/accounts/${person.account}/timeline?limit=100`],
      [sally, `/v1/handoffs/${person.handoff}`],
      [sue, `/v1/handoffs?toDept=support&limit=100`],
      [max, '/v1/notifications?limit=100'],
      [sue, '/v1/notifications?limit=100'],
    ];
    for (const c of ['contacts', 'leads', 'activities', 'comments', 'handoffs'] as const) {
      const id = {
        contacts: person.contact,
        leads: person.lead,
        activities: person.activity,
        comments: person.comment,
        handoffs: person.handoff,
      }[c];
      paths.push([ada, `/v1/audit?collection=${c}&id=${id}&limit=100`]);
    }

    // Act / Assess
    for (const [client, path] of paths) {
      const res = await client.get(path);
      expect(res.status, path).toBe(200);
      expect(traceIn(res.body), path).toBeUndefined();
    }
    for (const client of [ada, sally, mark, sue]) {
      const feed = await readFeed(client);
      expect(traceIn(feed.items), 'the change feed').toBeUndefined();
    }
    // The email no longer finds anyone: the document holds nothing but the address it was asked for.
    const { email, ...doc } = await exportOf();
    expect(email).toBe(EMAIL);
    expect(doc.contacts).toEqual([]);
    expect(traceIn(doc)).toBeUndefined();
    for (const [client, collection] of [
      [sally, 'contacts'],
      [mark, 'leads'],
    ] as const) {
      const job = await client.post<ExportView>('/v1/exports', { collection });
      const done = await eventually('the export', async () => {
        const res = await client.get<ExportView>(`/v1/exports/${job.body.id}`);
        expect(res.body.status).not.toBe('failed');
        return res.body.status === 'done' ? res.body : undefined;
      });
      const csv = await (await fetch(done.downloadUrl!)).text();
      expect(csv).toContain(collection === 'contacts' ? person.contact : person.lead);
      expect(traceIn(csv), `the ${collection} export`).toBeUndefined();
    }
  });

  it('is announced once per record, as contact.erased and lead.erased, without the email', async () => {
    // Act
    const contact = await waitForEvent(person.contact, 'contact.erased');
    const activity = await waitForEvent(person.activity, 'activity.erased');

    // Assess
    expect(contact.event.detail).toMatchObject({ action: 'updated', id: person.contact });
    expect(traceIn(contact.event)).toBeUndefined();
    expect(traceIn(activity.event)).toBeUndefined();
  });

  it('run again changes nothing: no new version, no event, all counts 0', async () => {
    // Prepare
    const before = (await sally.get<CrmRecord>(`/v1/contacts/${person.contact}`)).body;

    // Act
    const again = await ada.post<ErasureView>('/v1/privacy/erasures', { email: EMAIL });

    // Assess
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(Object.values(again.body.counts)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect((await sally.get<CrmRecord>(`/v1/contacts/${person.contact}`)).body.version).toBe(before.version);
  });
});
