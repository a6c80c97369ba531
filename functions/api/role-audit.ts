// primary adapter (HTTP API) → roleAuditTrailUseCase → the role cells' audit partition
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { LIMITS } from '../../shared/config/limits.js';
import { roleAuditTrailUseCase } from '../../shared/domain/use-cases/roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { usersQuery } from '../../shared/http/request-parsing.js';
import { roleAuditRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(roleAuditRoutes, async (request) => ({
  body: await roleAuditTrailUseCase(request.caller, usersQuery(request, LIMITS.pageSizeMax)),
}));
