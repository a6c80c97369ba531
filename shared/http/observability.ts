import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { logger } from './logger.js';

/**
 * What every function's middy stack starts with, and how the shared adapters' AWS clients are traced.
 * Per kind: API functions log (Logger with the Lambda context and a correlation id); the stream and queue
 * consumers also measure (metrics.ts) and trace (tracer.ts), where those pay for their weight; Lambda's
 * active tracing records every invocation of every function.
 */

/** The Lambda context on every log line; keys (the correlation id) reset after each invocation. */
export function observe(): MiddlewareObj[] {
  return [injectLambdaContext(logger, { resetKeys: true })];
}

/**
 * How the shared adapters' AWS SDK clients are instrumented: as they are, unless a traced function
 * (tracer.ts) installs X-Ray's capture. The adapters make their clients on first use, after that.
 */
let capture = <T>(client: T): T => client;

export function instrumentClient<T>(client: T): T {
  return capture(client);
}

export function captureClientsWith(fn: <T>(client: T) => T) {
  capture = fn;
}
