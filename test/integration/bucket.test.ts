import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../infra/local/engines/s3-local.js';
import { bucket, getObjectText } from '../../shared/storage/bucket.js';
import {
  downloadLink,
  fileExists,
  putLocalFile,
  readStream,
  uploadLink,
} from '../../shared/transfers/files.js';
import { useStackEnv } from '../support/direct.js';
import { stack } from '../support/stack.js';

/**
 * The bucket's signed calls and presigned links end to end against the local S3, with keys that need
 * encoding: a space and a non-ASCII letter. s3rver checks the access key but not a SigV4 signature
 * (its authentication leaves v4 unimplemented): test/unit/bucket-links.test.ts proves the signatures
 * against the SDK's presigner; here, that each object lands under its key and comes back whole.
 */
const folder = `tests/${randomBytes(4).toString('hex')}`;
const key = `${folder}/Liste für Kunden 1.csv`;
const csv = 'email,name\nana@example.com,Ana Müller\n';
let tmp: string;

beforeAll(async () => {
  useStackEnv({ AWS_ENDPOINT_URL_S3: stack().s3Endpoint });
  tmp = await mkdtemp(join(tmpdir(), 'bucket-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

describe('the bucket through signed requests', () => {
  it('takes a presigned PUT under its key and serves it back by a presigned GET, a HEAD and a signed GET', async () => {
    // Act
    const put = await fetch(await uploadLink(key), { method: 'PUT', body: csv });
    const got = await fetch(await downloadLink(key));
    // The reference client names the key as S3 stored it
    const sdk = s3Client(stack().s3Endpoint);
    const stored = await sdk.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    sdk.destroy();

    // Assess
    expect(put.status, await put.text()).toBe(200);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(csv);
    expect(await stored.Body?.transformToString('utf8')).toBe(csv);
    expect(await fileExists(key)).toBe(true);
    expect(await text(await readStream(key))).toBe(csv);
  });

  it('uploads a local file as a stream with its length', async () => {
    // Prepare
    const path = join(tmp, 'errors.csv');
    const body = `row,field,message\n${'2,email,"not an email: ü"\n'.repeat(2000)}`;
    await writeFile(path, body);
    const target = `${folder}/Fehler ä.csv`;

    // Act
    await putLocalFile(target, path);

    // Assess
    expect(await getObjectText(target)).toBe(body);
  });

  it('answers a missing object as missing', async () => {
    // Act
    const exists = await fileExists(`${folder}/nicht da ö.csv`);
    const textOf = await getObjectText(`${folder}/nicht da ö.csv`);

    // Assess
    expect(exists).toBe(false);
    expect(textOf).toBeUndefined();
  });
});
