import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/config/limits.js';
import type { Item } from '../../shared/db/keys.js';
import type { Page } from '../../shared/db/record-pages.js';
import { fillPage, TIMELINE_MAX_READS } from '../../shared/domain/use-cases/read-records.js';

/**
 * fillPage over a fake index: items `v<n>` are visible, `h<n>` hidden, newest first. Each read returns
 * up to `limit` items after the start key.
 */
function fakeIndex(names: string[]) {
  const items: Item[] = names.map((id) => ({ id }));
  const reads: { limit: number; after?: string }[] = [];
  const read = async (limit: number, startKey?: Item): Promise<Page<Item>> => {
    reads.push({ limit, after: startKey?.id as string | undefined });
    const from = startKey ? items.findIndex((i) => i.id === startKey.id) + 1 : 0;
    const page = items.slice(from, from + limit);
    // As DynamoDB: a read that reaches its limit gives a last key, whether or not more items follow.
    return { items: page, lastKey: page.length === limit ? page.at(-1) : undefined };
  };
  return { read, reads };
}
const visible = (item: Item) => String(item.id).startsWith('v');
const ids = (items: Item[]) => items.map((i) => i.id);
const hidden = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `h${from + i}`);

describe('fillPage (filter then fill)', () => {
  it('reads past hidden items until the page is full, and resumes after the last item shown', async () => {
    // Prepare
    const index = fakeIndex(['h1', 'v1', 'h2', 'h3', 'v2', 'h4', 'v3', 'v4']);

    // Act
    const page = await fillPage(index.read, { limit: 2, firstRead: 2, visible });

    // Assess
    expect(ids(page.shown)).toEqual(['v1', 'v2']);
    expect(page.next).toEqual({ after: { id: 'v2' }, shown: true });
    expect(index.reads).toEqual([{ limit: 2 }, { limit: LIMITS.pageSizeMax, after: 'v1' }]);
  });

  it('has no next page when the collection ends, even after hidden items', async () => {
    // Prepare
    const index = fakeIndex(['v1', 'h1', 'h2']);

    // Act
    const page = await fillPage(index.read, { limit: 1, firstRead: 5, visible });

    // Assess
    expect(ids(page.shown)).toEqual(['v1']);
    expect(page.next).toBeUndefined();
  });

  it('reads no further once the page is full at the end of a read (the next page may be empty)', async () => {
    // Prepare
    const index = fakeIndex(['v1', 'h1', 'h2']);

    // Act
    const page = await fillPage(index.read, { limit: 1, firstRead: 1, visible });

    // Assess
    expect(index.reads).toHaveLength(1);
    expect(page.next).toEqual({ after: { id: 'v1' }, shown: true });
  });

  it('has a next page when one more visible item is known to follow', async () => {
    // Prepare
    const index = fakeIndex(['v1', 'h1', 'v2']);

    // Act
    const page = await fillPage(index.read, { limit: 1, firstRead: 5, visible });

    // Assess
    expect(ids(page.shown)).toEqual(['v1']);
    expect(page.next).toEqual({ after: { id: 'v1' }, shown: true });
  });

  it('starts after the given key', async () => {
    // Prepare
    const index = fakeIndex(['v1', 'h1', 'v2', 'v3']);

    // Act
    const page = await fillPage(index.read, { limit: 5, firstRead: 5, visible, startKey: { id: 'v1' } });

    // Assess
    expect(ids(page.shown)).toEqual(['v2', 'v3']);
    expect(page.next).toBeUndefined();
  });

  it(`stops after ${TIMELINE_MAX_READS} reads; with nothing shown it resumes after the last item read, hidden`, async () => {
    // Prepare
    const many = hidden(1 + (TIMELINE_MAX_READS - 1) * LIMITS.pageSizeMax + 10);
    const index = fakeIndex([...many, 'v1']);

    // Act
    const page = await fillPage(index.read, { limit: 1, firstRead: 1, visible });

    // Assess
    expect(index.reads).toHaveLength(TIMELINE_MAX_READS);
    expect(page.shown).toEqual([]);
    const lastRead = many[(TIMELINE_MAX_READS - 1) * LIMITS.pageSizeMax];
    expect(page.next).toEqual({ after: { id: lastRead }, shown: false });
  });

  it('stops after the bound with some shown: resumes after the last item shown', async () => {
    // Prepare
    const index = fakeIndex(['v1', ...hidden(TIMELINE_MAX_READS * LIMITS.pageSizeMax), 'v2']);

    // Act
    const page = await fillPage(index.read, { limit: 2, firstRead: 2, visible });

    // Assess
    expect(index.reads).toHaveLength(TIMELINE_MAX_READS);
    expect(ids(page.shown)).toEqual(['v1']);
    expect(page.next).toEqual({ after: { id: 'v1' }, shown: true });
  });
});
