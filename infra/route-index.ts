import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Grants, type Handler, type HandlerRoutes, ROUTES, routeKey } from '../shared/http/routes.js';

/**
 * `npm run routes:index`: writes shared/http/route-index.ts, the run-time part of the route table (routes.ts)
 * per function, as plain data. The handlers read that instead of the table: the table builds every route's
 * schemas and OpenAPI text at import, which no function needs to serve a request, and would put all of it in
 * every bundle (docs/benchmarks.md section 4). test/unit/route-index.test.ts fails when the file is stale.
 */

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ROUTE_INDEX_FILE = 'shared/http/route-index.ts';

/** `admin-set-groups` → `adminSetGroupsRoutes`: the export of a handler's entry in route-index.ts. */
export const indexExportOf = (handler: string): string =>
  `${handler.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Routes`;

/** A handler's entry: its grants' keys and its routes' facts, from the table. */
export function handlerRoutesOf(handler: Handler): HandlerRoutes {
  const uses: Partial<Record<keyof Grants, true>> = {};
  for (const [key, value] of Object.entries(handler.grants))
    if (value !== undefined) uses[key as keyof Grants] = true;
  const routes: HandlerRoutes['routes'] = Object.fromEntries(
    ROUTES.filter((r) => r.handler === handler).map((r) => [
      routeKey(r),
      { auth: r.auth, status: r.status, ...(r.collection ? { collection: r.collection } : {}) },
    ]),
  );
  return { name: handler.name, uses, routes };
}

export function routeIndexSource(handlers: Iterable<Handler>): string {
  const entries = [...handlers]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (h) => `export const ${indexExportOf(h.name)}: HandlerRoutes = ${JSON.stringify(handlerRoutesOf(h))};`,
    );
  return [
    '// Generated from the route table (routes.ts) by `npm run routes:index`: do not edit.',
    "import type { HandlerRoutes } from './route-types.js';",
    '',
    '/**',
    " * Each function's routes as it serves them (infra/route-index.ts says why this is not the table itself).",
    ' * One export per handler: a bundle keeps its own entry and drops the others.',
    ' */',
    '',
    ...entries,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { HANDLERS } = await import('../shared/http/routes.js');
  const file = join(PROJECT_ROOT, ROUTE_INDEX_FILE);
  writeFileSync(file, routeIndexSource(HANDLERS.values()));
  execFileSync('npx', ['biome', 'format', '--write', file], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  console.log(`wrote ${ROUTE_INDEX_FILE}`);
}
