import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { HttpProblem, problems } from './problems.js';

const STATUS_OF: Record<DomainErrorKind, (e: DomainError) => HttpProblem> = {
  invalid: (e) => problems.badRequest(e.message, e.errors),
  forbidden: (e) => problems.forbidden(e.message),
  'not-found': (e) => problems.notFound(e.message),
  conflict: (e) => problems.conflict(e.message),
  stale: (e) => problems.preconditionFailed(e.message),
  unavailable: () => problems.unavailable(),
  throttled: () =>
    new HttpProblem(429, 'Too Many Requests', 'Slow down and retry shortly.', undefined, {
      'Retry-After': '1',
    }),
};

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/** An AWS SDK error that means the store (not the request) is the problem. */
function storeProblem(
  error: Error & { code?: string; $metadata?: { httpStatusCode?: number } },
): HttpProblem | undefined {
  if (THROTTLING.has(error.name)) return STATUS_OF.throttled(new DomainError('throttled', ''));
  // A single write that ran into a transaction on the same item: nothing was written; retry.
  if (error.name === 'TransactionConflictException') {
    return problems.conflict(
      'A concurrent change to the same record got there first; nothing was written. Try again.',
    );
  }
  const status = error.$metadata?.httpStatusCode;
  const cause = (error as { cause?: { code?: string } }).cause;
  const network =
    NETWORK_CODES.has(error.code ?? '') ||
    NETWORK_CODES.has(cause?.code ?? '') ||
    ['TimeoutError', 'RequestTimeout', 'ServiceUnavailable', 'InternalServerError'].includes(error.name);
  if (network || (status !== undefined && status >= 500)) return problems.unavailable();
  return undefined;
}

/** Every thrown thing as the problem the client sees; anything unknown is a bare 500. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DomainError) return STATUS_OF[error.kind](error);
  if (error instanceof Error) return storeProblem(error) ?? problems.internal();
  return problems.internal();
}
