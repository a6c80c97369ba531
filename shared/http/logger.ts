import { Logger } from '@aws-lambda-powertools/logger';

/** One JSON logger per function; bodies, emails, phones and tokens are never passed to it. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'concord-crm' });
