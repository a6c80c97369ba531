import type { Grants } from '../http/route-types.js';

/**
 * The job functions (docs/import-export.md): started by a route, asynchronously, and given the time a
 * large file takes. CDK builds each from its entry here (infra/constructs/jobs.ts); the local stack's
 * Lambda Invoke endpoint runs the same handler.
 */
export interface JobSpec {
  /** Its entry: functions/jobs/<handler>.ts */
  handler: string;
  grants: Grants;
  timeoutSeconds: number;
  memoryMb: number;
}

/**
 * Imports and exports: writes records as their requester would (the table, RW), reads uploads and
 * writes error lists under imports/, writes exports under exports/.
 */
export const TRANSFER_JOB: JobSpec = {
  handler: 'run-job',
  grants: { table: 'RW', bucket: { access: 'RW', prefixes: ['imports/', 'exports/'] } },
  timeoutSeconds: 15 * 60,
  memoryMb: 512,
};

export const jobEntry = (job: Pick<JobSpec, 'handler'>): string => `functions/jobs/${job.handler}.ts`;
