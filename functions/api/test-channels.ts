// primary adapter (HTTP API) → testChannelsUseCase → Slack / WeChat Work webhooks, SES
import { SENDERS } from '../../shared/channels/senders.js';
import { testChannelsUseCase } from '../../shared/domain/use-cases/channels.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { testChannelsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(testChannelsRoutes, async (request) => ({
  body: await testChannelsUseCase(request.caller, request.params.dept, SENDERS),
}));
