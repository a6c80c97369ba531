import { resolve } from 'node:path';
import { useHandlerEnv } from '../../infra/local/handler-env.js';

/**
 * The unit project's environment, through the one helper: tests call use cases and adapters in-process
 * as a function granted everything would. Nothing listens at these endpoints (port 9, discard), so a
 * unit test that reaches for the network fails at once. The logs that tests provoke on purpose (a bus
 * that refuses, a send that throws) go to a file, as in the integration project.
 */
process.env.CONCORD_LOG_FILE ??= resolve('test-results', 'unit-logs', 'handlers.log');
// Every engine named, so nothing a parent process set (the integration stack's ports) leaks in.
const DISCARD = 'http://127.0.0.1:9';
useHandlerEnv({
  dynamodb: DISCARD,
  cognito: DISCARD,
  eventbridge: DISCARD,
  s3: DISCARD,
  ses: DISCARD,
  sqs: DISCARD,
  lambda: DISCARD,
  userPoolId: 'us-east-1_unit',
  cursorSecret: 'unit-test-cursor-secret',
});
