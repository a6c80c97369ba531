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
}

export const SCHEDULES: readonly ScheduleSpec[] = [];
