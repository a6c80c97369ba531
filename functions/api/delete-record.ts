// primary adapter (HTTP API) → deleteRecordUseCase → records repository (one conditional UpdateItem: a soft delete)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { deleteRecordUseCase } from '../../shared/domain/use-cases/write-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { ifMatch, recordId } from '../../shared/http/request-parsing.js';
import { deleteRecordRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(deleteRecordRoutes, async (request) => {
  await deleteRecordUseCase(request.caller, collectionOf(request), recordId(request), ifMatch(request));
  return { status: 204 };
});
