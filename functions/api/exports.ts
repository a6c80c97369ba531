// primary adapter (HTTP API) → export use cases → job items (DynamoDB), files (S3), the job (Lambda)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { createExportUseCase, getExportUseCase } from '../../shared/domain/use-cases/exports.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { recordId } from '../../shared/http/request-parsing.js';
import { exportsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(exportsRoutes, async (request) => {
  if (request.route.method === 'POST') {
    const job = await createExportUseCase(request.caller, request.body);
    return { status: 202, body: job, headers: { location: `/v1/exports/${job.id}` } };
  }
  return { body: await getExportUseCase(request.caller, recordId(request)) };
});
