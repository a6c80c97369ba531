import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { ENV, loadEnv } from '../config/env.js';
import { captureClientsWith } from './observability.js';

/**
 * The Powertools Tracer, only where it pays: the stream and queue consumers, whose batches make many AWS
 * calls off any request path. Not in the API functions: its X-Ray SDK adds ~125 KB and ~30 ms to a
 * bundle's import (docs/benchmarks.md), more than an API handler's whole budget (floor + 100 KB, + 20 ms);
 * Lambda's active tracing (AppFunction) still records each of their invocations, without subsegments.
 *
 * Importing this module also traces the shared adapters' SDK clients (observability.ts instrumentClient).
 * Off outside Lambda, and locally by POWERTOOLS_TRACE_ENABLED=false (infra/local/handler-env.ts).
 */
export const tracer = new Tracer({ serviceName: loadEnv({})[ENV.serviceName] });

captureClientsWith((client) => tracer.captureAWSv3Client(client));

/** The handler's segment with a cold-start annotation and errors; never its reply (records hold personal data). */
export const traceInvocations = () => captureLambdaHandler(tracer, { captureResponse: false });
