import { AGGREGATE_KEY_PREFIX } from '../db/keys.js';
import type { Grants } from '../http/route-types.js';
import { REPORT_NAMES } from './reports.js';

/**
 * Scheduled jobs: the one list that CDK turns into EventBridge Scheduler schedules and the local
 * scheduler runs. `handler` is an entry under functions/scheduled/.
 */
export interface ScheduleSpec {
  name: string;
  /** An EventBridge Scheduler expression: `rate(5 minutes)` or `cron(0 6 * * ? *)` (UTC). */
  expression: string;
  handler: string;
  input?: Record<string, unknown>;
  /** What the function may touch (CDK binds these; the function parses its environment from them). */
  grants: Grants;
  timeoutSeconds: number;
}

/**
 * The report renderer: the scheduled function that makes snapshots (reads the counters, renders the
 * charts, writes the files under `reports/`). The run-report route invokes it too, so that the chart code
 * lives in this one function.
 */
export const REPORT_RENDERER = 'report-snapshots';

/** The report snapshots' function: reads the counters, writes the files under `reports/`. */
const REPORT_SNAPSHOT_GRANTS: Grants = {
  tableItems: { actions: ['dynamodb:Query'], keyPrefix: AGGREGATE_KEY_PREFIX },
  bucket: 'RW',
};

export const SCHEDULES: readonly ScheduleSpec[] = [
  {
    name: 'reports-daily',
    // Every report, every day at 06:00 UTC: the day's charts are there before Europe's working day.
    expression: 'cron(0 6 * * ? *)',
    handler: REPORT_RENDERER,
    input: { reports: [...REPORT_NAMES] },
    grants: REPORT_SNAPSHOT_GRANTS,
    timeoutSeconds: 120,
  },
  {
    name: 'reports-pipeline-hourly',
    // The pipeline moves during the day: its two reports are snapshotted every hour too.
    expression: 'rate(1 hour)',
    handler: REPORT_RENDERER,
    input: { reports: ['pipeline-by-stage', 'pipeline-forecast'] },
    grants: REPORT_SNAPSHOT_GRANTS,
    timeoutSeconds: 60,
  },
];

/** A scheduled function's entry file, relative to the project folder: the one place that spells the path. */
export const scheduledEntry = (handler: string): string => `functions/scheduled/${handler}.ts`;
