import { getJob, putJob, updateJob } from '../../db/jobs-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canCreate } from '../../policy/policy.js';
import { downloadLink, fileExists, importFiles, uploadLink } from '../../transfers/files.js';
import { invokeJobAsync } from '../../transfers/invoke-job.js';
import { fail } from '../errors.js';
import { newId } from '../ids.js';
import { type ImportJob, importBody, NO_COUNTS } from '../imports.js';
import { validate } from '../validation.js';

/** What the import routes answer: the job, and the links that go with its state. */
export interface ImportView {
  id: string;
  collection: string;
  mode: string;
  status: string;
  counts: ImportJob['counts'];
  createdAt: string;
  updatedAt: string;
  error: string | null;
  uploadUrl?: string;
  errorsUrl: string | null;
}

async function viewOf(job: ImportJob, withUpload = false): Promise<ImportView> {
  const files = importFiles(job.id);
  return {
    id: job.id,
    collection: job.collection,
    mode: job.mode,
    status: job.status,
    counts: job.counts,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    error: job.error ?? null,
    ...(withUpload ? { uploadUrl: await uploadLink(files.upload) } : {}),
    errorsUrl: job.hasErrors ? await downloadLink(files.errors) : null,
  };
}

/** A job as its requester (or an admin) may see it; 404 for anyone else, as for a record. */
async function jobFor(caller: Caller, id: string): Promise<ImportJob> {
  const job = (await getJob('import', id)) as ImportJob | undefined;
  if (!job || (job.requestedBy.userId !== caller.userId && !caller.isAdmin))
    throw fail.notFound('No such import.');
  return job;
}

/** `POST /v1/imports`: the job, waiting for its upload; only for a caller who may create in the collection. */
export async function createImportUseCase(caller: Caller, body: unknown): Promise<ImportView> {
  const valid = validate(importBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const { collection, mode } = valid.value;
  if (!canCreate(caller, collection)) throw fail.forbidden(`You may not create ${collection}.`);
  const at = new Date().toISOString();
  const job: ImportJob = {
    id: newId(),
    collection,
    mode,
    status: 'awaiting-upload',
    requestedBy: { userId: caller.userId, username: caller.username, groups: caller.groups },
    createdAt: at,
    updatedAt: at,
    counts: NO_COUNTS,
  };
  await putJob('import', { ...job });
  return viewOf(job, true);
}

/**
 * `POST /v1/imports/{id}/start`: queues the job once the file is there. A job that failed may be
 * started again (its rows keep their ids, so nothing is created twice); one queued, running or done not.
 */
export async function startImportUseCase(caller: Caller, id: string): Promise<ImportView> {
  const job = await jobFor(caller, id);
  if (!(await fileExists(importFiles(id).upload)))
    throw fail.conflict('Nothing was uploaded yet: PUT the CSV to uploadUrl first.');
  const updatedAt = new Date().toISOString();
  const started = await updateJob('import', id, { status: 'queued', updatedAt }, [
    'awaiting-upload',
    'failed',
  ]);
  if (!started) throw fail.conflict(`This import is ${job.status}: it cannot be started again.`);
  try {
    await invokeJobAsync({ importId: id });
  } catch (error) {
    // Not queued after all: the requester may start it again.
    await updateJob('import', id, {
      status: 'failed',
      error: 'The job could not be queued; start it again.',
    });
    throw error;
  }
  return viewOf({ ...job, status: 'queued', updatedAt });
}

export async function getImportUseCase(caller: Caller, id: string): Promise<ImportView> {
  return viewOf(await jobFor(caller, id));
}
