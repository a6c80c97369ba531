// primary adapter (HTTP API) → setUserGroupsUseCase → user pool (group membership) + user directory
import { setUserGroupsUseCase } from '../../shared/domain/use-cases/user-roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { adminSetGroupsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(adminSetGroupsRoutes, async (request) => ({
  body: await setUserGroupsUseCase(request.caller, request.params.username, request.body),
}));
