import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { ChangeEvent } from './change-events.js';

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
  for (let start = 0; start < events.length; start += PUT_EVENTS_MAX) {
    let pending = events.slice(start, start + PUT_EVENTS_MAX);
    for (let attempt = 1; pending.length && attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) await pause(50 * 2 ** attempt);
      let results: PutEventsResultEntry[];
      try {
        results = await send(pending.map((t) => entryOf(t.event, busName)));
      } catch {
        continue;
      }
      pending = pending.filter((_, i) => !results[i]?.EventId || results[i]?.ErrorCode);
    }
    if (pending.length) return pending[0]!.sequence;
  }
  return undefined;
}
