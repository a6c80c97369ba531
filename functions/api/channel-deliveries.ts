// primary adapter (HTTP API) → listDeliveriesUseCase → delivery records in the table
import { listDeliveriesUseCase } from '../../shared/domain/use-cases/channels.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { deliveriesQuery } from '../../shared/http/request-parsing.js';

export const handler = apiHandler('channel-deliveries', async (request) => ({
  body: await listDeliveriesUseCase(request.caller, request.params.dept, deliveriesQuery(request)),
}));
