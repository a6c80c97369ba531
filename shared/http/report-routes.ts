import * as z from 'zod/mini';
import { DEPARTMENTS } from '../config/departments.js';
import { REPORT_NAMES } from '../config/reports.js';
import { isoDateTime } from '../domain/fields.js';
import { NAMED_SCHEMAS } from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The report routes (routes.ts; docs/reports.md): the list with each report's newest snapshot time,
 * the newest snapshot, and a snapshot made now. Managers get their department's rows, admins all;
 * members 403 (shared/policy/reports.ts).
 */

/**
 * Has the report renderer make the snapshot (it reads the counters and writes the files), then reads
 * it back and links the caller's files; waits for the renderer beyond the usual 10 s.
 */
const runReport = fn('run-report', { reports: true, bucket: 'R' }, { timeoutSeconds: 29 });

const output = <T extends z.ZodMiniType>(schema: T, id: string, description?: string): T => {
  NAMED_SCHEMAS.set(schema, { id, description, io: 'output' });
  return schema;
};

const byName = z.strictObject({ name: z.enum(REPORT_NAMES) });
const money = z.record(z.string(), z.string().check(z.regex(/^-?\d+\.\d{2,8}$/)));

export const reportView = output(
  z.strictObject({
    name: z.enum(REPORT_NAMES),
    title: z.string(),
    generatedAt: isoDateTime(),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
    totals: z.strictObject({
      count: z.int().check(z.gte(0)),
      amount: z.optional(money),
      weighted: z.optional(money),
    }),
    links: z.strictObject({ csv: z.string(), svg: z.string() }),
  }),
  'ReportSnapshot',
  `A snapshot as the caller may see it: a manager's rows are those of their department (${DEPARTMENTS.join(', ')}). ` +
    'Amounts are exact decimal strings, summed per currency; links are presigned and expire.',
);

export const reportList = output(
  z.strictObject({
    items: z.array(
      z.strictObject({ name: z.enum(REPORT_NAMES), title: z.string(), latestAt: z.nullable(isoDateTime()) }),
    ),
  }),
  'ReportList',
);

const FORBIDDEN = 'The caller is a member, neither a manager nor an admin';

export const REPORT_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/reports',
    handler: fn('list-reports', { bucket: 'R' }),
    auth: 'user',
    summary: 'The reports, each with the time of its newest snapshot (managers, admins)',
    status: 200,
    response: { description: 'Every report', body: reportList },
    errors: { 403: FORBIDDEN },
  },
  {
    method: 'GET',
    path: '/v1/reports/{name}/latest',
    handler: fn('get-latest-report', { bucket: 'R' }),
    auth: 'user',
    summary: "A report's newest snapshot, with links to its CSV and SVG chart (managers, admins)",
    request: { params: byName },
    status: 200,
    response: { description: 'The snapshot', body: reportView },
    errors: { 403: FORBIDDEN, 404: 'No such report, or it has no snapshot yet' },
  },
  {
    method: 'POST',
    path: '/v1/reports/{name}/run',
    handler: runReport,
    auth: 'user',
    summary: 'Make a snapshot of a report now (managers, admins); a rerun in the same minute overwrites it',
    request: { params: byName },
    status: 201,
    response: { description: 'The snapshot made', body: reportView },
    errors: { 403: FORBIDDEN, 404: 'No such report' },
  },
];
