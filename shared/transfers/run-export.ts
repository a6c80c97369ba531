import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { LIMITS } from '../config/limits.js';
import { getJob, updateJob } from '../db/jobs-repo.js';
import { collectionIndex, type StartKey } from '../db/record-pages.js';
import { fieldOf } from '../domain/collections.js';
import { cellOf, type ExportJob, exportColumns } from '../domain/exports.js';
import { callerFromClaims } from '../policy/caller.js';
import { canRead, redact } from '../policy/policy.js';
import { exportFile, putLocalFile } from './files.js';

/**
 * The export job: reads the collection a page at a time (its byCollection index, never a Scan), each
 * record redacted for the requester as a GET would be, into a CSV streamed to a temporary file, then
 * uploaded under exports/. The requester's permissions are read again from the job: one who may no
 * longer read the collection gets nothing.
 */
export async function runExport(exportId: string): Promise<number | undefined> {
  const job = (await getJob('export', exportId)) as ExportJob | undefined;
  if (!job || job.status === 'done') return undefined;
  const caller = callerFromClaims({
    sub: job.requestedBy.userId,
    'cognito:username': job.requestedBy.username,
    'cognito:groups': job.requestedBy.groups,
  })!;
  const save = (set: Record<string, unknown>) =>
    updateJob('export', exportId, { updatedAt: new Date().toISOString(), ...set });
  await save({ status: 'running' });
  if (!canRead(caller, job.collection)) {
    await save({ status: 'failed', error: `You may not read ${job.collection}.` });
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'export-'));
  try {
    const path = join(dir, 'export.csv');
    const columns = exportColumns(job.collection);
    const out = stringify({ header: true, columns });
    const written = finished(out.pipe(createWriteStream(path)));
    const index = collectionIndex(job.collection, { by: 'all' });
    let rows = 0;
    let start: StartKey | undefined;
    do {
      const page = await index.read(LIMITS.pageSizeMax, start);
      for (const record of page.items) {
        const seen = redact(caller, job.collection, record);
        const line = columns.map((c) => cellOf(fieldOf(seen, c)));
        if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
        rows += 1;
      }
      start = page.lastKey;
    } while (start);
    out.end();
    await written;
    await putLocalFile(exportFile(exportId, job.collection), path);
    await save({ status: 'done', rows, error: null });
    return rows;
  } catch (error) {
    await save({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
