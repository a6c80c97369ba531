import { describe, expect, it } from 'vitest';
import { failing, NOW, rec, records, run, SETTINGS, throwsWhenIn } from './stream-fixtures.js';

/** The local event source mapping's decisions on one batch, against a fake consumer (stream-batches.ts). */

describe('deliverBatch: success and batchItemFailures', () => {
  it('hands a good batch over once and checkpoints at its last record', async () => {
    // Act
    const out = await run(records('1', '2', '3'), async () => ({ batchItemFailures: [] }));

    // Assess
    expect(out.calls).toEqual(['1,2,3']);
    expect(out.checkpoints).toEqual(['3']);
    expect(out.settled).toBe(3);
  });

  it('retries from the failed record, not from the start, until it succeeds', async () => {
    // Act: record 3 fails twice, then goes through
    const out = await run(records('1', '2', '3', '4'), async (_, call) =>
      call <= 2 ? failing('3') : undefined,
    );

    // Assess
    expect(out.calls).toEqual(['1,2,3,4', '3,4', '3,4']);
    expect(out.checkpoints).toEqual(['2', '4']);
    expect(out.discarded).toEqual([]);
  });

  it('retries from the lowest sequence number when several records are named', async () => {
    // Act
    const out = await run(records('1', '2', '3', '4'), async (_, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: '4' }, { itemIdentifier: '2' }] } : undefined,
    );

    // Assess
    expect(out.calls).toEqual(['1,2,3,4', '2,3,4']);
  });

  it('after 1 try + retryAttempts, sends the named record alone to the destination and goes on', async () => {
    // Act: record 2 always fails
    const out = await run(records('1', '2', '3'), async (event) =>
      event.Records.some((r) => r.dynamodb?.SequenceNumber === '2') ? failing('2') : undefined,
    );

    // Assess: 3 calls with record 2 (retryAttempts 2), then record 3 on its own
    expect(out.calls).toEqual(['1,2,3', '2,3', '2,3', '3']);
    expect(out.info).toEqual([
      {
        condition: 'RetryAttemptsExhausted',
        from: '2',
        to: '2',
        size: 1,
        invokes: 3,
        functionError: undefined,
      },
    ]);
    expect(out.checkpoints).toEqual(['1', '2', '3']);
    expect(out.settled).toBe(3);
  });

  it('takes an empty or unknown itemIdentifier as a failure of the whole batch', async () => {
    // Act: without bisection, the whole batch is retried
    const noBisect = { ...SETTINGS, bisectBatchOnError: false };
    const empty = await run(records('1', '2'), async () => failing(''), { settings: noBisect });
    const unknown = await run(records('1', '2'), async () => failing('99'), { settings: noBisect });

    // Assess
    for (const out of [empty, unknown]) {
      expect(out.calls).toEqual(['1,2', '1,2', '1,2']);
      expect(out.info).toEqual([
        {
          condition: 'RetryAttemptsExhausted',
          from: '1',
          to: '2',
          size: 2,
          invokes: 3,
          functionError: undefined,
        },
      ]);
    }
  });

  it('ignores batchItemFailures when reportBatchItemFailures is off, as Lambda does', async () => {
    // Act
    const out = await run(records('1', '2'), async () => failing('1'), {
      settings: { ...SETTINGS, reportBatchItemFailures: false },
    });

    // Assess
    expect(out.calls).toEqual(['1,2']);
    expect(out.checkpoints).toEqual(['2']);
  });
});

describe('deliverBatch: errors, bisection, retries', () => {
  it('bisects a failing batch down to the bad record, which alone uses up its retries', async () => {
    // Act
    const out = await run(records('1', '2', '3', '4'), throwsWhenIn('3'));

    // Assess: halves need no retry; the single record gets 1 try + 2 retries; 4 then goes through
    expect(out.calls).toEqual(['1,2,3,4', '1,2', '3,4', '3', '3', '3', '4']);
    expect(out.info).toEqual([
      {
        condition: 'RetryAttemptsExhausted',
        from: '3',
        to: '3',
        size: 1,
        invokes: 5,
        functionError: 'Unhandled',
      },
    ]);
    expect(out.checkpoints).toEqual(['2', '3', '4']);
  });

  it('without bisection, retries the whole batch and then discards it whole', async () => {
    // Act
    const out = await run(records('1', '2', '3'), throwsWhenIn('2'), {
      settings: { ...SETTINGS, bisectBatchOnError: false },
    });

    // Assess
    expect(out.calls).toEqual(['1,2,3', '1,2,3', '1,2,3']);
    expect(out.info).toEqual([
      {
        condition: 'RetryAttemptsExhausted',
        from: '1',
        to: '3',
        size: 3,
        invokes: 3,
        functionError: 'Unhandled',
      },
    ]);
    expect(out.checkpoints).toEqual(['3']);
  });

  it('recovers from a passing error without discarding anything', async () => {
    // Act: the first call throws, every later one succeeds
    const out = await run(records('1', '2', '3'), async (_, call) => {
      if (call === 1) throw new Error('blip');
      return undefined;
    });

    // Assess
    expect(out.calls).toEqual(['1,2,3', '1,2', '3']);
    expect(out.discarded).toEqual([]);
    expect(out.settled).toBe(3);
  });

  it('writes the on-failure record in the shape Lambda sends to an SQS destination', async () => {
    // Act
    const out = await run([rec('7', 61)], async () => failing('7'));

    // Assess
    const [failure] = out.discarded;
    expect(Object.keys(failure!).sort()).toEqual(
      ['DDBStreamBatchInfo', 'requestContext', 'responseContext', 'timestamp', 'version'].sort(),
    );
    expect(failure).toMatchObject({
      requestContext: {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      version: '1.0',
      timestamp: new Date(NOW).toISOString(),
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: '7',
        endSequenceNumber: '7',
        approximateArrivalOfFirstRecord: '2026-01-15T11:58:59Z',
        approximateArrivalOfLastRecord: '2026-01-15T11:58:59Z',
        batchSize: 1,
        streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/s',
      },
    });
    expect(failure!.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
