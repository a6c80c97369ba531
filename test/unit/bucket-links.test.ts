import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bucket, objectLink } from '../../shared/storage/bucket.js';

/**
 * The bucket's presigned links are the ones the SDK's own presigner makes for the same object, time and
 * credentials, byte for byte: the same host, the same encoded path, the same signature. The local S3
 * (s3rver) does not check SigV4 signatures at all, so this is where the key encoding is proven: a path
 * encoded otherwise than S3 signs it would give another signature.
 */
const KEYS = ['imports/abc/upload.csv', 'tests/x/Liste für Kunden 1.csv', "a+b/c=d&e/(f)'*~!.csv"];
const TTL = 900;
const saved = process.env.AWS_ENDPOINT_URL_S3;

/**
 * The SDK's client as the functions had it, without the operation name it adds to every query (`x-id`,
 * which S3 ignores): the links must differ only where S3 reads them.
 */
function sdkClient(local: string | undefined): S3Client {
  const client = new S3Client({
    region: process.env.AWS_REGION,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(local ? { endpoint: local, forcePathStyle: true } : {}),
  });
  client.middlewareStack.add(
    (next) => (args) => {
      delete (args.request as { query: Record<string, unknown> }).query['x-id'];
      return next(args);
    },
    { step: 'build' },
  );
  return client;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-05T08:30:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
  else process.env.AWS_ENDPOINT_URL_S3 = saved;
});

describe.each([
  ['in AWS (virtual-hosted)', undefined],
  ['on the local S3 (path-style)', 'http://127.0.0.1:4569'],
])('a presigned link %s', (_, local) => {
  it.each(KEYS)('for %s is the SDK presigner’s, for GET and PUT', async (key) => {
    // Prepare
    if (local) process.env.AWS_ENDPOINT_URL_S3 = local;
    else delete process.env.AWS_ENDPOINT_URL_S3;
    const client = sdkClient(local);
    const input = { Bucket: bucket(), Key: key };

    // Act
    const ours = { get: await objectLink(key, 'GET', TTL), put: await objectLink(key, 'PUT', TTL) };
    const sdk = {
      get: await getSignedUrl(client, new GetObjectCommand(input), { expiresIn: TTL }),
      put: await getSignedUrl(client, new PutObjectCommand(input), { expiresIn: TTL }),
    };

    // Assess
    expect(canonical(ours.get)).toEqual(canonical(sdk.get));
    expect(canonical(ours.put)).toEqual(canonical(sdk.put));
    expect(new URL(ours.get).host).toBe(
      local ? '127.0.0.1:4569' : `${bucket()}.s3.${process.env.AWS_REGION}.amazonaws.com`,
    );
  });
});

/** The URL with its query parameters sorted (their order carries no meaning), else as it is. */
function canonical(link: string) {
  const url = new URL(link);
  return {
    origin: url.origin,
    path: url.pathname,
    query: [...url.searchParams.entries()].sort(([a], [b]) => a.localeCompare(b)),
  };
}
