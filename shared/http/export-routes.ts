import * as z from 'zod/mini';
import { EXPORT_KEY_PREFIX } from '../db/keys.js';
import { EXPORT_STATUSES, EXPORTABLE_COLLECTIONS, exportBody } from '../domain/exports.js';
import { isoDateTime } from '../domain/fields.js';
import { ID_PATTERN } from '../domain/ids.js';
import { NAMED_SCHEMAS } from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The export routes (docs/import-export.md): queue an export of one collection, follow it, download it.
 * One function serves both: the job items, the files under `exports/` (to link them) and the job function.
 */
const exportsFn = fn('exports', {
  tableItems: {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    keyPrefix: EXPORT_KEY_PREFIX,
  },
  bucket: { access: 'R', prefixes: ['exports/'] },
  jobs: true,
  roles: true,
});

export const exportView = z.strictObject({
  id: z.string(),
  collection: z.enum(EXPORTABLE_COLLECTIONS),
  status: z.enum(EXPORT_STATUSES),
  rows: z.int().check(z.gte(0)),
  createdAt: isoDateTime(),
  updatedAt: isoDateTime(),
  error: z.nullable(z.string()),
  downloadUrl: z.nullable(z.string()),
});
NAMED_SCHEMAS.set(exportView, {
  id: 'Export',
  description:
    'An export job: its status, the rows written and, once done, a presigned link to the CSV (15 minutes; a GET gives a fresh one).',
  io: 'output',
});

const byExportId = z.strictObject({ id: z.string().check(z.regex(ID_PATTERN, 'must be an export id')) });

export const EXPORT_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/exports',
    handler: exportsFn,
    auth: 'user',
    summary: 'Export a collection as CSV: what the caller may read, with the fields they may see',
    request: { body: exportBody },
    status: 202,
    response: { description: 'Queued', body: exportView },
    errors: { 403: 'The caller may not read that collection' },
  },
  {
    method: 'GET',
    path: '/v1/exports/{id}',
    handler: exportsFn,
    auth: 'user',
    summary: "An export job's status and, once done, its download link",
    request: { params: byExportId },
    status: 200,
    response: { description: 'The job', body: exportView },
    errors: { 404: 'No such export, or it is another user’s' },
  },
];
