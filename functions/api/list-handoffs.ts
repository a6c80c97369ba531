// primary adapter (HTTP API) → listHandoffsUseCase → records repository (one Query on an index)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { listHandoffsUseCase } from '../../shared/domain/use-cases/handoffs.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { handoffsQuery } from '../../shared/http/request-parsing.js';
import { listHandoffsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listHandoffsRoutes, async (request) => ({
  body: await listHandoffsUseCase(request.caller, handoffsQuery(request)),
}));
