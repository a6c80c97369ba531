import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { COLLECTION_NAMES, COLLECTIONS } from '../domain/collections.js';
import { logger } from '../http/logger.js';
import { METRICS, metrics, publishCountsBy } from '../http/metrics.js';
import type { ChangeEvent } from './change-events.js';
import type { Action } from './names.js';
import {
  chunkByBudget,
  entrySize,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
} from './put-events-budget.js';

/** PutEvents takes at most 10 entries a call (and under 256 KB of them: put-events-budget.ts). */
export const PUT_EVENTS_MAX = PUT_EVENTS_MAX_ENTRIES;
const ATTEMPTS = 3;

export type SendBatch = (entries: PutEventsRequestEntry[]) => Promise<PutEventsResultEntry[]>;

/** An event with the entry that announces it. */
interface Entry {
  tagged: Tagged;
  entry: PutEventsRequestEntry;
}

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

/** Sends one batch, re-sending what the bus refuses; returns what never made it (empty: all published). */
async function sendWithRetries(batch: Entry[], send: SendBatch, published: Tagged[]): Promise<Entry[]> {
  let pending = batch;
  for (let attempt = 1; pending.length && attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await pause(50 * 2 ** attempt);
    let results: PutEventsResultEntry[];
    try {
      results = await send(pending.map((e) => e.entry));
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
    published.push(...pending.filter((e) => !refused.includes(e)).map((e) => e.tagged));
    if (refused.length) {
      const codes = [...new Set(results.map((r) => r.ErrorCode).filter(Boolean))];
      logger.warn('the bus refused entries', { attempt, of: ATTEMPTS, refused: refused.length, codes });
    }
    pending = refused;
  }
  return pending;
}

/**
 * Publishes events in order, in batches within PutEvents' limits (10 entries, under 256 KB: see
 * put-events-budget.ts); entries the bus refuses are sent again (up to 3 tries). Returns the sequence
 * number of the first event that never made it: the stream resumes there (events before it are
 * delivered; the ones after it will be again: consumers dedupe on eventId). An event too big for any
 * PutEvents call is never sent: it is logged, counted (EventsOversized) and returned as that first
 * failure, so the stream retries it and then dead-letters it (docs/events.md, "Delivery").
 */
export async function publishAll(
  events: Tagged[],
  busName: string,
  send: SendBatch,
): Promise<string | undefined> {
  const published: Tagged[] = [];
  try {
    const entries = events.map((tagged) => ({ tagged, entry: entryOf(tagged.event, busName) }));
    const { batches, oversized } = chunkByBudget(entries, (e) => entrySize(e.entry));
    for (const batch of batches) {
      const pending = await sendWithRetries(batch, send, published);
      if (pending.length) {
        metrics.addMetric(METRICS.publishFailures, MetricUnit.Count, pending.length);
        logger.error('events not published after every try', {
          sequence: pending[0]!.tagged.sequence,
          eventIds: pending.map((e) => e.tagged.event.detail.eventId),
        });
        return pending[0]!.tagged.sequence;
      }
    }
    if (oversized) {
      const { tagged } = oversized.item;
      metrics.addMetric(METRICS.eventsOversized, MetricUnit.Count, 1);
      logger.error('event too big for PutEvents: not sent, reported as the batch failure', {
        sequence: tagged.sequence,
        eventId: tagged.event.detail.eventId,
        bytes: oversized.bytes,
        limit: PUT_EVENTS_MAX_BYTES,
      });
      return tagged.sequence;
    }
    return undefined;
  } finally {
    countPublished(published);
  }
}
