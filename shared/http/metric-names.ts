/** Metric names: the dashboard (infra/constructs/observability.ts) and the publisher read these. */
export const METRICS = {
  recordsCreated: 'RecordsCreated',
  recordsUpdated: 'RecordsUpdated',
  recordsDeleted: 'RecordsDeleted',
  eventsPublished: 'EventsPublished',
  publishFailures: 'PublishFailures',
  /** Changes too big for one PutEvents entry: never sent, dead-lettered (docs/events.md). */
  eventsOversized: 'EventsOversized',
} as const;
