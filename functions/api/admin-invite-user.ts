// primary adapter (HTTP API) → inviteUserUseCase → user pool (AdminCreateUser, groups) + user directory
import { inviteUserUseCase } from '../../shared/domain/use-cases/user-roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { adminInviteUserRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(adminInviteUserRoutes, async (request) => {
  const user = await inviteUserUseCase(request.caller, request.body);
  return {
    status: 201,
    body: user,
    headers: { location: `/v1/admin/users/${encodeURIComponent(user.username)}` },
  };
});
