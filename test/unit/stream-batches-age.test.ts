import { describe, expect, it } from 'vitest';
import { type Answer, failing, NOW, rec, records, run, SETTINGS } from './stream-fixtures.js';

/** The local event source mapping on old records and on a stopping poller (stream-batches.ts). */

describe('deliverBatch: maximum record age', () => {
  const maxAge = SETTINGS.maxRecordAgeSeconds;

  it('discards records older than the maximum age without invoking them', async () => {
    // Act
    const out = await run(
      [rec('1', maxAge + 120), rec('2', maxAge + 60), rec('3', 10)],
      async () => undefined,
    );

    // Assess
    expect(out.calls).toEqual(['3']);
    expect(out.info).toEqual([
      { condition: 'RecordAgeExceeded', from: '1', to: '2', size: 2, invokes: 0, functionError: undefined },
    ]);
    expect(out.checkpoints).toEqual(['2', '3']);
  });

  it('stops retrying a failing record once it is too old, even with retries left', async () => {
    // Prepare: each call takes the clock 40 minutes on
    let now = NOW;
    const slow: Answer = async () => {
      now += 40 * 60 * 1000;
      return failing('1');
    };

    // Act
    const out = await run([rec('1', 0)], slow, {
      now: () => now,
      settings: { ...SETTINGS, retryAttempts: 10 },
    });

    // Assess: 2 calls (80 minutes > 1 hour), then age, not retries, ends it
    expect(out.calls).toEqual(['1', '1']);
    expect(out.info).toEqual([
      { condition: 'RecordAgeExceeded', from: '1', to: '1', size: 1, invokes: 2, functionError: undefined },
    ]);
  });
});

describe('deliverBatch: stopping', () => {
  it('leaves the rest of a batch unsettled when the poller stops between invocations', async () => {
    // Prepare
    let stopping = false;

    // Act: the poller stops while record 2 is being retried
    const out = await run(
      records('1', '2', '3'),
      async () => {
        stopping = true;
        return failing('2');
      },
      { stopped: () => stopping },
    );

    // Assess
    expect(out.calls).toEqual(['1,2,3']);
    expect(out.settled).toBe(1);
    expect(out.checkpoints).toEqual(['1']);
  });
});
