// primary adapter (HTTP API) → updateRecordUseCase → records repository (one conditional UpdateItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { updateRecordUseCase } from '../../shared/domain/use-cases/write-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { etagOf, ifMatch, recordId } from '../../shared/http/request-parsing.js';
import { updateRecordRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(updateRecordRoutes, async (request) => {
  const id = recordId(request);
  const expectedVersions = ifMatch(request);
  const record = await updateRecordUseCase(
    request.caller,
    collectionOf(request),
    id,
    request.body,
    expectedVersions,
  );
  return { body: record, headers: { etag: etagOf(record.version) } };
});
