// primary adapter (HTTP API) → nothing to ask: the function answering is the health.
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler('health', async () => ({ body: { status: 'ok' } }));
