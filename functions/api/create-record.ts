// primary adapter (HTTP API) → createRecordUseCase → records repository (DynamoDB)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { createRecordUseCase } from '../../shared/domain/use-cases/create-record.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { etagOf, idempotencyKey } from '../../shared/http/request-parsing.js';
import { createRecordRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(createRecordRoutes, async (request) => {
  const collection = collectionOf(request);
  const { record, replayed } = await createRecordUseCase(
    request.caller,
    collection,
    request.body,
    idempotencyKey(request),
  );
  const headers: Record<string, string> = {
    location: `/v1/${collection}/${record.id}`,
    etag: etagOf(record.version),
  };
  if (replayed) headers['idempotent-replayed'] = 'true';
  return { status: 201, body: record, headers };
});
