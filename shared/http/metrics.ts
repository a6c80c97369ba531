import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { ENV, loadEnv } from '../config/env.js';
import { logger } from './logger.js';

/**
 * Powertools Metrics (CloudWatch EMF lines in the function's log stream), only where it pays: the stream
 * and queue consumers, where the business metrics are counted (shared/events/publisher.ts). The API
 * functions emit none of their own (requests, errors, latency and cold starts are Lambda's and API
 * Gateway's built-in metrics), and the ~12 KB of this module would put two of them over their budget.
 */

const env = loadEnv({});

/** A flush with nothing in it is a warning to Powertools; a batch that announced nothing is normal here. */
const NOTHING_TO_PUBLISH = /^No application metrics to publish/;
const metricsLogger: NonNullable<MetricsOptions['logger']> = {
  debug: (message) => logger.debug(String(message)),
  info: (message) => logger.info(String(message)),
  warn: (message) =>
    NOTHING_TO_PUBLISH.test(String(message)) ? logger.debug(String(message)) : logger.warn(String(message)),
  error: (message) => logger.error(String(message)),
};

const options = {
  namespace: env[ENV.metricsNamespace],
  serviceName: env[ENV.serviceName],
  logger: metricsLogger,
} satisfies MetricsOptions;

export const metrics = new Metrics(options);

/** Metric names: the dashboards and alarms read these. */
export const METRICS = {
  recordsCreated: 'RecordsCreated',
  recordsUpdated: 'RecordsUpdated',
  recordsDeleted: 'RecordsDeleted',
  eventsPublished: 'EventsPublished',
  publishFailures: 'PublishFailures',
  /** Changes too big for one PutEvents entry: never sent, dead-lettered (docs/events.md). */
  eventsOversized: 'EventsOversized',
} as const;

/** Metrics flushed after each invocation, on error too, with a ColdStart metric on the first. */
export const measureInvocations = () => logMetrics(metrics, { captureColdStartMetric: true });

/**
 * Counts by one dimension (say `collection`), flushed at once: one EMF line per dimension value, as a line
 * carries one value per dimension. (A `singleMetric()` would clear the dimension after its first metric.)
 */
export function publishCountsBy(
  dimension: string,
  counts: ReadonlyMap<string, Readonly<Record<string, number>>>,
) {
  for (const [value, byMetric] of counts) {
    const entries = Object.entries(byMetric).filter(([, count]) => count > 0);
    if (!entries.length) continue;
    const line = new Metrics({ ...options, defaultDimensions: { [dimension]: value } });
    for (const [name, count] of entries) line.addMetric(name, MetricUnit.Count, count);
    line.publishStoredMetrics();
  }
}
