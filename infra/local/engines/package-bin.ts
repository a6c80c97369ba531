import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The absolute path of an installed package's bin script, to run with `process.execPath`: this avoids
 * `npx` and the shell, so the PID we hold is the server's own and SIGTERM reaches it directly.
 */
export function packageBin(packageName: string, binName = packageName): string {
  const manifestPath = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin =
    typeof manifest === 'object' && manifest !== null && 'bin' in manifest ? manifest.bin : undefined;
  const script = typeof bin === 'object' && bin !== null && binName in bin ? Reflect.get(bin, binName) : bin;
  if (typeof script !== 'string')
    throw new Error(`${packageName} has no bin named ${binName} (${manifestPath})`);
  return join(dirname(manifestPath), script);
}
