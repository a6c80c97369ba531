// primary adapter (Lambda, invoked asynchronously by POST /v1/imports/{id}/start) → runImport
import middy from '@middy/core';
import { loadEnv } from '../../shared/config/env.js';
import { IMPORT_JOB } from '../../shared/config/jobs.js';
import { logger } from '../../shared/http/logger.js';
import { observe } from '../../shared/http/observability.js';
import { runImport } from '../../shared/transfers/run-import.js';

loadEnv(IMPORT_JOB.grants);

export const handler = middy(async (event: { importId?: string }) => {
  if (typeof event.importId !== 'string') throw new Error('run-import: the event names no importId');
  const counts = await runImport(event.importId);
  logger.info('import finished', { importId: event.importId, counts });
  return { importId: event.importId, counts };
}).use(observe());
