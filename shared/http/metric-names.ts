/** Metric names: the dashboard (infra/constructs/observability.ts) and the publisher read these. */
export const METRICS = {
  recordsCreated: 'RecordsCreated',
  recordsUpdated: 'RecordsUpdated',
  recordsDeleted: 'RecordsDeleted',
  eventsPublished: 'EventsPublished',
  publishFailures: 'PublishFailures',
} as const;
