// primary adapter (HTTP API) → convertLeadUseCase → records repository (GetItem, then one TransactWriteItems)
import { convertLeadUseCase } from '../../shared/domain/use-cases/convert-lead.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => ({
  status: 201,
  body: await convertLeadUseCase(request.caller, request.params.id, request.body),
}));
