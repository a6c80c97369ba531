/**
 * What an AWS SDK error from the store says about the store, in ONE place: the API answers 429 / 409 /
 * 503 from it (shared/http/errors.ts), and the stream consumers retry a record through an outage with
 * it (shared/events/stream-consumer.ts). `undefined`: the request itself is the problem (or a bug).
 */
export type StoreFailure = 'throttled' | 'contention' | 'unavailable';

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
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'ServiceUnavailable',
  'InternalServerError',
]);

type SdkError = Error & {
  code?: string;
  $metadata?: { httpStatusCode?: number };
  /** AwsError's (shared/aws/signed-request.ts), for the calls made without an SDK client. */
  status?: unknown;
  cause?: { code?: string };
  CancellationReasons?: { Code?: string }[];
};

/**
 * A transaction cancelled only because another transaction held one of its items: no condition failed,
 * nothing was written, and the same transaction may well pass on the next try.
 */
function onlyConflicts(e: SdkError): boolean {
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return (
    codes.includes('TransactionConflict') && codes.every((c) => c === 'None' || c === 'TransactionConflict')
  );
}

export function storeFailure(error: unknown): StoreFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as SdkError;
  if (THROTTLING.has(e.name)) return 'throttled';
  // A single write that ran into a transaction on the same item: nothing was written.
  if (e.name === 'TransactionConflictException') return 'contention';
  if (e.name === 'TransactionCanceledException' && onlyConflicts(e)) return 'contention';
  const status = e.$metadata?.httpStatusCode ?? (typeof e.status === 'number' ? e.status : undefined);
  const network =
    NETWORK_CODES.has(e.code ?? '') ||
    NETWORK_CODES.has(e.cause?.code ?? '') ||
    UNAVAILABLE_NAMES.has(e.name);
  if (network || (status !== undefined && status >= 500)) return 'unavailable';
  return undefined;
}
