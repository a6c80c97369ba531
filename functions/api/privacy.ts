// primary adapter (HTTP API) → privacy use cases → records and their copies (DynamoDB)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { eraseSubjectUseCase, exportSubjectUseCase } from '../../shared/domain/use-cases/privacy.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { privacyRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(privacyRoutes, async (request) =>
  request.route.path === '/v1/privacy/exports'
    ? { body: await exportSubjectUseCase(request.caller, request.body) }
    : { body: await eraseSubjectUseCase(request.caller, request.body) },
);
