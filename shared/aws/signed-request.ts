import type { Readable } from 'node:stream';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { type AwsService, serviceBase } from './services.js';

/**
 * A signed request to an AWS API without that service's SDK client. Every function bundles the DynamoDB
 * client, and with it the SDK's signer (@smithy/signature-v4), its credential chain and its HTTP handler;
 * a second client (S3, Cognito, SES v2, Lambda) would add 35–140 KB of serde for every operation of its
 * service (docs/benchmarks.md §4), where a function makes two or three calls. So the few calls of those
 * services are written here as plain requests, and signed, sent and presigned by the SDK's own parts:
 * no signing is written by hand. Only the request shapes (a path, a header, a JSON body) are ours, and
 * the integration suite runs them against the local engines. Those do not check signatures (s3rver
 * accepts any SigV4 request with a known key), so the S3 links are compared with the SDK presigner's,
 * byte for byte, in test/unit/bucket-links.test.ts.
 */
export interface AwsCall {
  service: AwsService;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** The path below the service's base, already URI-encoded where it must be. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A string or bytes can be sent again on a retry; a stream is sent once. */
  body?: string | Uint8Array | Readable;
  /** A host of its own (S3's virtual-hosted bucket names); else the service's. */
  host?: string;
}

export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable | undefined;
}

/** An AWS error answer, named by its code as the SDK names its exceptions (`NoSuchKey`, `UserNotFoundException`). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

export interface SendOptions {
  /** Tries in all (default 3); transient failures only: 5xx, 429, throttling codes, a reset connection. */
  attempts?: number;
  /** Per try, until the answer's headers arrive (default 10 s); a body read after that is not timed. */
  timeoutMs?: number;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'TimeoutError']);

const credentials = defaultProvider();
const handlers = new Map<number, NodeHttpHandler>();

function handlerFor(timeoutMs: number): NodeHttpHandler {
  let handler = handlers.get(timeoutMs);
  if (!handler) {
    handler = new NodeHttpHandler({
      // Until the answer's headers arrive; without throwOnRequestTimeout the handler would only warn.
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(timeoutMs, 5_000),
    });
    handlers.set(timeoutMs, handler);
  }
  return handler;
}

function region(): string {
  const value = process.env.AWS_REGION;
  if (!value) throw new Error('AWS_REGION is not set: Lambda sets it in every function');
  return value;
}

function signer(service: AwsService, presigning = false): SignatureV4 {
  return new SignatureV4({
    service: service.signingName,
    region: region(),
    credentials,
    sha256: Sha256,
    // S3 signs the path as sent (keys are encoded once); every other service encodes it twice.
    uriEscapePath: service.signingName !== 's3',
    // S3 wants x-amz-content-sha256 on every signed request (a stream's is UNSIGNED-PAYLOAD), a presigned
    // URL none: its payload is the client's, unknown here (as the SDK's S3RequestPresigner does).
    applyChecksum: !presigning,
  });
}

function toRequest(call: AwsCall): HttpRequest {
  // A host of its own is a whole origin: neither the port nor the path of a local engine's base applies.
  const base = call.host ? new URL(`https://${call.host}`) : serviceBase(call.service, region());
  const prefix = base.pathname.replace(/\/$/, '');
  return new HttpRequest({
    protocol: base.protocol,
    hostname: base.hostname,
    port: base.port ? Number(base.port) : undefined,
    method: call.method,
    path: `${prefix}${call.path}`,
    query: call.query ?? {},
    headers: { host: base.host, ...(call.headers ?? {}) },
    body: call.body,
  });
}

/** Signs and sends; resolves with any 2xx or 3xx answer, throws an AwsError for the rest. */
export async function sendSigned(call: AwsCall, options: SendOptions = {}): Promise<AwsResponse> {
  const replayable = typeof call.body === 'string' || call.body instanceof Uint8Array || !call.body;
  const attempts = replayable ? (options.attempts ?? 3) : 1;
  const handler = handlerFor(options.timeoutMs ?? 10_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const signed = await signer(call.service).sign(toRequest(call));
      const { response } = await handler.handle(signed as HttpRequest);
      const answer = {
        status: response.statusCode,
        headers: response.headers,
        body: response.body as Readable,
      };
      if (answer.status < 400) return answer;
      throw await errorOf(answer);
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await backoff(attempt);
    }
  }
}

/** A URL that makes this call without credentials until it expires (S3's presigned GET and PUT). */
export async function presignedUrl(call: AwsCall, expiresInSeconds: number): Promise<string> {
  const request = toRequest(call);
  request.headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer(call.service, true).presign(request, { expiresIn: expiresInSeconds });
  const query = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  const port = signed.port ? `:${signed.port}` : '';
  return `${signed.protocol}//${signed.hostname}${port}${signed.path}?${query}`;
}

/** The whole body as text (small answers: JSON, XML, a report's JSON file). */
export async function bodyText(response: AwsResponse): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** The error an answer carries, in any of the three shapes AWS uses (JSON `__type`, the header, S3's XML). */
export async function errorOf(response: AwsResponse): Promise<AwsError> {
  const text = await bodyText(response).catch(() => '');
  const header = response.headers['x-amzn-errortype'];
  let code: string | undefined;
  let message: string | undefined;
  if (text.startsWith('{')) {
    const parsed = safeJson(text);
    code =
      typeof parsed.__type === 'string'
        ? parsed.__type
        : typeof parsed.code === 'string'
          ? parsed.code
          : undefined;
    const said = parsed.message ?? parsed.Message;
    message = typeof said === 'string' ? said : undefined;
  } else if (text.startsWith('<')) {
    code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  }
  code = (code ?? header ?? defaultCode(response.status)).split(':')[0]!.split('#').pop()!;
  return new AwsError(code, message ?? `${code} (${response.status})`, response.status);
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function defaultCode(status: number): string {
  if (status === 404) return 'NotFound';
  if (status === 403) return 'Forbidden';
  return status >= 500 ? 'InternalError' : 'BadRequest';
}

function isTransient(error: unknown): boolean {
  if (error instanceof AwsError)
    return error.status >= 500 || error.status === 429 || THROTTLING.has(error.code);
  const { code, name } = error as { code?: string; name?: string };
  return RESET.has(code ?? '') || RESET.has(name ?? '');
}

/** Full jitter on 100 ms × 2^n, as the SDK's standard retry does. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));

/**
 * A call of a JSON-protocol API (Cognito, Secrets Manager: `X-Amz-Target: <prefix>.<Operation>`). The answer
 * is `unknown`: the caller parses the fields it reads (dates there are epoch seconds, not Date).
 */
export async function callJson(
  service: AwsService,
  target: string,
  input: object,
  options: SendOptions = {},
): Promise<unknown> {
  const response = await sendSigned(
    {
      service,
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body: JSON.stringify(input),
    },
    options,
  );
  const text = await bodyText(response);
  return text ? JSON.parse(text) : {};
}
