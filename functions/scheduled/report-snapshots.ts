// primary adapter (EventBridge Scheduler) → makeSnapshot (shared/reports) → counters (Query) → S3 files
import middy from '@middy/core';
import { loadEnv } from '../../shared/config/env.js';
import { isReportName, REPORT_NAMES } from '../../shared/config/reports.js';
import { SCHEDULES } from '../../shared/config/schedules.js';
import { logger } from '../../shared/http/logger.js';
import { observe } from '../../shared/http/observability.js';
import { makeSnapshot } from '../../shared/reports/run-snapshot.js';

/** What this function is granted: the grants of its schedules (all the same, shared/config/schedules.ts). */
export const USES = SCHEDULES.find((s) => s.handler === 'report-snapshots')!.grants;

loadEnv(USES);

/** The schedule's input: which reports (all when absent), and when it fired (the local scheduler says). */
interface SnapshotInput {
  reports?: string[];
}

export const handler = middy(async (input: SnapshotInput = {}) => {
  const names = (input.reports ?? [...REPORT_NAMES]).filter(isReportName);
  const now = new Date();
  const made = [];
  // One after the other: a snapshot is a few reads and a dozen small uploads; no hurry at 06:00.
  for (const name of names) made.push((await makeSnapshot(name, now)).base);
  logger.info('report snapshots written', { snapshots: made });
  return { snapshots: made };
}).use(observe());
