import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * Runs Lambda handlers in-process, as the Lambda runtime would: the module loaded once (cold
 * start), then invoked with an event and a Context per call.
 */
export type LambdaHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

const loaded = new Map<string, Promise<LambdaHandler>>();

export function loadHandler<E, R>(entry: string): Promise<LambdaHandler<E, R>> {
  let handler = loaded.get(entry);
  if (!handler) {
    handler = import(entry).then((mod: { handler?: LambdaHandler }) => {
      if (typeof mod.handler !== 'function') throw new Error(`${entry} exports no handler`);
      return mod.handler;
    });
    loaded.set(entry, handler);
  }
  return handler as Promise<LambdaHandler<E, R>>;
}

export function lambdaContext(functionName: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
