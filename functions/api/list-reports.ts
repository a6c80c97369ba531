// primary adapter (HTTP API) → listReportsUseCase → snapshot store (S3: each report's latest.json)
import { listReportsUseCase } from '../../shared/domain/use-cases/reports.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler('list-reports', async (request) => ({
  body: await listReportsUseCase(request.caller),
}));
