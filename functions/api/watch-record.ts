// primary adapter (HTTP API) → setWatchUseCase → records repository (GetItem) + collaboration repository (PutItem / DeleteItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { setWatchUseCase } from '../../shared/domain/use-cases/watching.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { recordId } from '../../shared/http/request-parsing.js';
import { watchRecordRoutes } from '../../shared/http/route-index.js';

/** PUT starts watching, DELETE stops: both idempotent, both 204. */
export const handler = apiHandler(watchRecordRoutes, async (request) => {
  const watching = request.route.method === 'PUT';
  await setWatchUseCase(request.caller, collectionOf(request), recordId(request), watching);
  return { status: 204 };
});
