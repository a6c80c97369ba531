import * as z from 'zod/mini';
import { IMPORT_KEY_PREFIX } from '../db/keys.js';
import { isoDateTime } from '../domain/fields.js';
import { ID_PATTERN } from '../domain/ids.js';
import { IMPORT_MODES, IMPORT_STATUSES, IMPORTABLE_COLLECTIONS, importBody } from '../domain/imports.js';
import { NAMED_SCHEMAS } from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The import routes (docs/import-export.md): make a job and get its upload link, start it, follow it.
 * One function serves the three: it touches the job items and the files under `imports/` only, and
 * invokes the job function, which does the writing (functions/jobs/run-job.ts).
 */
const imports = fn('imports', {
  tableItems: {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    keyPrefix: IMPORT_KEY_PREFIX,
  },
  bucket: { access: 'RW', prefixes: ['imports/'] },
  jobs: true,
  roles: true,
});

const output = <T extends z.ZodMiniType>(schema: T, id: string, description?: string): T => {
  NAMED_SCHEMAS.set(schema, { id, description, io: 'output' });
  return schema;
};

const count = () => z.int().check(z.gte(0));

export const importView = output(
  z.strictObject({
    id: z.string(),
    collection: z.enum(IMPORTABLE_COLLECTIONS),
    mode: z.enum(IMPORT_MODES),
    status: z.enum(IMPORT_STATUSES),
    counts: z.strictObject({
      rows: count(),
      created: count(),
      updated: count(),
      skipped: count(),
      failed: count(),
    }),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
    error: z.nullable(z.string()),
    uploadUrl: z.optional(z.string()),
    errorsUrl: z.nullable(z.string()),
  }),
  'Import',
  'An import job: its status, its counts so far, and presigned links (the upload on create; the errors CSV ' +
    'of rejected rows once it has one). Links expire after 15 minutes; a GET gives fresh ones.',
);

const byImportId = z.strictObject({ id: z.string().check(z.regex(ID_PATTERN, 'must be an import id')) });
const NOT_FOUND = 'No such import, or it is another user’s';

export const IMPORT_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/imports',
    handler: imports,
    auth: 'user',
    summary: 'Make an import job: answers the presigned URL to PUT the CSV to',
    request: { body: importBody },
    status: 201,
    response: { description: 'The job, awaiting its upload', body: importView },
    errors: { 403: 'The caller may not create records of that collection' },
  },
  {
    method: 'POST',
    path: '/v1/imports/{id}/start',
    handler: imports,
    auth: 'user',
    summary: 'Start an import job once its CSV is uploaded (again after a failure)',
    request: { params: byImportId },
    status: 202,
    response: { description: 'Queued', body: importView },
    errors: {
      404: NOT_FOUND,
      409: 'Nothing was uploaded yet, or the job is queued, running or done already',
    },
  },
  {
    method: 'GET',
    path: '/v1/imports/{id}',
    handler: imports,
    auth: 'user',
    summary: "An import job's status, counts and errors CSV",
    request: { params: byImportId },
    status: 200,
    response: { description: 'The job', body: importView },
    errors: { 404: NOT_FOUND },
  },
];
