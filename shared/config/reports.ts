import type { OPPORTUNITY_STAGES } from '../domain/collections.js';

/**
 * The reports' settings, in one place (docs/reports.md explains each): their names, the forecast's
 * stage probabilities, the counter shards, the activity window and the currency of an amount sent
 * without one.
 */
export const REPORT_NAMES = [
  'customers-by-department',
  'pipeline-by-stage',
  'cases-by-status',
  'handoffs-by-department',
  'activity-by-department',
  'pipeline-forecast',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const isReportName = (value: string): value is ReportName =>
  (REPORT_NAMES as readonly string[]).includes(value);

type Stage = (typeof OPPORTUNITY_STAGES)[number];

/**
 * How likely an open opportunity in each stage is to close, in whole percent: the forecast weighs
 * each open amount by it. Whole percent keeps the weighted sums exact (integer arithmetic); `won` and
 * `lost` are no longer open, so the forecast never reads them (listed for completeness).
 */
export const STAGE_PROBABILITY_PERCENT: Readonly<Record<Stage, number>> = {
  prospecting: 10,
  qualification: 20,
  proposal: 50,
  negotiation: 80,
  won: 100,
  lost: 0,
};

/** Stages after which an opportunity is no longer in the pipeline. */
export const CLOSED_STAGES: readonly Stage[] = ['won', 'lost'];

export const REPORT_SETTINGS = {
  /**
   * Each report's counters are split over this many items (by a hash of the record id), so that a
   * burst of changes of one department does not queue on one item (DynamoDB allows ~1,000 writes a
   * second per item, and concurrent transactions on one item conflict). A snapshot reads every shard:
   * 8 small items per report (per day for the activity report), whatever the size of the table.
   */
  counterShards: 8,
  /**
   * How long the run-report route waits for the renderer: under its own 29 s and API Gateway's 30 s
   * (a cold renderer loads vega in about a second; a snapshot is a Query and a dozen small uploads).
   */
  renderTimeoutMs: 25_000,
  /** `activity-by-department` counts the activities created in the last this-many days (UTC). */
  activityWindowDays: 30,
  /** The currency of an opportunity that names none. */
  defaultCurrency: 'USD',
  /** How long a stream record's "applied" marker is kept: beyond the stream's 24 h, so a replay finds it. */
  appliedMarkerTtlSeconds: 48 * 60 * 60,
  /** How long a presigned link to a snapshot's CSV or SVG stays valid. */
  linkTtlSeconds: 15 * 60,
} as const;
