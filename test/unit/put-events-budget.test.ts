import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  chunkByBudget,
  entrySize,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
} from '../../shared/events/put-events-budget.js';

/** An entry whose Detail is `text`; its other fields weigh 1 + 1 + 1 bytes (no Time). */
const entry = (text: string): PutEventsRequestEntry => ({
  EventBusName: 'b',
  Source: 's',
  DetailType: 't',
  Detail: text,
});

/** Items that are only their size, for the chunker. */
const sized = (...sizes: number[]) => sizes.map((bytes, i) => ({ i, bytes }));
const chunk = (items: { i: number; bytes: number }[]) => chunkByBudget(items, (x) => x.bytes);
const indexes = (batches: { i: number }[][]) => batches.map((b) => b.map((x) => x.i));

describe('entrySize', () => {
  it('counts UTF-8 bytes of every field, 14 for a Time, and the bus name', () => {
    // Prepare
    const full: PutEventsRequestEntry = {
      Time: new Date(),
      Source: 'concord.crm', // 11
      DetailType: 'account.updated', // 15
      Detail: '{"a":1}', // 7
      Resources: ['r1', 'r22'], // 5
      EventBusName: 'bus', // 3
    };

    // Act
    const size = entrySize(full);

    // Assess
    expect(size).toBe(14 + 11 + 15 + 7 + 5 + 3);
  });

  it('counts multi-byte characters by their bytes, not their characters', () => {
    // Prepare: é is 2 bytes, 中 is 3, 😀 is 4 (and 2 UTF-16 units)
    const text = 'é中😀';

    // Act
    const size = entrySize(entry(text));

    // Assess
    expect(text.length).toBe(4);
    expect(size).toBe(3 + 2 + 3 + 4);
  });

  it('leaves out what is not set', () => {
    // Act + Assess
    expect(entrySize({})).toBe(0);
    expect(entrySize({ Source: 's', DetailType: 't' })).toBe(2);
  });
});

describe('chunkByBudget', () => {
  it('keeps the order and puts at most ten items in a batch', () => {
    // Act
    const { batches, oversized } = chunk(sized(...Array<number>(23).fill(100)));

    // Assess
    expect(PUT_EVENTS_MAX_ENTRIES).toBe(10);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(indexes(batches).flat()).toEqual([...Array(23).keys()]);
    expect(oversized).toBeUndefined();
  });

  it('closes a batch before its bytes would reach 256 KB', () => {
    // Prepare: three of 100 KB fit no call together; two do
    const kb100 = 100 * 1024;

    // Act
    const { batches } = chunk(sized(kb100, kb100, kb100, 10));

    // Assess
    expect(indexes(batches)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    for (const b of batches) expect(b.reduce((s, x) => s + x.bytes, 0)).toBeLessThan(PUT_EVENTS_MAX_BYTES);
  });

  it('keeps the total strictly under the limit: a batch that would total exactly 256 KB is split', () => {
    // Prepare
    const half = PUT_EVENTS_MAX_BYTES / 2;

    // Act
    const { batches } = chunk(sized(half, half));

    // Assess
    expect(indexes(batches)).toEqual([[0], [1]]);
  });

  it('takes an item one byte under the limit alone', () => {
    // Act
    const { batches, oversized } = chunk(sized(5, PUT_EVENTS_MAX_BYTES - 1, 5));

    // Assess
    expect(indexes(batches)).toEqual([[0], [1], [2]]);
    expect(oversized).toBeUndefined();
  });

  it('stops at an item too big for any call: the batches before it, nothing after it', () => {
    // Act
    const { batches, oversized } = chunk(sized(10, 20, PUT_EVENTS_MAX_BYTES, 30));

    // Assess
    expect(indexes(batches)).toEqual([[0, 1]]);
    expect(oversized).toEqual({
      item: { i: 2, bytes: PUT_EVENTS_MAX_BYTES },
      index: 2,
      bytes: PUT_EVENTS_MAX_BYTES,
    });
  });

  it('measures multi-byte text as bytes: 100k CJK characters are 300 KB, too big', () => {
    // Prepare: under the limit in characters, over it in bytes
    const cjk = entry('中'.repeat(100_000));
    const ascii = entry('a'.repeat(100_000));

    // Act
    const { batches, oversized } = chunkByBudget([ascii, ascii, cjk], entrySize);

    // Assess
    expect(batches).toEqual([[ascii, ascii]]);
    expect(oversized?.index).toBe(2);
    expect(oversized?.bytes).toBe(300_000 + 3);
  });

  it('splits by bytes where multi-byte entries fill a call before ten do', () => {
    // Prepare: each entry is 30,003 bytes of 10,000 characters; eight fit under 262,144 bytes, not nine
    const one = entry('中'.repeat(10_000));

    // Act
    const { batches } = chunkByBudget(Array(10).fill(one), entrySize);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([8, 2]);
  });

  it('gives no batch for no items', () => {
    // Act + Assess
    expect(chunk([])).toEqual({ batches: [] });
  });
});
