// primary adapter (HTTP API) → timelineUseCase → records repository (one Query on the account's item collection)
import { timelineUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => ({
  body: await timelineUseCase(request.caller, request.params.id, request.query),
}));
