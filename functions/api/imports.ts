// primary adapter (HTTP API) → import use cases → job items (DynamoDB), files (S3), the job (Lambda)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import {
  createImportUseCase,
  getImportUseCase,
  startImportUseCase,
} from '../../shared/domain/use-cases/imports.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { recordId } from '../../shared/http/request-parsing.js';
import { importsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(importsRoutes, async (request) => {
  const { method, path } = request.route;
  if (method === 'POST' && path === '/v1/imports') {
    const job = await createImportUseCase(request.caller, request.body);
    return { status: 201, body: job, headers: { location: `/v1/imports/${job.id}` } };
  }
  const id = recordId(request);
  if (method === 'POST') return { body: await startImportUseCase(request.caller, id) };
  return { body: await getImportUseCase(request.caller, id) };
});
