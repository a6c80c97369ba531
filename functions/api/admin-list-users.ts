// primary adapter (HTTP API) → listUsersUseCase → user directory (Cognito ListUsers)
import { listUsersUseCase } from '../../shared/domain/use-cases/users.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler(async (request) => ({
  body: await listUsersUseCase(request.caller, request.query),
}));
