// primary adapter (HTTP API) → addCommentUseCase → records repository (one TransactWriteItems: the record's check + the Put)
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { addCommentUseCase } from '../../shared/domain/use-cases/comments.js';
import { apiHandler, collectionOf } from '../../shared/http/api-handler.js';
import { etagOf, recordId } from '../../shared/http/request-parsing.js';
import { createCommentRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(createCommentRoutes, async (request) => {
  const collection = collectionOf(request);
  const id = recordId(request);
  const comment = await addCommentUseCase(request.caller, collection, id, request.body);
  return {
    status: 201,
    body: comment,
    headers: { location: `/v1/${collection}/${id}/comments/${comment.id}`, etag: etagOf(comment.version) },
  };
});
