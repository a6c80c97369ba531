import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLING, PROJECT_ROOT } from '../../infra/constructs/app-function.js';

/** Where bundleEntries writes: a temporary folder per run (removeBundles deletes it). */
export const bundleRoot = (bundles: ReadonlyMap<string, Bundle>): string | undefined =>
  [...bundles.values()][0]?.outdir;

export interface Bundle {
  /** The run's temporary folder. */
  outdir: string;
  entry: string;
  /** The bundle file (`<outdir>/<entry without .ts>.mjs`), as NodejsFunction writes `index.mjs`. */
  file: string;
  text: string;
  /** The files of the project and its packages whose code is in the bundle (tree shaking done). */
  inputs: string[];
}

/**
 * Every entry bundled with the options of AppFunction (infra/constructs/app-function.ts), mapped onto
 * esbuild's as NodejsFunction maps them (platform node, one ESM file per entry): what Lambda would run.
 */
export async function bundleEntries(entries: readonly string[]): Promise<Map<string, Bundle>> {
  const outdir = mkdtempSync(join(tmpdir(), 'concord-bundles-'));
  const result = await build({
    metafile: true,
    entryPoints: entries.map((e) => join(PROJECT_ROOT, e)),
    outbase: PROJECT_ROOT,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    minify: BUNDLING.minify,
    format: BUNDLING.format,
    target: BUNDLING.target,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...BUNDLING.externalModules],
    logLevel: 'error',
    absWorkingDir: PROJECT_ROOT,
  });
  const outputs = Object.entries(result.metafile.outputs);
  return new Map(
    entries.map((entry) => {
      const file = join(outdir, entry.replace(/\.ts$/, '.mjs'));
      const [, output] = outputs.find(([path]) => join(PROJECT_ROOT, path) === file || path === file)!;
      const inputs = Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path);
      return [entry, { outdir, entry, file, text: readFileSync(file, 'utf8'), inputs }];
    }),
  );
}

/**
 * The DynamoDB operations a bundle can call: the SDK's command modules (`client-dynamodb/…/commands/
 * GetItemCommand.js`) whose code the bundle kept, as tree shaking drops the commands no code path reaches.
 */
export function dynamoOperationsOf(bundle: Bundle): Set<string> {
  return new Set(
    bundle.inputs
      .map((path) => /@aws-sdk\/client-dynamodb\/dist-es\/commands\/(\w+)Command\.js$/.exec(path)?.[1])
      .filter((op): op is string => op !== undefined),
  );
}

/** Deletes the run's bundles. */
export function removeBundles(bundles: ReadonlyMap<string, Bundle>): void {
  const root = bundleRoot(bundles);
  if (root) rmSync(root, { recursive: true, force: true });
}
