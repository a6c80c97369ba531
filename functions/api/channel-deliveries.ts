// primary adapter (HTTP API) → listDeliveriesUseCase → delivery records in the table
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { listDeliveriesUseCase } from '../../shared/domain/use-cases/channels.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { deliveriesQuery } from '../../shared/http/request-parsing.js';
import { channelDeliveriesRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(channelDeliveriesRoutes, async (request) => ({
  body: await listDeliveriesUseCase(request.caller, request.params.dept, deliveriesQuery(request)),
}));
