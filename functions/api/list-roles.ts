// primary adapter (HTTP API) → rolesUseCase → the role cells (one GetItem, one Query)
import { rolesUseCase } from '../../shared/domain/use-cases/roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler('list-roles', async ({ caller }) => ({
  body: await rolesUseCase(caller),
}));
