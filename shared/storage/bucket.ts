import type { Readable } from 'node:stream';
import { AWS_SERVICES, isLocal } from '../aws/services.js';
import { type AwsCall, AwsError, bodyText, presignedUrl, sendSigned } from '../aws/signed-request.js';
import { ENV, envValue } from '../config/env.js';

/**
 * The functions' one bucket (reports, imports and exports share it), reached by signed requests
 * (shared/aws/signed-request.ts) rather than the S3 client, whose serde and presigner cost each S3
 * handler ~141 KB and ~29 ms of load (docs/benchmarks.md §4) for five object calls.
 *
 * Bodies go as they are, with their length: no aws-chunked encoding and no checksum trailer (the SDK
 * client had to be told so, as the local S3 stored the trailer verbatim). No function that reaches the
 * bucket loads the tracer (shared/http/tracer.ts); one that did would trace these calls too, as its
 * captureHTTPsRequests traces every node http(s) call of the function.
 */
export const bucket = () => envValue(ENV.bucketName);

const S3 = AWS_SERVICES.s3;

/**
 * Where an object is: path-style `/<bucket>/<key>` on a local S3 (a bucket host would not resolve),
 * virtual-hosted `<bucket>.s3.<region>.amazonaws.com` with `/<key>` in AWS. S3 signs the path as it is
 * sent, so each segment is encoded once here, as the SDK does (RFC 3986: `!'()*` too), and the slashes stay.
 */
function objectCall(key: string): Pick<AwsCall, 'service' | 'path' | 'host'> {
  const path = `/${key.split('/').map(encodeSegment).join('/')}`;
  if (isLocal(S3)) return { service: S3, path: `/${encodeSegment(bucket())}${path}` };
  // AWS_REGION is always set in Lambda; sendSigned signs for it too.
  return { service: S3, path, host: `${bucket()}.${S3.host(process.env.AWS_REGION ?? '')}` };
}

const encodeSegment = (segment: string) =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * How long a streamed upload may take (a job's error list or export: tens of MB at most); a string
 * body has sendSigned's 10 s. Either way the time counts until S3 answers.
 */
const STREAM_UPLOAD_TIMEOUT_MS = 10 * 60_000;

/** Uploads a body; a stream needs its length (S3 refuses a plain chunked PUT) and is sent once, without retry. */
export async function putObject(
  key: string,
  body: string | Readable,
  contentType: string,
  contentLength?: number,
): Promise<void> {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : contentLength;
  if (length === undefined) throw new Error(`putObject ${key}: a stream body needs its length`);
  const response = await sendSigned(
    {
      ...objectCall(key),
      method: 'PUT',
      headers: { 'content-type': contentType, 'content-length': String(length) },
      body,
    },
    typeof body === 'string' ? {} : { timeoutMs: STREAM_UPLOAD_TIMEOUT_MS },
  );
  await bodyText(response);
}

/** The object's body as it arrives, never held whole; throws NoSuchKey (an AwsError) when it is not there. */
export async function getObjectStream(key: string): Promise<Readable> {
  const response = await sendSigned({ ...objectCall(key), method: 'GET' });
  if (!response.body) throw new Error(`GET ${key} answered no body`);
  return response.body;
}

/** The object's body as text; undefined when there is no such key (a missing bucket still throws). */
export async function getObjectText(key: string): Promise<string | undefined> {
  try {
    return await bodyText(await sendSigned({ ...objectCall(key), method: 'GET' }));
  } catch (error) {
    if (error instanceof AwsError && error.code === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Whether the object is there. A HEAD answer has no body, so a missing object is a bare 404. */
export async function objectExists(key: string): Promise<boolean> {
  try {
    await bodyText(await sendSigned({ ...objectCall(key), method: 'HEAD' }));
    return true;
  } catch (error) {
    if (error instanceof AwsError && error.status === 404) return false;
    throw error;
  }
}

/** A URL that GETs or PUTs the object without credentials until it expires. */
export function objectLink(key: string, method: 'GET' | 'PUT', expiresInSeconds: number): Promise<string> {
  return presignedUrl({ ...objectCall(key), method }, expiresInSeconds);
}
