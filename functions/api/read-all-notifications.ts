// primary adapter (HTTP API) → markAllReadUseCase → collaboration repository (a Query of the unread, an UpdateItem each)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { markAllReadUseCase } from '../../shared/domain/use-cases/notifications.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { readAllNotificationsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(readAllNotificationsRoutes, async (request) => ({
  body: await markAllReadUseCase(request.caller),
}));
