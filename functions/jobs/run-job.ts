// primary adapter (Lambda, invoked asynchronously by the import and export routes) → runImport / runExport
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import middy from '@middy/core';
import { loadEnv } from '../../shared/config/env.js';
import { TRANSFER_JOB } from '../../shared/config/jobs.js';
import { logger } from '../../shared/http/logger.js';
import { observe } from '../../shared/http/observability.js';
import { rolePermissionsInForce } from '../../shared/http/role-freshness.js';
import { runExport } from '../../shared/transfers/run-export.js';
import { runImport } from '../../shared/transfers/run-import.js';

loadEnv(TRANSFER_JOB.grants);

export const handler = middy(async (event: { importId?: string; exportId?: string }) => {
  if (typeof event.importId === 'string') {
    const counts = await runImport(event.importId);
    logger.info('import finished', { importId: event.importId, counts });
    return { importId: event.importId, counts };
  }
  if (typeof event.exportId === 'string') {
    const rows = await runExport(event.exportId);
    logger.info('export finished', { exportId: event.exportId, rows });
    return { exportId: event.exportId, rows };
  }
  throw new Error('run-job: the event names no importId or exportId');
}).use([...observe(), ...rolePermissionsInForce('run-job', TRANSFER_JOB.grants)]);
