import { createHash, createHmac } from 'node:crypto';
import { ENV, envValue } from '../config/env.js';

/**
 * Starts a job function asynchronously: Lambda's Invoke API with `X-Amz-Invocation-Type: Event` (202,
 * Lambda queues the event and retries a failed run twice). Signed here with Signature Version 4 from the
 * credentials Lambda puts in every function's environment, so no Lambda client is bundled for one call.
 * Locally AWS_ENDPOINT_URL_LAMBDA points at the local stack's Invoke endpoint (infra/local/lambda-invoke.ts),
 * which runs the same handler in the background.
 */
const SERVICE = 'lambda';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** The Authorization header of a SigV4-signed request (headers: lowercase names, host included). */
export function sigV4Authorization(opts: {
  method: string;
  path: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  region: string;
  service: string;
  amzDate: string;
  accessKeyId: string;
  secretAccessKey: string;
}): string {
  const names = Object.keys(opts.headers).sort();
  const canonical = [
    opts.method,
    opts.path,
    '',
    ...names.map((n) => `${n}:${opts.headers[n]!.trim()}`),
    '',
    names.join(';'),
    sha256(opts.body),
  ].join('\n');
  const day = opts.amzDate.slice(0, 8);
  const scope = `${day}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', opts.amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${opts.secretAccessKey}`, day);
  for (const part of [opts.region, opts.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: Lambda sets it in every function`);
  return value;
}

/** Queues one run of the import job with this event; resolves once Lambda accepted it. */
export async function invokeJobAsync(event: object): Promise<void> {
  const region = required('AWS_REGION');
  const name = envValue(ENV.jobFunction);
  const base = process.env.AWS_ENDPOINT_URL_LAMBDA ?? `https://lambda.${region}.amazonaws.com`;
  const url = new URL(`/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, base);
  const body = JSON.stringify(event);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const token = process.env.AWS_SESSION_TOKEN;
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json',
    'x-amz-date': amzDate,
    'x-amz-invocation-type': 'Event',
    ...(token ? { 'x-amz-security-token': token } : {}),
  };
  const authorization = sigV4Authorization({
    method: 'POST',
    path: url.pathname,
    headers,
    body,
    region,
    service: SERVICE,
    amzDate,
    accessKeyId: required('AWS_ACCESS_KEY_ID'),
    secretAccessKey: required('AWS_SECRET_ACCESS_KEY'),
  });
  const { host: _host, ...sent } = headers;
  const res = await fetch(url, { method: 'POST', headers: { ...sent, authorization }, body });
  if (res.status !== 202) throw new Error(`Lambda did not queue the job: ${res.status} ${await res.text()}`);
}
