import { describe, expect, it } from 'vitest';
import { AwsError } from '../../shared/aws/signed-request.js';
import { storeFailure } from '../../shared/db/store-errors.js';

const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('storeFailure: what an SDK error says about the store', () => {
  it.each([
    ['a refused connection', sdkError('Error', { code: 'ECONNREFUSED' }), 'unavailable'],
    ['a reset connection, as the cause', sdkError('Error', { cause: { code: 'ECONNRESET' } }), 'unavailable'],
    ['a request timeout', sdkError('TimeoutError'), 'unavailable'],
    [
      'a 500 from the service',
      sdkError('InternalServerError', { $metadata: { httpStatusCode: 500 } }),
      'unavailable',
    ],
    ['any 5xx', sdkError('SomethingNew', { $metadata: { httpStatusCode: 503 } }), 'unavailable'],
    ['a 5xx of a call without an SDK client', new AwsError('SlowDown', 'slow down', 503), 'unavailable'],
    ['throttling', sdkError('ProvisionedThroughputExceededException'), 'throttled'],
    ['a transaction on the same item', sdkError('TransactionConflictException'), 'contention'],
    [
      'a transaction cancelled by another transaction only',
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
      'contention',
    ],
  ])('%s is %s', (_, error, expected) => {
    expect(storeFailure(error)).toBe(expected);
  });

  it.each([
    [
      'a failed condition',
      sdkError('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }),
    ],
    ['a bad request', sdkError('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    [
      'a transaction cancelled by a failed condition too',
      sdkError('TransactionCanceledException', {
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
      }),
    ],
    ['a transaction cancelled without reasons', sdkError('TransactionCanceledException')],
    ['a missing object', new AwsError('NoSuchKey', 'gone', 404)],
    ['a bug', new TypeError('x is undefined')],
    ['not an error at all', 'ECONNREFUSED'],
  ])('%s is no store failure', (_, error) => {
    expect(storeFailure(error)).toBeUndefined();
  });
});
