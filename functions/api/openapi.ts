// primary adapter (HTTP API) → the OpenAPI document generated from the route table and schemas
import { apiHandler } from '../../shared/http/api-handler.js';
import { openApiDocument } from '../../shared/http/openapi.js';
import { openapiRoutes } from '../../shared/http/route-index.js';

let document: Record<string, unknown> | undefined;

export const handler = apiHandler(openapiRoutes, async () => {
  document ??= openApiDocument();
  return { body: document, headers: { 'cache-control': 'public, max-age=300' } };
});
