// primary adapter (HTTP API) → listReportsUseCase → snapshot store (S3: each report's latest.json)
import { listReportsUseCase } from '../../shared/domain/use-cases/reports.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { listReportsRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(listReportsRoutes, async (request) => ({
  body: await listReportsUseCase(request.caller),
}));
