// primary adapter (HTTP API) → listChangesUseCase → the caller's feed partition (one Query a page)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { listChangesUseCase } from '../../shared/domain/use-cases/change-feed.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { changesQuery } from '../../shared/http/request-parsing.js';
import { listChangesRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listChangesRoutes, async (request) => ({
  body: await listChangesUseCase(request.caller, changesQuery(request)),
}));
