// primary adapter (HTTP API) → markReadUseCase → collaboration repository (one conditional UpdateItem)
import { markReadUseCase } from '../../shared/domain/use-cases/notifications.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { notificationId } from '../../shared/http/request-parsing.js';
import { readNotificationRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(readNotificationRoutes, async (request) => {
  await markReadUseCase(request.caller, notificationId(request));
  return { status: 204 };
});
