import type { ApiClient } from '../../infra/local/api-client.js';
import { EVENT_PATIENCE_MS } from './stack.js';

/** Helpers for the change feed and audit tests: paging a feed to its end, and waiting with a deadline. */
export interface FeedItem {
  type: string;
  eventId: string;
  entity: string;
  id: string;
  action: string;
  changedFields: string[];
  record: Record<string, unknown>;
}

interface FeedPage {
  items: FeedItem[];
  nextCursor: string;
}

/** Pages the caller's feed from `since` (or the start) until a page comes back empty. */
export async function readFeed(
  client: ApiClient,
  since?: string,
): Promise<{ items: FeedItem[]; cursor: string }> {
  const items: FeedItem[] = [];
  let cursor = since;
  for (;;) {
    const query = cursor === undefined ? '?limit=100' : `?limit=100&since=${encodeURIComponent(cursor)}`;
    const res = await client.get<FeedPage>(`/v1/changes${query}`);
    if (res.status !== 200) throw new Error(`GET /v1/changes: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    if (res.body.items.length === 0) return { items, cursor: res.body.nextCursor };
    cursor = res.body.nextCursor;
  }
}

/** Polls `probe` until it returns a value, or fails after EVENT_PATIENCE_MS. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + EVENT_PATIENCE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${EVENT_PATIENCE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * Reads the feed on from `since` until every id is in it; returns what was read (all of it, so that a
 * duplicate shows) and the cursor after it.
 */
export async function feedUntil(
  client: ApiClient,
  since: string,
  ids: readonly string[],
): Promise<{ items: FeedItem[]; cursor: string }> {
  const items: FeedItem[] = [];
  let cursor = since;
  return eventually(`feed items for ${ids.join(', ')}`, async () => {
    const page = await readFeed(client, cursor);
    items.push(...page.items);
    cursor = page.cursor;
    return ids.every((id) => items.some((i) => i.id === id)) ? { items, cursor } : undefined;
  });
}
