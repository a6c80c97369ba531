import { type StoreFailure, storeFailure } from '../db/store-errors.js';
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

const STORE_PROBLEM: Record<StoreFailure, () => HttpProblem> = {
  throttled: () => STATUS_OF.throttled(new DomainError('throttled', '')),
  contention: () =>
    problems.conflict(
      'A concurrent change to the same record got there first; nothing was written. Try again.',
    ),
  unavailable: () => problems.unavailable(),
};

/** Every thrown thing as the problem the client sees; anything unknown is a bare 500. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DomainError) return STATUS_OF[error.kind](error);
  const failure = storeFailure(error);
  if (failure) return STORE_PROBLEM[failure]();
  return problems.internal();
}
