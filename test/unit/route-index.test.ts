import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { handlerRoutesOf, indexExportOf } from '../../infra/route-index.js';
import * as INDEX from '../../shared/http/route-index.js';
import { HANDLERS, handlerEntry } from '../../shared/http/routes.js';

/**
 * The handlers serve from route-index.ts, generated from the route table: these fail when it is stale (a
 * route, a grant or a status changed since `npm run routes:index`) or a handler serves another's entry.
 */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the route index', () => {
  it("holds every handler's routes and grants as the route table has them now (else: npm run routes:index)", () => {
    // Act
    const index: Record<string, unknown> = { ...INDEX };

    // Assess
    expect(Object.keys(index).sort()).toEqual([...HANDLERS.keys()].map(indexExportOf).sort());
    for (const handler of HANDLERS.values())
      expect(index[indexExportOf(handler.name)], handler.name).toEqual(handlerRoutesOf(handler));
  });

  it('gives every handler file its own entry, so that it serves its own routes only', () => {
    for (const handler of HANDLERS.values()) {
      // Act
      const source = readFileSync(join(PROJECT_ROOT, handlerEntry(handler)), 'utf8');

      // Assess
      expect(source, handlerEntry(handler)).toContain(`apiHandler(${indexExportOf(handler.name)},`);
    }
  });
});
