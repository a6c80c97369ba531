// primary adapter (HTTP API) → listUsersUseCase → user directory (Cognito ListUsers)
import { listUsersUseCase, USERS_PAGE_MAX } from '../../shared/domain/use-cases/users.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { usersQuery } from '../../shared/http/request-parsing.js';
import { adminListUsersRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(adminListUsersRoutes, async (request) => ({
  body: await listUsersUseCase(request.caller, usersQuery(request, USERS_PAGE_MAX)),
}));
