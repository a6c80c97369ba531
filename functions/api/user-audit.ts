// primary adapter (HTTP API) → userAuditTrailUseCase → the user's directory entry, their audit partition
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { LIMITS } from '../../shared/config/limits.js';
import { userAuditTrailUseCase } from '../../shared/domain/use-cases/audit-trail.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { usersQuery } from '../../shared/http/request-parsing.js';
import { userAuditRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(userAuditRoutes, async (request) => ({
  body: await userAuditTrailUseCase(
    request.caller,
    request.params.username,
    usersQuery(request, LIMITS.pageSizeMax),
  ),
}));
