import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFunction, PROJECT_ROOT } from '../../infra/constructs/app-function.js';
import { handlerEnv } from '../../infra/local/handler-env.js';
import { DOCS_ASSETS, DOCS_PACKAGE, DOCS_PACKAGE_FILES } from '../../shared/http/docs-assets.js';
import { HANDLERS, handlerEntry } from '../../shared/http/routes.js';

/**
 * The docs function as CDK really bundles it (esbuild + the afterBundling copy), in a folder outside the
 * project so that no node_modules above it can stand in for the copied files: what Lambda gets.
 */
let outdir: string;
let bundleDir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'concord-docs-bundle-'));
  const stack = new Stack(new App({ outdir }), 'DocsBundle');
  // As the Api construct makes it: the route table's entry file and package files.
  const docs = HANDLERS.get('docs')!;
  new AppFunction(stack, 'Docs', {
    entry: handlerEntry(docs),
    packageFiles: docs.packageFiles,
    failedInvocations: { noDeadLetterQueue: 'a test' },
  });
  (stack.node.root as App).synth();
  const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  bundleDir = join(outdir, assets[0]!);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs the bundle's handler in a fresh node whose cwd is the bundle folder, as the Lambda runtime does. */
function invoke(path: string, asset?: string) {
  const event = {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    headers: {},
    pathParameters: asset ? { asset } : undefined,
    requestContext: { requestId: 'test', http: { method: 'GET', path } },
    isBase64Encoded: false,
  };
  const script = `const { handler } = await import('./index.mjs');
process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, {})));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: bundleDir,
    // The handler parses its environment at import: the one helper gives what every function's schema needs.
    env: {
      PATH: process.env.PATH ?? '',
      ...handlerEnv({
        dynamodb: 'http://127.0.0.1:9',
        cognito: 'http://127.0.0.1:9',
        userPoolId: 'x',
        cursorSecret: 'x',
      }),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString()) as { statusCode: number; headers: Record<string, string>; body: string };
}

describe('the docs function bundle', () => {
  it('ships exactly the allow-listed files of the package beside index.mjs', () => {
    // Act
    const shipped = readdirSync(join(bundleDir, 'node_modules', DOCS_PACKAGE)).sort();

    // Assess
    expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true);
    expect(shipped).toEqual([...DOCS_PACKAGE_FILES].sort());
    for (const file of shipped) {
      const copied = readFileSync(join(bundleDir, 'node_modules', DOCS_PACKAGE, file));
      const source = readFileSync(join(PROJECT_ROOT, 'node_modules', DOCS_PACKAGE, file));
      expect(copied.equals(source), file).toBe(true);
    }
  });

  it('serves the page and every asset from the bundle alone', () => {
    // Act
    const page = invoke('/v1/docs');
    const assets = Object.keys(DOCS_ASSETS).map((asset) => ({
      asset,
      reply: invoke('/v1/docs/{asset}', asset),
    }));
    const unknown = invoke('/v1/docs/{asset}', 'index.html');

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('docs/swagger-ui-bundle.js?v=');
    for (const { asset, reply } of assets) {
      expect(reply.statusCode, asset).toBe(200);
      expect(reply.headers['content-type']).toBe(DOCS_ASSETS[asset]);
      const shipped = readFileSync(join(bundleDir, 'node_modules', DOCS_PACKAGE, asset));
      expect(Buffer.from(reply.body).equals(shipped), asset).toBe(true);
    }
    expect(unknown.statusCode).toBe(404);
  });
});
