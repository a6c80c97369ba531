// primary adapter (HTTP API) → putChannelsUseCase → channel settings in the table
import { loopbackAllowed } from '../../shared/channels/senders.js';
import { putChannelsUseCase } from '../../shared/domain/use-cases/channels.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { putChannelsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(putChannelsRoutes, async (request) => ({
  body: await putChannelsUseCase(request.caller, request.params.dept, request.body, loopbackAllowed()),
}));
