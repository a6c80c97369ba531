// primary adapter (HTTP API) → updateRecordUseCase → records repository (one conditional UpdateItem)
import { etagOf } from '../../shared/domain/use-cases/preconditions.js';
import { updateRecordUseCase } from '../../shared/domain/use-cases/write-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => {
  const record = await updateRecordUseCase(
    request.caller,
    collectionOf(request),
    request.params.id,
    request.body,
    request.header('if-match'),
  );
  return { body: record, headers: { etag: etagOf(record.version) } };
});
