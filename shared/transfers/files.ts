import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucket, s3 } from '../reports/snapshot-store.js';

/**
 * The files of import and export jobs, in the reports bucket under their own prefixes, which the
 * bucket's lifecycle rules expire after 7 days (infra/stacks/stateful-stack.ts):
 *   imports/<id>/upload.csv    what the client uploaded (presigned PUT)
 *   imports/<id>/errors.csv    the rows refused (row, field, message)
 *   exports/<id>/<collection>.csv
 */
export const TRANSFER_PREFIXES = { imports: 'imports/', exports: 'exports/' } as const;

/** How long a presigned link works. */
export const LINK_TTL_SECONDS = 15 * 60;

export const importFiles = (id: string) => ({
  upload: `${TRANSFER_PREFIXES.imports}${id}/upload.csv`,
  errors: `${TRANSFER_PREFIXES.imports}${id}/errors.csv`,
});
export const exportFile = (id: string, collection: string) =>
  `${TRANSFER_PREFIXES.exports}${id}/${collection}.csv`;

const CSV = 'text/csv; charset=utf-8';

/** A link the client PUTs its CSV to, without a token, for a while. */
export function uploadLink(key: string): Promise<string> {
  return getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucket(), Key: key }), {
    expiresIn: LINK_TTL_SECONDS,
  });
}

export function downloadLink(key: string): Promise<string> {
  return getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
    expiresIn: LINK_TTL_SECONDS,
  });
}

export async function fileExists(key: string): Promise<boolean> {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw error;
  }
}

/** The object as a stream: read as it arrives, never held whole. */
export async function readStream(key: string): Promise<Readable> {
  const out = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return out.Body as Readable;
}

/** Uploads a local file (written as a stream first, so its size is known) as a CSV. */
export async function putLocalFile(key: string, path: string): Promise<void> {
  const { size } = await stat(path);
  await s3().send(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: key,
      Body: createReadStream(path),
      ContentLength: size,
      ContentType: CSV,
    }),
  );
}
