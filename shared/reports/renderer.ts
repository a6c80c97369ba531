import * as z from 'zod/mini';
import { invokeAndWait } from '../aws/lambda.js';
import { ENV, envValue } from '../config/env.js';
import { REPORT_SETTINGS, type ReportName } from '../config/reports.js';

/** What the renderer answers (functions/scheduled/report-snapshots.ts): where each snapshot it made is. */
const rendered = z.object({ snapshots: z.tuple([z.string()]) });

/**
 * Makes the report's snapshot now, in the report renderer (the scheduled report-snapshots function), and
 * answers its files' base. The chart code (vega and vega-lite, most of a megabyte and 60 ms of load) lives
 * in that one function; the route that asks for a snapshot waits for it instead of carrying it.
 */
export async function renderSnapshotNow(name: ReportName): Promise<string> {
  const answer = await invokeAndWait(
    envValue(ENV.reportFunction),
    { reports: [name] },
    REPORT_SETTINGS.renderTimeoutMs,
  );
  return rendered.parse(answer).snapshots[0];
}
