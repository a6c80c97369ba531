import { AWS_SERVICES } from './services.js';
import { AwsError, bodyText, sendSigned } from './signed-request.js';

/**
 * Lambda's Invoke API for the functions a handler starts itself (the import/export job, the report
 * renderer). Locally AWS_ENDPOINT_URL_LAMBDA points at the local stack's Invoke endpoint
 * (infra/local/lambda-invoke.ts), which runs the same handler.
 */
const invocationsPath = (name: string) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;

/** Queues one run with this event (`Event`: Lambda retries a failed run twice); resolves once Lambda accepted it. */
export async function invokeAsync(functionName: string, event: object): Promise<void> {
  const response = await sendSigned({
    service: AWS_SERVICES.lambda,
    method: 'POST',
    path: invocationsPath(functionName),
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
    body: JSON.stringify(event),
  });
  await bodyText(response);
  if (response.status !== 202) throw new Error(`Lambda did not queue ${functionName}: ${response.status}`);
}

/**
 * Runs the function with this event and answers its result (`RequestResponse`). A handler's own error
 * comes back as 200 with `X-Amz-Function-Error`: thrown here as an AwsError named after its errorType.
 * No retry: the function's work may not be idempotent, and the caller's client can ask again.
 */
export async function invokeAndWait(
  functionName: string,
  event: object,
  timeoutMs: number,
): Promise<unknown> {
  const response = await sendSigned(
    {
      service: AWS_SERVICES.lambda,
      method: 'POST',
      path: invocationsPath(functionName),
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      body: JSON.stringify(event),
    },
    { attempts: 1, timeoutMs },
  );
  const text = await bodyText(response);
  const result: unknown = text ? JSON.parse(text) : null;
  if (response.headers['x-amz-function-error']) {
    const { errorType, errorMessage } = (result ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    throw new AwsError(
      typeof errorType === 'string' ? errorType : 'FunctionError',
      `${functionName} failed: ${typeof errorMessage === 'string' ? errorMessage : 'no message'}`,
      response.status,
    );
  }
  return result;
}
