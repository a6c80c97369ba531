// primary adapter (HTTP API) → convertLeadUseCase → records repository (GetItem, then one TransactWriteItems)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { convertLeadUseCase } from '../../shared/domain/use-cases/convert-lead.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { recordId } from '../../shared/http/request-parsing.js';
import { convertLeadRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(convertLeadRoutes, async (request) => ({
  status: 201,
  body: await convertLeadUseCase(request.caller, recordId(request), request.body),
}));
