import { readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { DOCS_PACKAGE, DOCS_PACKAGE_FILES } from '../../shared/http/docs-assets.js';
import { HANDLERS, handlerEntry } from '../../shared/http/routes.js';
import { PROJECT_ROOT, runNode } from './processes.js';
import { heading, kb, ms, signedKb, signedMs, summarize, table } from './stats.js';

/**
 * Bundles: every API handler and the stream publisher bundled as AppFunction (CDK NodejsFunction)
 * bundles them, next to a FLOOR handler that only builds a DynamoDB DocumentClient: the cost of the
 * SDK itself. Size on disk and the time a fresh `node` takes to import each bundle.
 */

export const GOAL_EXTRA_BYTES = 100 * 1024;
export const GOAL_EXTRA_MS = 20;
/**
 * The docs function's own budget: its bundle plus the Swagger UI files AppFunction copies beside it
 * (read per request, not at import, so its load time is within the goal above like any handler's).
 */
export const DOCS_GOAL_BYTES = 2 * 1024 * 1024;
const FLOOR = 'FLOOR (DocumentClient only)';

const FLOOR_SOURCE = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => ({ statusCode: 200, body: String(Boolean(doc)) });
`;

export interface BundleRow {
  name: string;
  entry: string;
  bytes: number;
  mapBytes: number;
  load: ReturnType<typeof summarize>;
  loadWithMaps: ReturnType<typeof summarize>;
  extraBytes: number;
  extraMs: number;
  withinSize: boolean;
  withinLoad: boolean;
  /** Largest inputs in the bundle (bytes in the output), for bundles over the goal. */
  topInputs: { path: string; bytes: number }[];
  /** Packages (or project folders) by bytes beyond the floor's share of the same package. */
  topPackagesOverFloor: { name: string; bytes: number }[];
  /** How the entry reaches the package that adds the most: entry → … → the package's first module. */
  chainToTopPackage: string[];
}

export interface BundlesResult {
  rows: BundleRow[];
  floor: BundleRow;
  runs: number;
  /** api/docs: its bundle, the package files shipped beside it, both, and whether that is within DOCS_GOAL_BYTES. */
  docs: { bundleBytes: number; shippedBytes: number; totalBytes: number; within: boolean };
}

/** The banner AppFunction puts on each bundle, read from its source so this never drifts from CDK. */
async function cdkBanner(): Promise<string> {
  const source = await readFile(join(PROJECT_ROOT, 'infra/constructs/app-function.ts'), 'utf8');
  const m = /const ESM_REQUIRE_BANNER\s*=\s*"([^"]+)"/.exec(source);
  if (!m) throw new Error('ESM_REQUIRE_BANNER not found in infra/constructs/app-function.ts');
  return m[1]!;
}

/** AppFunction's bundling props, as NodejsFunction hands them to esbuild. */
function cdkOptions(banner: string): BuildOptions {
  return {
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: { js: banner },
    sourcemap: true,
    sourcesContent: false,
    // externalModules: [] — nothing external, the SDK is bundled.
    external: [],
    logLevel: 'warning',
    metafile: true,
    // Metafile paths relative to the project, whatever the cwd.
    absWorkingDir: PROJECT_ROOT,
  };
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  const parts = input.split('/');
  return parts.length > 1 ? `${parts.slice(0, 2).join('/')}/` : input;
}

function bytesByPackage(meta: Metafile, outfile: string): Map<string, number> {
  const out = Object.entries(meta.outputs).find(([path]) => path.endsWith(outfile))?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out?.inputs ?? {})) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return byPackage;
}

function topInputs(meta: Metafile, outfile: string, n = 5) {
  const out = Object.entries(meta.outputs).find(([path]) => path.endsWith(outfile))?.[1];
  return Object.entries(out?.inputs ?? {})
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, n);
}

/** The shortest import chain from the entry to any module of `pkg` (breadth first over the metafile). */
function importChain(meta: Metafile, entry: string, pkg: string): string[] {
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  while (queue.length) {
    const current = queue.shift()!;
    if (current !== entry && packageOf(current) === pkg) {
      const chain: string[] = [];
      for (let at: string | undefined = current; at !== undefined; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const { path } of meta.inputs[current]?.imports ?? []) {
      if (previous.has(path) || !(path in meta.inputs)) continue;
      previous.set(path, current);
      queue.push(path);
    }
  }
  return [];
}

interface Built {
  name: string;
  entry: string;
  outfile: string;
  meta: Metafile;
}

/** Loads a bundle in a fresh node and returns the import time in ms (the env a Lambda would have). */
async function loadOnce(file: string, withSourceMaps: boolean): Promise<number> {
  const url = pathToFileURL(file).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t);`;
  const out = await runNode(
    [...(withSourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script],
    {
      cwd: dirname(file),
      env: {
        PATH: process.env.PATH ?? '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // Every variable a function's schema may require, from the one helper (nothing listens there).
        ...handlerEnv({
          dynamodb: 'http://127.0.0.1:9',
          cognito: 'http://127.0.0.1:9',
          userPoolId: 'us-east-1_bench',
          cursorSecret: 'bench',
        }),
      },
    },
  );
  const value = Number(out.trim().split('\n').pop());
  if (!Number.isFinite(value)) throw new Error(`could not read a load time from: ${out}`);
  return value;
}

export async function benchBundles(workDir: string, runs = 20): Promise<BundlesResult> {
  heading(
    `4. Bundles: as AppFunction builds them (esbuild, minified ESM, SDK bundled); load = median of ${runs}`,
  );
  const banner = await cdkBanner();
  const options = cdkOptions(banner);
  const entries = [
    ...[...HANDLERS.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((h) => ({ name: `api/${h.name}`, entry: join(PROJECT_ROOT, handlerEntry(h)) })),
    { name: 'streams/publish-changes', entry: join(PROJECT_ROOT, 'functions/streams/publish-changes.ts') },
  ];
  const floorEntry = join(workDir, 'floor-handler.ts');
  await writeFile(floorEntry, FLOOR_SOURCE);

  const built: Built[] = [];
  const buildStarted = performance.now();
  for (const { name, entry } of [{ name: FLOOR, entry: floorEntry }, ...entries]) {
    const outfile = join(workDir, name === FLOOR ? 'floor' : name.replace('/', '-'), 'index.mjs');
    const result = await build({
      ...options,
      entryPoints: [entry],
      outfile,
      // The floor lives in the temp folder: let it find the project's packages.
      ...(name === FLOOR ? { nodePaths: [join(PROJECT_ROOT, 'node_modules')] } : {}),
    });
    built.push({ name, entry, outfile, meta: result.metafile! });
  }
  console.log(`  built ${built.length} bundles in ${ms(performance.now() - buildStarted)}`);

  // Load times: round robin over the bundles, so drift over the run hits every bundle alike.
  const loads = new Map<string, number[]>(built.map((b) => [b.name, []]));
  const loadsWithMaps = new Map<string, number[]>(built.map((b) => [b.name, []]));
  const loadStarted = performance.now();
  for (const b of built) {
    // One unmeasured import each: the file is then in the OS page cache, as a warm Lambda host has it.
    await loadOnce(b.outfile, false);
  }
  for (let i = 0; i < runs; i++) {
    for (const b of built) {
      loads.get(b.name)!.push(await loadOnce(b.outfile, false));
      loadsWithMaps.get(b.name)!.push(await loadOnce(b.outfile, true));
    }
  }
  console.log(
    `  ${built.length * runs * 2} imports, each in a fresh node, in ${ms(performance.now() - loadStarted)}`,
  );

  const floorBuilt = built[0]!;
  const floorPackages = bytesByPackage(floorBuilt.meta, 'floor/index.mjs');
  const rows: BundleRow[] = [];
  for (const b of built) {
    const bytes = (await stat(b.outfile)).size;
    const mapBytes = (await stat(`${b.outfile}.map`)).size;
    const rel = b.outfile.slice(workDir.length + 1);
    const packages = bytesByPackage(b.meta, rel);
    const overFloor = [...packages]
      .map(([name, n]) => ({ name, bytes: n - (floorPackages.get(name) ?? 0) }))
      .filter((p) => p.bytes > 0)
      .sort((x, y) => y.bytes - x.bytes)
      .slice(0, 5);
    const entryKey = relative(PROJECT_ROOT, b.entry);
    rows.push({
      name: b.name,
      entry: b.entry.startsWith(PROJECT_ROOT) ? b.entry.slice(PROJECT_ROOT.length) : '(temp file)',
      bytes,
      mapBytes,
      load: summarize(loads.get(b.name)!),
      loadWithMaps: summarize(loadsWithMaps.get(b.name)!),
      extraBytes: 0,
      extraMs: 0,
      withinSize: true,
      withinLoad: true,
      topInputs: topInputs(b.meta, rel),
      topPackagesOverFloor: overFloor,
      chainToTopPackage: overFloor[0] ? importChain(b.meta, entryKey, overFloor[0].name) : [],
    });
  }
  const floor = rows[0]!;
  for (const row of rows) {
    row.extraBytes = row.bytes - floor.bytes;
    row.extraMs = row.load.median - floor.load.median;
    row.withinSize = row.extraBytes <= GOAL_EXTRA_BYTES;
    row.withinLoad = row.extraMs <= GOAL_EXTRA_MS;
  }

  console.log();
  console.log(
    table(
      [
        'bundle',
        'size',
        'bytes',
        '.map',
        'Δ size',
        'load (median)',
        'load p95',
        'Δ load',
        '+source maps',
        'goal (≤ +100 KB, ≤ +20 ms)',
      ],
      rows.map((r) => [
        r.name,
        kb(r.bytes),
        String(r.bytes),
        kb(r.mapBytes),
        r === floor ? '—' : signedKb(r.extraBytes),
        ms(r.load.median),
        ms(r.load.p95),
        r === floor ? '—' : signedMs(r.extraMs),
        ms(r.loadWithMaps.median),
        r === floor
          ? 'baseline'
          : r.withinSize && r.withinLoad
            ? 'within'
            : `MISSES ${[r.withinSize ? '' : 'size', r.withinLoad ? '' : 'load'].filter(Boolean).join(' + ')}`,
      ]),
    ),
  );
  console.log(
    '  size = the .mjs Lambda loads; each also ships a .map (sources left out). "+source maps" = the same',
  );
  console.log('  import under --enable-source-maps, which AppFunction sets in NODE_OPTIONS.');

  const over = rows.filter((r) => r !== floor && !(r.withinSize && r.withinLoad));
  if (over.length === 0) console.log('\n  every bundle is within floor + 100 KB and floor + 20 ms');
  else printOverGoal(over);

  const docs = await docsBudget(rows.find((r) => r.name === 'api/docs')!);
  console.log(
    `\n  api/docs also ships ${DOCS_PACKAGE_FILES.join(', ')} (${kb(docs.shippedBytes)}): ` +
      `${kb(docs.totalBytes)} in all, ${docs.within ? 'within' : 'MISSES'} its own goal (≤ ${kb(DOCS_GOAL_BYTES)})`,
  );
  return { rows, floor, runs, docs };
}

async function docsBudget(row: BundleRow): Promise<BundlesResult['docs']> {
  const resolve = createRequire(join(PROJECT_ROOT, 'package.json')).resolve;
  let shippedBytes = 0;
  for (const file of DOCS_PACKAGE_FILES)
    shippedBytes += (await stat(resolve(`${DOCS_PACKAGE}/${file}`))).size;
  const totalBytes = row.bytes + shippedBytes;
  return { bundleBytes: row.bytes, shippedBytes, totalBytes, within: totalBytes <= DOCS_GOAL_BYTES };
}

function printOverGoal(over: BundleRow[]) {
  console.log(`\n  ${over.length} bundle(s) over the goal. Largest inputs (top 5 by bytes in the bundle):`);
  const groups = new Map<string, BundleRow[]>();
  for (const r of over) {
    const key = r.topInputs.map((i) => `${i.path}:${i.bytes}`).join('|');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const rows of groups.values()) {
    console.log(`    ${rows.map((r) => r.name).join(', ')}:`);
    for (const i of rows[0]!.topInputs) console.log(`      ${kb(i.bytes).padStart(9)}  ${i.path}`);
  }
  console.log('\n  Packages adding the most beyond the floor (top 5):');
  const width = Math.max(...over.map((r) => r.name.length));
  for (const r of over) {
    const list = r.topPackagesOverFloor.map((p) => `${p.name} ${signedKb(p.bytes)}`).join(', ');
    console.log(`    ${r.name.padEnd(width)}  ${list}`);
  }
  console.log('\n  How each reaches the package that adds the most (shortest import chain):');
  for (const r of over) {
    if (r.chainToTopPackage.length)
      console.log(`    ${r.name.padEnd(width)}  ${r.chainToTopPackage.join(' → ')}`);
  }
}
