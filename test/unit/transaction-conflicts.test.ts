import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../shared/domain/errors.js';
import { toProblem } from '../../shared/http/errors.js';

const send = vi.fn();
vi.mock('../../shared/db/client.js', () => ({ db: () => ({ send }), tableName: () => 'table' }));
const { transact } = await import('../../shared/db/transactions.js');

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** Races DynamoDB Local never produces (it serializes transactions), stubbed at the client. */
describe('transaction races', () => {
  it('a transaction that lost a race is a conflict (409), not a server fault', async () => {
    // Prepare
    send.mockRejectedValueOnce(cancelled('None', 'TransactionConflict'));
    // Act
    const outcome = transact([]).catch((e: unknown) => e);
    // Assess
    const error = await outcome;
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('conflict');
    expect(toProblem(error).statusCode).toBe(409);
  });

  it('a condition that failed is handed back to the caller as reasons', async () => {
    send.mockRejectedValueOnce(cancelled('None', 'ConditionalCheckFailed'));
    await expect(transact([])).resolves.toEqual([{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]);
  });

  it('a single write that ran into a transaction is a 409 too', () => {
    const problem = toProblem(new TransactionConflictException({ message: 'conflict', $metadata: {} }));
    expect(problem.statusCode).toBe(409);
    expect(problem.detail).not.toMatch(/Exception|DynamoDB/);
  });
});
