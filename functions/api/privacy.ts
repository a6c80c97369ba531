// primary adapter (HTTP API) → privacy use cases → records and their copies (DynamoDB)
import { eraseSubjectUseCase, exportSubjectUseCase } from '../../shared/domain/use-cases/privacy.js';
import { apiHandler } from '../../shared/http/api-handler.js';

export const handler = apiHandler('privacy', async (request) =>
  request.route.path === '/v1/privacy/exports'
    ? { body: await exportSubjectUseCase(request.caller, request.body) }
    : { body: await eraseSubjectUseCase(request.caller, request.body) },
);
