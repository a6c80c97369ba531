// primary adapter (HTTP API) → setRoleCellUseCase → the cell and the matrix's version (one transaction)
import { setRoleCellUseCase } from '../../shared/domain/use-cases/roles.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { setRoleCellRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(setRoleCellRoutes, async ({ caller, params, body }) => ({
  body: await setRoleCellUseCase(caller, params.group, params.collection, body),
}));
