// primary adapter (HTTP API) → timelineUseCase → records repository (one Query on the account's item collection)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { timelineUseCase } from '../../shared/domain/use-cases/read-records.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { recordId, timelineQuery } from '../../shared/http/request-parsing.js';
import { accountTimelineRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(accountTimelineRoutes, async (request) => ({
  body: await timelineUseCase(request.caller, recordId(request), timelineQuery(request)),
}));
