// primary adapter (HTTP API) → getRecordUseCase → records repository (DynamoDB GetItem)
import { etagOf } from '../../shared/domain/use-cases/preconditions.js';
import { getRecordUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => {
  const record = await getRecordUseCase(request.caller, collectionOf(request), request.params.id);
  return { body: record, headers: { etag: etagOf(record.version) } };
});
