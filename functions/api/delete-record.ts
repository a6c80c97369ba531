// primary adapter (HTTP API) → deleteRecordUseCase → records repository (one conditional UpdateItem: a soft delete)
import { deleteRecordUseCase } from '../../shared/domain/use-cases/write-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { ifMatch, recordId } from '../../shared/http/request-parsing.js';

export const handler = apiHandler('delete-record', async (request) => {
  await deleteRecordUseCase(request.caller, collectionOf(request), recordId(request), ifMatch(request));
  return { status: 204 };
});
