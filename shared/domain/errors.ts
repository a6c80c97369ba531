import type { FieldError } from './validation.js';

/** What a use case can refuse, without knowing about HTTP; the HTTP layer maps each kind to a status. */
export type DomainErrorKind =
  | 'invalid'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'stale'
  | 'unavailable'
  | 'throttled';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const fail = {
  invalid: (errors: FieldError[], message = 'The request is invalid.') =>
    new DomainError('invalid', message, errors),
  forbidden: (message = 'You are not allowed to do this.') => new DomainError('forbidden', message),
  notFound: (message = 'No such record.') => new DomainError('not-found', message),
  conflict: (message: string) => new DomainError('conflict', message),
  stale: () => new DomainError('stale', 'The record has changed since you read it (If-Match is stale).'),
};
