// primary adapter (HTTP API) → editCommentUseCase → records repository (GetItem, one conditional UpdateItem)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { editCommentUseCase } from '../../shared/domain/use-cases/comments.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { commentId, etagOf, ifMatch, recordId } from '../../shared/http/request-parsing.js';
import { updateCommentRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(updateCommentRoutes, async (request) => {
  const target = { collection: collectionOf(request), id: recordId(request), commentId: commentId(request) };
  const comment = await editCommentUseCase(request.caller, target, request.body, ifMatch(request));
  return { body: comment, headers: { etag: etagOf(comment.version) } };
});
