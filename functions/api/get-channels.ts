// primary adapter (HTTP API) → getChannelsUseCase → channel settings in the table (URLs masked)
import { getChannelsUseCase } from '../../shared/domain/use-cases/channels.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler('get-channels', async (request) => ({
  body: await getChannelsUseCase(request.caller, request.params.dept),
}));
