import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { COLLECTION_NAMES, COLLECTIONS } from '../domain/collections.js';
import { logger } from '../http/logger.js';
import { METRICS, metrics, publishCountsBy } from '../http/metrics.js';
import type { ChangeEvent } from './change-events.js';
import type { Action } from './names.js';

/** PutEvents takes at most 10 entries a call. */
export const PUT_EVENTS_MAX = 10;
const ATTEMPTS = 3;

export type SendBatch = (entries: PutEventsRequestEntry[]) => Promise<PutEventsResultEntry[]>;

export interface Tagged {
  /** The stream sequence number the event came from (for batchItemFailures). */
  sequence: string;
  event: ChangeEvent;
}

function entryOf(event: ChangeEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.detail.occurredAt),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const COLLECTION_OF_ENTITY = new Map(COLLECTION_NAMES.map((c) => [COLLECTIONS[c].entity, c]));
const RECORD_METRIC: Record<Action, string> = {
  created: METRICS.recordsCreated,
  updated: METRICS.recordsUpdated,
  deleted: METRICS.recordsDeleted,
};

/**
 * The business metrics (records created, updated, deleted per collection) are counted here, once an
 * event is on the bus: every committed change passes here exactly once whoever made it (any route, a
 * conversion's three records), replayed requests never do, and the use cases stay free of metrics.
 */
function countPublished(published: Tagged[]) {
  const byCollection = new Map<string, Record<string, number>>();
  for (const { event } of published) {
    const collection = COLLECTION_OF_ENTITY.get(event.detail.entity) ?? event.detail.entity;
    const counts = byCollection.get(collection) ?? {};
    const metric = RECORD_METRIC[event.detail.action];
    counts[metric] = (counts[metric] ?? 0) + 1;
    byCollection.set(collection, counts);
  }
  metrics.addMetric(METRICS.eventsPublished, MetricUnit.Count, published.length);
  publishCountsBy('collection', byCollection);
}

/**
 * Publishes events in order, ten a call; entries the bus refuses are sent again (up to 3 tries).
 * Returns the sequence number of the first event that never made it: the stream resumes there
 * (events before it are delivered; the ones after it will be again: consumers dedupe on eventId).
 */
export async function publishAll(
  events: Tagged[],
  busName: string,
  send: SendBatch,
): Promise<string | undefined> {
  const published: Tagged[] = [];
  try {
    for (let start = 0; start < events.length; start += PUT_EVENTS_MAX) {
      let pending = events.slice(start, start + PUT_EVENTS_MAX);
      for (let attempt = 1; pending.length && attempt <= ATTEMPTS; attempt++) {
        if (attempt > 1) await pause(50 * 2 ** attempt);
        let results: PutEventsResultEntry[];
        try {
          results = await send(pending.map((t) => entryOf(t.event, busName)));
        } catch (error) {
          logger.warn('PutEvents failed', {
            error: error as Error,
            attempt,
            of: ATTEMPTS,
            entries: pending.length,
          });
          continue;
        }
        const refused = pending.filter((_, i) => !results[i]?.EventId || results[i]?.ErrorCode);
        published.push(...pending.filter((t) => !refused.includes(t)));
        if (refused.length) {
          const codes = [...new Set(results.map((r) => r.ErrorCode).filter(Boolean))];
          logger.warn('the bus refused entries', { attempt, of: ATTEMPTS, refused: refused.length, codes });
        }
        pending = refused;
      }
      if (pending.length) {
        metrics.addMetric(METRICS.publishFailures, MetricUnit.Count, pending.length);
        logger.error('events not published after every try', {
          sequence: pending[0]!.sequence,
          eventIds: pending.map((t) => t.event.detail.eventId),
        });
        return pending[0]!.sequence;
      }
    }
    return undefined;
  } finally {
    countPublished(published);
  }
}
