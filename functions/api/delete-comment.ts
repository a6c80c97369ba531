// primary adapter (HTTP API) → deleteCommentUseCase → records repository (GetItem, one conditional UpdateItem: a soft delete)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { deleteCommentUseCase } from '../../shared/domain/use-cases/comments.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { commentId, ifMatch, recordId } from '../../shared/http/request-parsing.js';
import { deleteCommentRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(deleteCommentRoutes, async (request) => {
  const target = { collection: collectionOf(request), id: recordId(request), commentId: commentId(request) };
  await deleteCommentUseCase(request.caller, target, ifMatch(request));
  return { status: 204 };
});
