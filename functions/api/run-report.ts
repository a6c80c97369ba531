// primary adapter (HTTP API) → runReportUseCase → counters (DynamoDB Query) → snapshot files (S3)
import { runReportUseCase } from '../../shared/domain/use-cases/reports.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { reportName } from '../../shared/http/request-parsing.js';

export const handler = apiHandler('run-report', async (request) => ({
  body: await runReportUseCase(request.caller, reportName(request)),
}));
