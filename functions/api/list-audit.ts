// primary adapter (HTTP API) → auditTrailUseCase → the record's audit partition (one Query a page)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { auditTrailUseCase } from '../../shared/domain/use-cases/audit-trail.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { auditQuery } from '../../shared/http/request-parsing.js';
import { listAuditRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listAuditRoutes, async (request) => ({
  body: await auditTrailUseCase(request.caller, auditQuery(request)),
}));
