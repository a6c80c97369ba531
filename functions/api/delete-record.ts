// primary adapter (HTTP API) → deleteRecordUseCase → records repository (one conditional DeleteItem)
import { deleteRecordUseCase } from '../../shared/domain/use-cases/write-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => {
  await deleteRecordUseCase(
    request.caller,
    collectionOf(request),
    request.params.id,
    request.header('if-match'),
  );
  return { status: 204 };
});
