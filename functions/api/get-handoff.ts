// primary adapter (HTTP API) → getHandoffUseCase → records repository (DynamoDB GetItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { getHandoffUseCase } from '../../shared/domain/use-cases/handoffs.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { etagOf, recordId } from '../../shared/http/request-parsing.js';
import { getHandoffRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(getHandoffRoutes, async (request) => {
  const handoff = await getHandoffUseCase(request.caller, recordId(request));
  return { body: handoff, headers: { etag: etagOf(handoff.version) } };
});
