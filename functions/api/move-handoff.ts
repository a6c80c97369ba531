// primary adapter (HTTP API) → moveHandoffUseCase → records repository (GetItem, then one conditional UpdateItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { moveHandoffUseCase } from '../../shared/domain/use-cases/handoffs.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { etagOf, handoffMove, recordId } from '../../shared/http/request-parsing.js';
import { moveHandoffRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(moveHandoffRoutes, async (request) => {
  const handoff = await moveHandoffUseCase(request.caller, recordId(request), handoffMove(request));
  return { body: handoff, headers: { etag: etagOf(handoff.version) } };
});
