// primary adapter (HTTP API) → runReportUseCase → the report renderer (Lambda Invoke) → snapshot files (S3)
import { runReportUseCase } from '../../shared/domain/use-cases/reports.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { reportName } from '../../shared/http/request-parsing.js';
import { runReportRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(runReportRoutes, async (request) => ({
  body: await runReportUseCase(request.caller, reportName(request)),
}));
