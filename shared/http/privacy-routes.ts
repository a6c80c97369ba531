import * as z from 'zod/mini';
import { isoDateTime } from '../domain/fields.js';
import { privacyBody } from '../domain/privacy.js';
import { NAMED_SCHEMAS, recordSchemaOf } from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The privacy routes (docs/import-export.md, "Privacy"; admins only): a subject export and an erasure.
 * Their function reads and rewrites records and every copy of them (feed items, audit entries,
 * notifications), wherever they are: the whole table, as the stream consumers that wrote them.
 */
const privacy = fn('privacy', { table: 'RW' });

const output = <T extends z.ZodMiniType>(schema: T, id: string, description: string): T => {
  NAMED_SCHEMAS.set(schema, { id, description, io: 'output' });
  return schema;
};
NAMED_SCHEMAS.set(privacyBody, { id: 'PrivacyRequest', description: 'The person, by email', io: 'input' });

const entries = z.array(z.record(z.string(), z.unknown()));

export const subjectExport = output(
  z.strictObject({
    email: z.string(),
    generatedAt: isoDateTime(),
    contacts: z.array(recordSchemaOf('contacts')),
    leads: z.array(recordSchemaOf('leads')),
    activities: z.array(recordSchemaOf('activities')),
    comments: z.array(recordSchemaOf('comments')),
    handoffs: z.array(recordSchemaOf('handoffs')),
    changes: entries,
    audit: entries,
    notifications: entries,
  }),
  'SubjectExport',
  'Everything held about one person: their contacts and leads, the activities, comments and handoffs ' +
    'about them, and the change-feed items, audit entries and notifications that hold any of these.',
);

const count = () => z.int().check(z.gte(0));

export const erasureView = output(
  z.strictObject({
    id: z.string(),
    status: z.enum(['running', 'done']),
    requestedBy: z.string(),
    startedAt: isoDateTime(),
    finishedAt: z.nullable(isoDateTime()),
    counts: z.strictObject({
      contacts: count(),
      leads: count(),
      activities: count(),
      comments: count(),
      handoffs: count(),
      changes: count(),
      audit: count(),
      notifications: count(),
    }),
  }),
  'Erasure',
  'An erasure: who ran it, when, and how many records and copies this run erased (0 each on a re-run ' +
    'that found nothing left).',
);

const ADMINS_ONLY = 'The caller is not an admin';

export const PRIVACY_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/privacy/exports',
    handler: privacy,
    auth: 'user',
    summary: 'Everything held about a person (by email), as one JSON document (admins)',
    request: { body: privacyBody },
    status: 200,
    response: { description: 'The document', body: subjectExport },
    errors: { 403: ADMINS_ONLY },
  },
  {
    method: 'POST',
    path: '/v1/privacy/erasures',
    handler: privacy,
    auth: 'user',
    summary: "Erase a person's personal fields (by email) everywhere they appear (admins)",
    request: { body: privacyBody },
    status: 200,
    response: { description: 'Erased', body: erasureView },
    errors: { 403: ADMINS_ONLY },
  },
];
