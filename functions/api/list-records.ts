// primary adapter (HTTP API) → listRecordsUseCase → records repository (one Query on an index)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { listRecordsUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { listQuery } from '../../shared/http/request-parsing.js';
import { listRecordsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listRecordsRoutes, async (request) => {
  const collection = collectionOf(request);
  return { body: await listRecordsUseCase(request.caller, collection, listQuery(request, collection)) };
});
