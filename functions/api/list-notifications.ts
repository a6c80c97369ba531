// primary adapter (HTTP API) → listNotificationsUseCase → collaboration repository (one Query a page)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { listNotificationsUseCase } from '../../shared/domain/use-cases/notifications.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { notificationsQuery } from '../../shared/http/request-parsing.js';
import { listNotificationsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listNotificationsRoutes, async (request) => ({
  body: await listNotificationsUseCase(request.caller, notificationsQuery(request)),
}));
