import * as z from 'zod/mini';
import { bare, Components, headersOf, type Json, ref, toJson } from './openapi-schemas.js';
import { gatewayMessage, HEADERS, problem } from './route-schemas.js';
import type { ErrorStatus, HeaderSpec, Route } from './route-types.js';
import { ROUTES } from './routes.js';

/**
 * The OpenAPI 3.1 document, generated from the route table alone: paths, parameters, bodies and
 * replies are the entries' own zod schemas, turned into JSON Schema by zod. Nothing is written twice,
 * so the document cannot drift from what the handlers take and (tested on every reply the integration
 * suite gets) what they send.
 */
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The statuses every route answers whose entry has these traits; `route.errors` adds or words its own. */
const touchesAws = (r: Route) => Object.keys(r.handler.grants).length > 0;
const writesTable = (r: Route) =>
  r.method !== 'GET' && Boolean(r.handler.grants.table === 'RW' || r.handler.grants.tableItems);
const ERRORS: { status: ErrorStatus; applies: (r: Route) => boolean; description: string }[] = [
  {
    status: 400,
    applies: (r) => Boolean(r.request?.body || r.request?.query || r.request?.headers),
    description: 'Invalid body, query or header (errors[] names each)',
  },
  { status: 401, applies: (r) => r.auth !== 'public', description: 'No token, or a bad or expired one' },
  { status: 403, applies: (r) => r.auth === 'user', description: 'Not allowed' },
  {
    status: 404,
    applies: (r) => r.path.includes('{'),
    description: 'Absent, malformed or not visible to the caller',
  },
  {
    status: 409,
    applies: writesTable,
    description: 'A concurrent change got there first; nothing was written',
  },
  {
    status: 412,
    applies: (r) => Boolean(r.request?.headers?.['If-Match']),
    description: 'If-Match names no current version; nothing was written',
  },
  { status: 413, applies: (r) => Boolean(r.request?.body), description: 'Body over 256 KB' },
  { status: 415, applies: (r) => Boolean(r.request?.body), description: 'The body is not JSON' },
  { status: 429, applies: touchesAws, description: 'Throttled; retry after Retry-After' },
  { status: 500, applies: () => true, description: 'Failed on our side (details in the logs, never here)' },
  { status: 503, applies: touchesAws, description: 'The store is unavailable; retry after Retry-After' },
];

/** In AWS, API Gateway answers these itself (JWT authorizer, throttling): `{ message }`, no Cache-Control. */
const GATEWAY_MADE = new Set<number>([401, 429]);

function errorResponse(status: number, description: string): Json {
  const gateway = GATEWAY_MADE.has(status);
  const headers: Record<string, HeaderSpec> = {
    'Cache-Control': { ...HEADERS.noStore, required: !gateway },
  };
  if (status === 401) headers['WWW-Authenticate'] = { description: 'Bearer', schema: z.literal('Bearer') };
  if (status === 429 || status === 503)
    headers['Retry-After'] = { ...HEADERS.retryAfter, required: !gateway };
  return {
    description,
    headers: headersOf(headers),
    content: {
      'application/problem+json': { schema: ref('Problem') },
      ...(gateway ? { 'application/json': { schema: ref('GatewayMessage') } } : {}),
    },
  };
}

function parameters(route: Route): Json[] {
  const req = route.request ?? {};
  const pathSchemas = (req.params ? toJson(req.params, 'input').properties : {}) as Record<string, Json>;
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: pathSchemas[name!] ?? { type: 'string' },
  }));
  const q = req.query ? toJson(req.query, 'input') : {};
  const required = new Set((q.required ?? []) as string[]);
  const query = Object.entries((q.properties ?? {}) as Record<string, Json>).map(
    ([name, { description, ...schema }]) => ({
      name,
      in: 'query',
      required: required.has(name),
      description,
      schema,
    }),
  );
  const headers = Object.entries(req.headers ?? {}).map(([name, h]) => ({
    name,
    in: 'header',
    required: h.required ?? false,
    description: h.description,
    schema: bare(toJson(h.schema, 'input')),
  }));
  return [...path, ...query, ...headers];
}

function operation(route: Route, operationId: string, components: Components): Json {
  const { request, response } = route;
  const media = request?.mediaTypes ?? ['application/json'];
  const requestBody = request?.body && {
    required: !request.bodyOptional,
    content: Object.fromEntries(
      media.map((t) => [
        t,
        { schema: components.name(request.body!, 'input', `${pascal(operationId)}Body`) },
      ]),
    ),
  };
  const content = response.body
    ? {
        'application/json': {
          schema: components.name(response.body, 'output', `${pascal(operationId)}Reply`),
        },
      }
    : response.raw && Object.fromEntries(response.raw.map((t) => [t, { schema: { type: 'string' } }]));
  const successHeaders = {
    ...response.headers,
    ...(route.auth === 'public' ? {} : { 'Cache-Control': HEADERS.noStore }),
  };
  // The usual wording is one shared response; a route's own wording is its own.
  const errors = new Map<number, Json>(
    ERRORS.filter((e) => e.applies(route)).map((e) => [
      e.status,
      { $ref: `#/components/responses/Problem${e.status}` },
    ]),
  );
  for (const [status, description] of Object.entries(route.errors ?? {}))
    errors.set(Number(status), errorResponse(Number(status), description));
  return {
    operationId,
    summary: route.summary,
    tags: [route.collection ?? (route.path.startsWith('/v1/admin') ? 'admin' : 'service')],
    security: route.auth === 'public' ? [] : [{ cognito: [] }],
    parameters: parameters(route),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(route.status)]: {
        description: response.description,
        headers: headersOf(successHeaders),
        ...(content ? { content } : {}),
      },
      ...Object.fromEntries(
        [...errors].sort(([a], [b]) => a - b).map(([status, reply]) => [String(status), reply]),
      ),
    },
  };
}

/** Unique per document: a handler on two paths is told apart by the later path's last segment. */
function operationIds(): string[] {
  const ids = new Set<string>();
  return ROUTES.map((route) => {
    let id = `${route.handler.name}${route.collection ? `-${route.collection}` : ''}`.replace(
      /-(\w)/g,
      (_, ch: string) => ch.toUpperCase(),
    );
    if (ids.has(id)) id = `${id}${pascal(route.path.split('/').pop()!.replace(/[{}]/g, ''))}`;
    ids.add(id);
    return id;
  });
}

export function openApiDocument(): Json {
  const components = new Components();
  components.name(problem, 'output', 'Problem');
  components.name(gatewayMessage, 'output', 'GatewayMessage');
  const paths: Record<string, Json> = {};
  const ids = operationIds();
  ROUTES.forEach((route, i) => {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operation(route, ids[i]!, components),
    };
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concord CRM API',
      version: '1.0.0',
      description:
        'Sales, marketing and support on one customer record. Errors are application/problem+json ' +
        "(in AWS, API Gateway's own 401 and 429 are { message })",
    },
    servers: [{ url: '/' }],
    security: [{ cognito: [] }],
    paths,
    components: {
      securitySchemes: {
        cognito: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito user-pool ID or access token',
        },
      },
      responses: Object.fromEntries(
        ERRORS.map((e) => [`Problem${e.status}`, errorResponse(e.status, e.description)]),
      ),
      schemas: components.schemas(),
    },
  };
}
