// primary adapter (HTTP API) → getChannelsUseCase → channel settings in the table (URLs masked)
import { getChannelsUseCase } from '../../shared/domain/use-cases/channels.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { getChannelsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(getChannelsRoutes, async (request) => ({
  body: await getChannelsUseCase(request.caller, request.params.dept),
}));
