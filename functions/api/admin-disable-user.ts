// primary adapter (HTTP API) → disableUserUseCase → user pool (AdminDisableUser) + user directory
import { disableUserUseCase } from '../../shared/domain/use-cases/user-roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { adminDisableUserRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(adminDisableUserRoutes, async (request) => {
  await disableUserUseCase(request.caller, request.params.username);
  return {};
});
