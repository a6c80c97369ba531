import { envNumber, runCli } from '../load/cli.js';
import { printSoak, runSoak } from './soak.js';

/**
 * `npm run test:soak`: SOAK_CHANGES (10,000) changes at SOAK_RATE (25) per second over SOAK_RECORDS
 * (500) records, SOAK_WRITERS (8) writers; lag and RSS sampled every SOAK_SAMPLE_SECONDS (10).
 */
await runCli('Concord CRM: soak of the stream path', { persistent: false }, async (own) => {
  const report = await runSoak(own, {
    changes: envNumber('SOAK_CHANGES', 10_000),
    records: envNumber('SOAK_RECORDS', 500),
    rate: envNumber('SOAK_RATE', 25),
    writers: envNumber('SOAK_WRITERS', 8),
    sampleMs: envNumber('SOAK_SAMPLE_SECONDS', 10) * 1000,
    patienceMs: 300_000,
    live: true,
  });
  printSoak(report);
  return report.problems;
});
