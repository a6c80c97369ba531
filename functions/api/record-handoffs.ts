// primary adapter (HTTP API) → recordHandoffsUseCase → records repository (GetItem, then one Query on an index)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { recordHandoffsUseCase } from '../../shared/domain/use-cases/handoffs.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { recordHandoffsQuery, recordId } from '../../shared/http/request-parsing.js';
import { recordHandoffsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(recordHandoffsRoutes, async (request) => ({
  body: await recordHandoffsUseCase(
    request.caller,
    collectionOf(request),
    recordId(request),
    recordHandoffsQuery(request),
  ),
}));
