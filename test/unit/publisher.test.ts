import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../../shared/events/change-events.js';
import { PUT_EVENTS_MAX, publishAll, type SendBatch, type Tagged } from '../../shared/events/publisher.js';
import { entrySize, PUT_EVENTS_MAX_BYTES } from '../../shared/events/put-events-budget.js';

const BUS = 'concord-bus';

const tagged = (n: number): Tagged => {
  const event: ChangeEvent = {
    source: 'concord.crm',
    detailType: 'account.updated',
    detail: {
      specversion: 1,
      eventId: `ev-${n}`,
      entity: 'account',
      id: `id-${n}`,
      action: 'updated',
      changedFields: ['name'],
      actor: 'u-1',
      ownerDept: 'sales',
      occurredAt: '2025-03-10T09:00:00.000Z',
      record: { id: `id-${n}`, name: `Account ${n}` },
    },
  };
  return { sequence: `seq-${n}`, event };
};
const events = (count: number) => Array.from({ length: count }, (_, i) => tagged(i));

/** The eventId each sent entry carries, per call. */
const sentIds = (send: ReturnType<typeof vi.fn<SendBatch>>) =>
  send.mock.calls.map(([entries]) => entries.map((e) => JSON.parse(e.Detail ?? '{}').eventId as string));

const accepted = (entries: PutEventsRequestEntry[]): PutEventsResultEntry[] =>
  entries.map((_, i) => ({ EventId: `bus-${i}` }));

/** A bus that refuses the entries of the given events (by eventId) while `refuse` says so. */
const refusing =
  (refuse: (eventId: string) => boolean): SendBatch =>
  async (entries) =>
    entries.map((e, i) => {
      const eventId = JSON.parse(e.Detail ?? '{}').eventId as string;
      return refuse(eventId)
        ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
        : { EventId: `bus-${i}` };
    });

/** Runs publishAll to its end while fake timers drive its back-off pauses. */
async function run(list: Tagged[], send: SendBatch): Promise<string | undefined> {
  const done = publishAll(list, BUS, send);
  await vi.runAllTimersAsync();
  return done;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('publishAll', () => {
  it('sends at most ten entries a call, in order', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(async (entries) => accepted(entries));
    const list = events(25);

    // Act
    const failed = await run(list, send);

    // Assess
    expect(failed).toBeUndefined();
    expect(PUT_EVENTS_MAX).toBe(10);
    expect(send.mock.calls.map(([entries]) => entries.length)).toEqual([10, 10, 5]);
    expect(sentIds(send).flat()).toEqual(list.map((t) => t.event.detail.eventId));
  });

  it('turns each event into a PutEvents entry on the bus', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(async (entries) => accepted(entries));
    const one = tagged(1);

    // Act
    await run([one], send);

    // Assess
    expect(send.mock.calls[0]?.[0]).toEqual([
      {
        EventBusName: BUS,
        Source: 'concord.crm',
        DetailType: 'account.updated',
        Detail: JSON.stringify(one.event.detail),
        Time: new Date('2025-03-10T09:00:00.000Z'),
      },
    ]);
  });

  it('sends nothing for no events', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(async (entries) => accepted(entries));

    // Act
    const failed = await run([], send);

    // Assess
    expect(failed).toBeUndefined();
    expect(send).not.toHaveBeenCalled();
  });

  it('re-sends only the entries the bus refused once', async () => {
    // Prepare
    const refusedOnce = new Set(['ev-2', 'ev-5']);
    const bus = refusing((id) => refusedOnce.delete(id));
    const send = vi.fn<SendBatch>(bus);

    // Act
    const failed = await run(events(10), send);

    // Assess
    expect(failed).toBeUndefined();
    expect(sentIds(send)).toEqual([events(10).map((t) => t.event.detail.eventId), ['ev-2', 'ev-5']]);
  });

  it('treats a result without an EventId as refused', async () => {
    // Prepare
    let calls = 0;
    const send = vi.fn<SendBatch>(async (entries) => {
      calls++;
      return calls === 1
        ? entries.map((_, i) => (i === 0 ? {} : { EventId: `bus-${i}` }))
        : accepted(entries);
    });

    // Act
    const failed = await run(events(3), send);

    // Assess
    expect(failed).toBeUndefined();
    expect(sentIds(send)).toEqual([['ev-0', 'ev-1', 'ev-2'], ['ev-0']]);
  });

  it('gives up on an entry refused every time: returns its sequence and sends no later batch', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(refusing((id) => id === 'ev-13'));

    // Act
    const failed = await run(events(25), send);

    // Assess
    expect(failed).toBe('seq-13');
    expect(sentIds(send)).toEqual([
      events(10).map((t) => t.event.detail.eventId),
      events(20)
        .slice(10)
        .map((t) => t.event.detail.eventId),
      ['ev-13'],
      ['ev-13'],
    ]);
  });

  it('returns the earliest of several entries that never made it', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(refusing((id) => id === 'ev-7' || id === 'ev-4'));

    // Act
    const failed = await run(events(10), send);

    // Assess
    expect(failed).toBe('seq-4');
  });

  it('retries a send that throws', async () => {
    // Prepare
    let calls = 0;
    const send = vi.fn<SendBatch>(async (entries) => {
      calls++;
      if (calls === 1) throw new Error('socket hang up');
      return accepted(entries);
    });

    // Act
    const failed = await run(events(4), send);

    // Assess
    expect(failed).toBeUndefined();
    expect(send).toHaveBeenCalledTimes(2);
    expect(sentIds(send)[1]).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-3']);
  });

  it('stops at the first event of a batch whose every send throws', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(async (entries) => {
      if (entries.some((e) => JSON.parse(e.Detail ?? '{}').eventId === 'ev-10')) throw new Error('down');
      return accepted(entries);
    });

    // Act
    const failed = await run(events(25), send);

    // Assess
    expect(failed).toBe('seq-10');
    expect(send).toHaveBeenCalledTimes(1 + 3);
  });

  it('backs off between attempts', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(refusing(() => true));
    const done = publishAll(events(1), BUS, send);

    // Act
    await vi.advanceTimersByTimeAsync(0);
    const afterFirst = send.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(afterFirst).toBe(1);
    expect(send).toHaveBeenCalledTimes(3);
    await expect(done).resolves.toBe('seq-0');
  });

  it('sends within the byte budget: large events go fewer than ten to a call', async () => {
    // Prepare: each entry is about 100 KB, so two fit a call and three do not
    const send = vi.fn<SendBatch>(async (entries) => accepted(entries));
    const big = events(5).map((t) => ({
      ...t,
      event: {
        ...t.event,
        detail: { ...t.event.detail, record: { id: t.event.detail.id, notes: 'é'.repeat(50_000) } },
      },
    }));

    // Act
    const failed = await run(big, send);

    // Assess
    expect(failed).toBeUndefined();
    expect(send.mock.calls.map(([entries]) => entries.length)).toEqual([2, 2, 1]);
    expect(sentIds(send).flat()).toEqual(big.map((t) => t.event.detail.eventId));
    for (const [entries] of send.mock.calls)
      expect(entries.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThan(PUT_EVENTS_MAX_BYTES);
  });

  it('never sends an event too big for PutEvents: publishes those before it and returns its sequence', async () => {
    // Prepare
    const send = vi.fn<SendBatch>(async (entries) => accepted(entries));
    const list = events(4);
    const huge = list[2]!;
    list[2] = {
      ...huge,
      event: {
        ...huge.event,
        detail: { ...huge.event.detail, record: { id: 'x', notes: '中'.repeat(90_000) } },
      },
    };

    // Act
    const failed = await run(list, send);

    // Assess
    expect(failed).toBe('seq-2');
    expect(sentIds(send).flat()).toEqual(['ev-0', 'ev-1']);
  });
});
