// primary adapter (HTTP API) → where the API's reference and description are; no store call.
import { apiHandler } from '../../shared/http/api-handler.js';
import { rootRoutes } from '../../shared/http/route-index.js';

/** Relative to the API's base URL, so they hold behind any host or custom domain. */
const LINKS = { name: 'Concord CRM API', docs: '/v1/docs', openapi: '/v1/openapi.json' };

export const handler = apiHandler(rootRoutes, async () => ({
  body: LINKS,
  headers: { 'cache-control': 'public, max-age=300' },
}));
