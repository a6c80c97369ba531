import { invokeAsync } from '../aws/lambda.js';
import { ENV, envValue } from '../config/env.js';

/** Queues one run of the import/export job function with this event (docs/import-export.md). */
export const invokeJobAsync = (event: object): Promise<void> => invokeAsync(envValue(ENV.jobFunction), event);
