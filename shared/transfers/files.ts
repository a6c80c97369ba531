import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { getObjectStream, objectExists, objectLink, putObject } from '../storage/bucket.js';

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
  return objectLink(key, 'PUT', LINK_TTL_SECONDS);
}

export function downloadLink(key: string): Promise<string> {
  return objectLink(key, 'GET', LINK_TTL_SECONDS);
}

export function fileExists(key: string): Promise<boolean> {
  return objectExists(key);
}

/** The object as a stream: read as it arrives, never held whole. */
export function readStream(key: string): Promise<Readable> {
  return getObjectStream(key);
}

/** Uploads a local file (written as a stream first, so its size is known) as a CSV. */
export async function putLocalFile(key: string, path: string): Promise<void> {
  const { size } = await stat(path);
  await putObject(key, createReadStream(path), CSV, size);
}
