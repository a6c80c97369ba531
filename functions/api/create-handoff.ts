// primary adapter (HTTP API) → requestHandoffUseCase → records repository (GetItem, then one TransactWriteItems)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { requestHandoffUseCase } from '../../shared/domain/use-cases/handoffs.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { etagOf, idempotencyKey } from '../../shared/http/request-parsing.js';
import { createHandoffRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(createHandoffRoutes, async (request) => {
  const { handoff, replayed } = await requestHandoffUseCase(
    request.caller,
    request.body,
    idempotencyKey(request),
  );
  const headers: Record<string, string> = {
    location: `/v1/handoffs/${handoff.id}`,
    etag: etagOf(handoff.version),
  };
  if (replayed) headers['idempotent-replayed'] = 'true';
  return { status: 201, body: handoff, headers };
});
