import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { type ApiClient, apiClient, tokenFor } from '../../infra/local/api-client.js';
import type { StackInfo } from '../../infra/local/stack-info.js';

/** Helpers for integration tests: the running stack, clients per demo user, and the bus's log. */
export function stack(): StackInfo {
  return inject('stack');
}

const tokens = new Map<string, Promise<string>>();

export async function as(username: string): Promise<ApiClient> {
  const info = stack();
  let token = tokens.get(username);
  if (!token) {
    token = tokenFor(info, username);
    tokens.set(username, token);
  }
  return apiClient(info.apiUrl, await token);
}

export function anonymous(): ApiClient {
  return apiClient(stack().apiUrl);
}

export interface LoggedEvent {
  event: {
    id: string;
    'detail-type': string;
    source: string;
    detail: Record<string, unknown> & { id: string };
  };
  matchedRules: string[];
}

export async function readJsonLines<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** Polls the events log until an event for the record (and type) shows up, or the time runs out. */
/**
 * How long a test waits for the stream and the bus before it calls an event lost: far past their
 * pace on a loaded 2-core machine, since a wait with a deadline returns as soon as the event is there.
 */
export const EVENT_PATIENCE_MS = 30_000;

export async function waitForEvent(
  recordId: string,
  detailType?: string,
  timeoutMs = EVENT_PATIENCE_MS,
): Promise<LoggedEvent> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const events = await readJsonLines<LoggedEvent>(stack().eventsLog);
    const hit = events.find(
      (e) => e.event.detail.id === recordId && (!detailType || e.event['detail-type'] === detailType),
    );
    if (hit) return hit;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${detailType ?? 'event'} for ${recordId} within ${timeoutMs} ms`);
}

export async function eventsFor(recordId: string): Promise<LoggedEvent[]> {
  return (await readJsonLines<LoggedEvent>(stack().eventsLog)).filter((e) => e.event.detail.id === recordId);
}
