// primary adapter (HTTP API) → listRecordsUseCase → records repository (one Query on an index)
import { listRecordsUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { listQuery } from '../../shared/http/request-parsing.js';

export const handler = apiHandler('list-records', async (request) => {
  const collection = collectionOf(request);
  return { body: await listRecordsUseCase(request.caller, collection, listQuery(request, collection)) };
});
