// primary adapter (HTTP API) → nothing to ask: the function answering is the health.
import { apiHandler } from '../../shared/http/api-handler.js';
import { healthRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(healthRoutes, async () => ({ body: { status: 'ok' } }));
