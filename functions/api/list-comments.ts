// primary adapter (HTTP API) → listCommentsUseCase → records repository (GetItem of the record, one Query a page)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { listCommentsUseCase } from '../../shared/domain/use-cases/comments.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { commentsQuery, recordId } from '../../shared/http/request-parsing.js';
import { listCommentsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listCommentsRoutes, async (request) => ({
  body: await listCommentsUseCase(
    request.caller,
    collectionOf(request),
    recordId(request),
    commentsQuery(request),
  ),
}));
