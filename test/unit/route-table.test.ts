import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '@readme/openapi-parser';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../shared/http/openapi.js';
import { HANDLERS, handlerEntry, ROUTES, routeKey } from '../../shared/http/routes.js';

/**
 * A route is one entry of the route table plus its handler file: whatever else a route needs (CDK's
 * function and grants, the local gateway, the OpenAPI document) is read from the entry. These tests
 * fail when an entry or its handler is incomplete, instead of something quietly doing without.
 */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Operation = { responses: Record<string, { headers?: Record<string, unknown> }> };

describe('the route table', () => {
  it('has a handler file exporting `handler` for every handler, and no handler file without a route', async () => {
    // Act
    const files = readdirSync(join(PROJECT_ROOT, 'functions/api'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `functions/api/${f}`);

    // Assess
    expect(files.sort()).toEqual([...HANDLERS.values()].map(handlerEntry).sort());
    // (The unit project sets the environment a handler parses at import: test/support/unit-env.ts.)
    for (const [name, handler] of HANDLERS) {
      const mod = (await import(join(PROJECT_ROOT, handlerEntry(handler)))) as { handler?: unknown };
      expect(typeof mod.handler, `${handlerEntry(handler)} exports handler`).toBe('function');
      expect(handler.name).toBe(name);
    }
    // Importing every handler is seconds of CPU on a busy machine: a bound against a hang, not a timing.
  }, 60_000);

  it('describes each handler once: the routes that share a handler share its descriptor (grants, files)', () => {
    for (const route of ROUTES) {
      // Assess: one object per name, so grants cannot differ between two routes of one function
      expect(route.handler, routeKey(route)).toBe(HANDLERS.get(route.handler.name));
    }
  });

  it('gives every route grants (if only {}), a success reply that fits its status, and a unique key', () => {
    // Assess
    expect(new Set(ROUTES.map(routeKey)).size).toBe(ROUTES.length);
    for (const route of ROUTES) {
      const key = routeKey(route);
      expect(typeof route.handler.grants, key).toBe('object');
      expect(route.handler.grants, key).not.toBeNull();
      expect(route.response.description, key).toBeTruthy();
      const kinds = [route.response.body, route.response.raw].filter(Boolean);
      expect(kinds, `${key}: a 204 has no body, anything else a JSON body or raw media types`).toHaveLength(
        route.status === 204 ? 0 : 1,
      );
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const param of Object.keys(route.request?.params?.shape ?? {}))
        expect(pathParams, `${key}: params.${param} is in the path`).toContain(param);
      if (route.collection) expect(route.auth, key).not.toBe('public');
    }
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 with every route, its success status and the headers the route declares', async () => {
    // Act
    const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
    const result = await validate(structuredClone(doc) as never);

    // Assess
    expect(result.valid, JSON.stringify(result)).toBe(true);
    for (const route of ROUTES) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, routeKey(route)).toBeDefined();
      const success = op!.responses[String(route.status)];
      expect(success, `${routeKey(route)} ${route.status}`).toBeDefined();
      for (const name of Object.keys(route.response.headers ?? {}))
        expect(success!.headers, `${routeKey(route)} header ${name}`).toHaveProperty(name);
      if (route.auth !== 'public') expect(success!.headers).toHaveProperty('Cache-Control');
    }
  });

  it('is built by a handler that bundles no AWS SDK client (nor the use cases that call one)', async () => {
    // Act: bundled as AppFunction bundles it
    const result = await build({
      entryPoints: [join(PROJECT_ROOT, handlerEntry(HANDLERS.get('openapi')!))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    // (The key module is plain data: the route table takes the role lock's key prefix from it. The
    // store's error classes are plain data too: every handler's problem mapping reads them.)
    const reachesTheStore = /@aws-sdk\/|shared\/db\/(?!keys\.ts|store-errors\.ts)|use-cases\//;
    expect(inputs.filter((i) => reachesTheStore.test(i))).toEqual([]);
  });
});
