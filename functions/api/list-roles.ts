// primary adapter (HTTP API) → rolesUseCase → the role cells (one GetItem, one Query)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { rolesUseCase } from '../../shared/domain/use-cases/roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { listRolesRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listRolesRoutes, async ({ caller }) => ({
  body: await rolesUseCase(caller),
}));
