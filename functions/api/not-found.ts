// primary adapter (HTTP API `$default` route) → the 404 problem for a request that no route matches.
import { apiHandler } from '../../shared/http/api-handler.js';
import { problems } from '../../shared/http/problems.js';
import { notFoundRoutes } from '../../shared/http/route-index.js';

// apiHandler answers a route key that names no route (here always `$default`) with this same 404.
export const handler = apiHandler(notFoundRoutes, async () => {
  throw problems.notFound('No such route.');
});
