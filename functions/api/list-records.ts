// primary adapter (HTTP API) → listRecordsUseCase → records repository (one Query on an index)
import { listRecordsUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => ({
  body: await listRecordsUseCase(request.caller, collectionOf(request), request.query),
}));
