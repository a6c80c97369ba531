import { envNumber, runCli } from './cli.js';
import { printLoad, runLoad } from './load.js';

/**
 * `npm run test:load`: LOAD_SECONDS (60) of the mixed workload on LOAD_CONNECTIONS (10) connections,
 * then LOAD_COST_PAIRS (6) pairs of LOAD_COST_WINDOW_SECONDS (5) API and bare SDK windows.
 */
const seconds = envNumber('LOAD_SECONDS', 60);
await runCli('Concord CRM: load', { persistent: false }, async (own) => {
  const report = await runLoad(own, {
    seconds,
    connections: envNumber('LOAD_CONNECTIONS', 10),
    hot: envNumber('LOAD_HOT', 20),
    // About one conversion per second per connection at most: each pool lead takes two.
    pool: Math.ceil(seconds * envNumber('LOAD_CONVERSIONS_PER_SECOND', 6)),
    eventPatienceMs: 120_000,
    costPairs: envNumber('LOAD_COST_PAIRS', 6),
    costWindowSeconds: envNumber('LOAD_COST_WINDOW_SECONDS', 5),
  });
  printLoad(report);
  return report.problems;
});
