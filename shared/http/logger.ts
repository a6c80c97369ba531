import { Console } from 'node:console';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { ENV, loadEnv } from '../config/env.js';

/** The service name is required like any variable: no `service_undefined` in the logs. */
const { [ENV.serviceName]: serviceName } = loadEnv({});

/** One JSON logger per function; bodies, emails, phones and tokens are never passed to it. */
export const logger = new Logger({ serviceName });

/**
 * CONCORD_LOG_FILE (set by the test projects' setup, never in AWS) sends the JSON lines to a file instead
 * of stdout: the errors that tests provoke on purpose (a 500, a store that is down) stay out of the test
 * output, yet every line is still there to read when a test fails. Powertools 2.35 has no option for the
 * destination and prints through its own `console` field, so that field is replaced.
 */
const logFile = process.env.CONCORD_LOG_FILE;
if (logFile) {
  mkdirSync(dirname(logFile), { recursive: true });
  const out = createWriteStream(logFile, { flags: 'a' });
  Object.assign(logger, { console: new Console({ stdout: out, stderr: out }) });
  // A file that cannot be written must not crash the process (an unhandled stream error would): back to
  // stdout, and say so there.
  out.once('error', (error) => {
    Object.assign(logger, { console: new Console(process.stdout, process.stderr) });
    logger.warn('log file not writable; logging to stdout', { error, file: logFile });
  });
}
