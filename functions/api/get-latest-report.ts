// primary adapter (HTTP API) → latestReportUseCase → snapshot store (S3) + presigned links
import { latestReportUseCase } from '../../shared/domain/use-cases/reports.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { reportName } from '../../shared/http/request-parsing.js';
import { getLatestReportRoutes } from '../../shared/http/route-index.js';

export const handler = apiHandler(getLatestReportRoutes, async (request) => ({
  body: await latestReportUseCase(request.caller, reportName(request)),
}));
