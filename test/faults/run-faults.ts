import { envNumber, runCli } from '../load/cli.js';
import { printFaults, runFaults } from './faults.js';

/**
 * `npm run test:faults`: DynamoDB Local killed for FAULT_DYNAMO_SECONDS (5), the bus down for
 * FAULT_BUS_SECONDS (3), cognito-local killed; FAULT_ANSWERS (600) answers before and after each.
 */
await runCli('Concord CRM: faults', { persistent: true }, async (own) => {
  const report = await runFaults(own, {
    connections: envNumber('FAULT_CONNECTIONS', 10),
    answersAround: envNumber('FAULT_ANSWERS', 600),
    dynamoOutageMs: envNumber('FAULT_DYNAMO_SECONDS', 5) * 1000,
    busOutageMs: envNumber('FAULT_BUS_SECONDS', 3) * 1000,
    hot: 20,
    pool: 300,
    eventPatienceMs: 120_000,
  });
  printFaults(report);
  return report.problems;
});
