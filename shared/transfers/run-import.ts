import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { getJob, idsByNaturalKey, updateJob } from '../db/jobs-repo.js';
import { getRecord } from '../db/records-repo.js';
import { naturalKeyOf } from '../domain/collections.js';
import { DomainError } from '../domain/errors.js';
import { idFrom } from '../domain/ids.js';
import {
  changedFields,
  encodingProblems,
  headerProblems,
  type ImportCounts,
  type ImportJob,
  type RowError,
  rowBody,
  rowErrors,
} from '../domain/imports.js';
import { createRecordUseCase } from '../domain/use-cases/create-record.js';
import { getRecordUseCase } from '../domain/use-cases/read-records.js';
import { updateRecordUseCase } from '../domain/use-cases/write-records.js';
import { type Caller, callerFromClaims } from '../policy/caller.js';
import { importFiles, putLocalFile, readStream } from './files.js';

/** Counts are saved every this many rows, so that GET /v1/imports/{id} shows progress. */
const PROGRESS_EVERY = 200;
/** A cell (and so a row) larger than this is refused by the parser: no single row may fill the memory. */
const MAX_RECORD_BYTES = 64 * 1024;

/** The id of a row's record: the same import and row always give the same id, so a rerun creates nothing twice. */
export function rowRecordId(job: Pick<ImportJob, 'id' | 'createdAt'>, row: number): string {
  const seed = createHash('sha256').update(`${job.id}#${row}`).digest();
  return idFrom(Date.parse(job.createdAt), seed);
}

type Outcome = 'created' | 'updated' | 'skipped';

/** One row: create it, or (upsert) merge it into the record with its natural key, as its requester. */
async function importRow(
  caller: Caller,
  job: ImportJob,
  row: number,
  body: Record<string, unknown>,
  seen: Map<string, string>,
): Promise<Outcome> {
  const { collection } = job;
  const id = rowRecordId(job, row);
  const key = naturalKeyOf(collection, body);
  // Rows of one file that share a key are one person (or company): the first row counts.
  if (key && seen.has(key)) return 'skipped';
  const existing = key ? await idsByNaturalKey(collection, key) : [];
  if (key) seen.set(key, existing[0] ?? id);
  // A rerun finds its own earlier create: that row was created (by this import), not a duplicate.
  if (existing.includes(id) || (!key && (await getRecord(collection, id)))) return 'created';
  const target = existing[0];
  if (target === undefined) {
    await createRecordUseCase(caller, collection, body, undefined, id);
    return 'created';
  }
  if (job.mode === 'create') return 'skipped';
  const stored = await getRecordUseCase(caller, collection, target);
  const patch = changedFields(collection, stored, body);
  if (Object.keys(patch).length === 0) return 'skipped';
  await updateRecordUseCase(caller, collection, target, patch, [stored.version]);
  return 'updated';
}

function errorsOf(error: unknown, row: number): RowError[] {
  if (!(error instanceof DomainError)) throw error;
  return error.errors?.length ? rowErrors(row, error.errors) : [{ row, field: '', message: error.message }];
}

/**
 * The import job: streams the uploaded CSV row by row (csv-parse; the file is never held whole), each
 * row validated and written with the requester's permissions as a create or a PATCH would be, the
 * refused rows streamed to the errors CSV. A rerun (Lambda's retry, or a start after a failure) goes
 * through the file again: created rows are found by their ids, so nothing is created twice.
 */
export async function runImport(importId: string): Promise<ImportCounts | undefined> {
  const job = (await getJob('import', importId)) as ImportJob | undefined;
  if (!job || job.status === 'awaiting-upload' || job.status === 'done') return undefined;
  const caller = callerFromClaims({
    sub: job.requestedBy.userId,
    'cognito:username': job.requestedBy.username,
    'cognito:groups': job.requestedBy.groups,
  })!;
  const counts: ImportCounts = { rows: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
  const save = (set: Record<string, unknown>) =>
    updateJob('import', importId, { counts, updatedAt: new Date().toISOString(), ...set });
  await save({ status: 'running' });

  const dir = await mkdtemp(join(tmpdir(), 'import-'));
  const errorsPath = join(dir, 'errors.csv');
  const errorsOut = stringify({ header: true, columns: ['row', 'field', 'message'] });
  const errorsFile = finished(errorsOut.pipe(createWriteStream(errorsPath)));
  let errorLines = 0;
  const report = (errors: RowError[]) => {
    for (const e of errors) errorsOut.write(e);
    errorLines += errors.length;
  };
  let fileError: string | undefined;
  let sawHeader = false;
  try {
    const parser = (await readStream(importFiles(importId).upload)).pipe(
      parse({
        bom: true,
        columns: (header: string[]) => {
          sawHeader = true;
          const problems = headerProblems(
            job.collection,
            header.map((h) => h.trim()),
          );
          if (problems.length) {
            report(problems);
            throw new Error(`The header names what is not a field of ${job.collection}.`);
          }
          return header.map((h) => h.trim());
        },
        skip_empty_lines: true,
        max_record_size: MAX_RECORD_BYTES,
      }),
    );
    const seen = new Map<string, string>();
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      counts.rows += 1;
      const encoding = encodingProblems(counts.rows, record);
      if (encoding.length) {
        counts.failed += 1;
        report(encoding);
        continue;
      }
      try {
        counts[await importRow(caller, job, counts.rows, rowBody(job.collection, record), seen)] += 1;
      } catch (error) {
        counts.failed += 1;
        report(errorsOf(error, counts.rows));
      }
      if (counts.rows % PROGRESS_EVERY === 0) await save({});
    }
    if (!sawHeader) throw new Error('The file is empty: a CSV needs a header row naming fields.');
  } catch (error) {
    fileError = error instanceof Error ? error.message : String(error);
    if (!errorLines) report([{ row: counts.rows + 1, field: '', message: fileError }]);
  } finally {
    errorsOut.end();
    await errorsFile;
    if (errorLines) await putLocalFile(importFiles(importId).errors, errorsPath);
    await rm(dir, { recursive: true, force: true });
  }
  await save({
    status: fileError ? 'failed' : 'done',
    hasErrors: errorLines > 0,
    error: fileError ?? null,
  });
  return counts;
}
