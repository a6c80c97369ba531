import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { stopAll } from '../../infra/local/engines/processes.js';
import { heading } from '../bench/stats.js';
import { leftoverEngines, type OwnStack, startOwnStack } from './own-stack.js';

/**
 * What `npm run test:load|test:faults|test:soak` share: the machine's facts first, a stack of the
 * run's own, clean-up on Ctrl-C or SIGTERM, a check that no engine process is left behind, and the
 * exit code (1 when any check failed). Figures are printed; the run fails only on broken invariants.
 */
export const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

function javaVersion(): string {
  // java -version prints to stderr, and exits 0.
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return `${out.stderr ?? ''}${out.stdout ?? ''}`.split('\n')[0]?.trim() || 'java: unknown';
}

export function machineFacts(): string {
  const cpu = cpus();
  return [
    `${new Date().toISOString()}  node ${process.version}  ${cpu.length} cores (${cpu[0]?.model ?? '?'})`,
    `${process.platform}/${process.arch}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${javaVersion()}`,
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' / ')}`,
  ].join('\n  ');
}

/** The engines' and pollers' messages, next to the handlers' log (CONCORD_LOG_FILE) when there is one. */
function stackLogger(): ((msg: string) => void) | undefined {
  const handlers = process.env.CONCORD_LOG_FILE;
  if (!handlers) return undefined;
  const file = join(dirname(handlers), `stack-${basename(handlers)}`);
  // A fresh clone has no test-results/ yet, and the engines log before any handler does.
  mkdirSync(dirname(file), { recursive: true });
  return (msg) => appendFileSync(file, `${new Date().toISOString()} ${msg}\n`);
}

export async function runCli(
  title: string,
  options: { persistent: boolean },
  body: (own: OwnStack) => Promise<string[]>,
): Promise<void> {
  const began = performance.now();
  let own: OwnStack | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await own?.stop().catch((error: unknown) => console.error(`stop: ${(error as Error).message}`));
      await stopAll();
    })();
    return stopping;
  };
  // `on`, not `once`: the engines module leaves a signal alone only while another listener owns it.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      console.log(`\n${sig}: stopping the stack…`);
      void stop().finally(() => process.exit(130));
    });
  }
  let problems: string[] = [];
  try {
    console.log(`${title}\n  ${machineFacts()}`);
    own = await startOwnStack({ persistent: options.persistent, log: stackLogger() });
    problems = await body(own);
  } catch (error) {
    problems = [`the run failed: ${(error as Error).stack ?? String(error)}`];
  } finally {
    await stop();
  }
  const left = await leftoverEngines();
  if (left.length)
    problems.push(`engine processes left behind: ${left.map((p) => `${p.pid} ${p.args}`).join('; ')}`);
  heading('Result');
  console.log(
    `  ${((performance.now() - began) / 1000).toFixed(0)} s in all; load average after: ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`  engine processes left: ${left.length}`);
  console.log(problems.length ? `  FAILED:\n    ${problems.join('\n    ')}` : '  every check holds');
  // Keep-alive sockets or the JWKS cache's timers must not keep the process up once the figures are out.
  process.exit(problems.length ? 1 : 0);
}
