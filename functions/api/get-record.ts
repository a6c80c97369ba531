// primary adapter (HTTP API) → getRecordUseCase → records repository (DynamoDB GetItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { getRecordUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { etagOf, recordId } from '../../shared/http/request-parsing.js';
import { getRecordRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(getRecordRoutes, async (request) => {
  const record = await getRecordUseCase(request.caller, collectionOf(request), recordId(request));
  return { body: record, headers: { etag: etagOf(record.version) } };
});
