// primary adapter (HTTP API) → setUserGroupsUseCase → user pool (group membership) + user directory
import { setUserGroupsUseCase } from '../../shared/domain/use-cases/user-roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler('admin-set-groups', async (request) => ({
  body: await setUserGroupsUseCase(request.caller, request.params.username, request.body),
}));
