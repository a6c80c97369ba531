import { getJob, putJob, updateJob } from '../../db/jobs-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canRead } from '../../policy/policy.js';
import { downloadLink, exportFile } from '../../transfers/files.js';
import { invokeJobAsync } from '../../transfers/invoke-job.js';
import { fail } from '../errors.js';
import { type ExportJob, exportBody } from '../exports.js';
import { newId } from '../ids.js';
import { validate } from '../validation.js';

export interface ExportView {
  id: string;
  collection: string;
  status: string;
  rows: number;
  createdAt: string;
  updatedAt: string;
  error: string | null;
  downloadUrl: string | null;
}

async function viewOf(job: ExportJob): Promise<ExportView> {
  return {
    id: job.id,
    collection: job.collection,
    status: job.status,
    rows: job.rows,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    error: job.error ?? null,
    downloadUrl: job.status === 'done' ? await downloadLink(exportFile(job.id, job.collection)) : null,
  };
}

/** `POST /v1/exports`: queues the job; only for a caller who may read the collection. */
export async function createExportUseCase(caller: Caller, body: unknown): Promise<ExportView> {
  const valid = validate(exportBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const { collection } = valid.value;
  if (!canRead(caller, collection)) throw fail.forbidden(`You may not read ${collection}.`);
  const at = new Date().toISOString();
  const job: ExportJob = {
    id: newId(),
    collection,
    status: 'queued',
    requestedBy: { userId: caller.userId, username: caller.username, groups: caller.groups },
    createdAt: at,
    updatedAt: at,
    rows: 0,
  };
  await putJob('export', { ...job });
  try {
    await invokeJobAsync({ exportId: job.id });
  } catch (error) {
    await updateJob('export', job.id, { status: 'failed', error: 'The job could not be queued.' });
    throw error;
  }
  return viewOf(job);
}

/** `GET /v1/exports/{id}`: its requester's (or an admin's); 404 for anyone else. */
export async function getExportUseCase(caller: Caller, id: string): Promise<ExportView> {
  const job = (await getJob('export', id)) as ExportJob | undefined;
  if (!job || (job.requestedBy.userId !== caller.userId && !caller.isAdmin))
    throw fail.notFound('No such export.');
  return viewOf(job);
}
