import * as z from 'zod/mini';
import { LIMITS } from '../config/limits.js';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '../domain/collections.js';
import { listFiltersOf } from '../domain/use-cases/read-records.js';
import { createSchemaOf, patchSchemaOf } from '../domain/validation.js';
import { DOCS_ASSETS } from './docs-assets.js';
import { ROUTES, type Route } from './routes.js';

/**
 * The OpenAPI 3.1 document, generated from the route table and the zod schemas (never by hand),
 * so that the document cannot drift from what the handlers accept.
 */
type Json = Record<string, unknown>;

const toSchema = (schema: z.ZodMiniType): Json =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
const withoutDialect = ({ $schema: _, ...rest }: Json) => rest;
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const entityName = (c: CollectionName) => pascal(COLLECTIONS[c].entity);

const META = {
  id: { type: 'string', description: 'Server-made ULID: URL-safe, sortable by creation time' },
  version: { type: 'integer', minimum: 1 },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  createdBy: { type: 'string' },
  updatedBy: { type: 'string' },
  ownerId: { type: 'string' },
  ownerDept: { type: 'string' },
};

function collectionSchemas(c: CollectionName): Record<string, Json> {
  const create = withoutDialect(toSchema(createSchemaOf(c)));
  const record = {
    type: 'object',
    description: 'Fields the caller may not see are left out.',
    properties: { ...(create.properties as Json), ...META },
    required: Object.keys(META).filter((k) => k !== 'updatedBy'),
  };
  return {
    [entityName(c)]: record,
    [`${entityName(c)}Create`]: create,
    [`${entityName(c)}Patch`]: {
      ...withoutDialect(toSchema(patchSchemaOf(c))),
      description: 'JSON merge patch: null removes a field',
    },
    [`${entityName(c)}Page`]: {
      type: 'object',
      properties: {
        items: { type: 'array', items: ref(entityName(c)) },
        nextCursor: { type: ['string', 'null'] },
      },
      required: ['items', 'nextCursor'],
    },
  };
}

const PROBLEM = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ERRORS: Record<string, string> = {
  '400': 'Invalid body, query or header (see errors[])',
  '401': 'No or bad token',
  '403': 'Not allowed',
  '404': 'Absent, malformed or not visible to the caller',
  '429': 'Throttled',
  '503': 'Store unavailable; retry after Retry-After',
};
const WRITE_ERRORS: Record<string, string> = {
  '409': 'Illegal state move or duplicate',
  '412': 'Stale If-Match',
  '413': 'Body over 256 KB',
  '415': 'Body is not JSON',
};

const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
const header = (name: string, description: string) => ({
  name,
  in: 'header',
  required: false,
  description,
  schema: { type: 'string' },
});
const query = (name: string, schema: Json, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const PAGING = [
  query('limit', {
    type: 'integer',
    minimum: 1,
    maximum: LIMITS.pageSizeMax,
    default: LIMITS.pageSizeDefault,
  }),
  query('cursor', { type: 'string' }, 'Opaque: the nextCursor of the previous page'),
];

function bodyAndResponse(route: Route): { requestBody?: Json; response: Json; parameters: Json[] } {
  const c = route.collection;
  const name = c ? entityName(c) : '';
  switch (route.handler) {
    case 'create-record':
      return {
        parameters: [
          header('Idempotency-Key', 'A repeat with the same key and body returns the first result'),
        ],
        requestBody: { required: true, ...json(ref(`${name}Create`)) },
        response: json(ref(name)),
      };
    case 'update-record':
      return {
        parameters: [header('If-Match', 'The ETag ("<version>") the change is based on')],
        requestBody: {
          required: true,
          content: {
            'application/merge-patch+json': { schema: ref(`${name}Patch`) },
            'application/json': { schema: ref(`${name}Patch`) },
          },
        },
        response: json(ref(name)),
      };
    case 'get-record':
      return { parameters: [], response: json(ref(name)) };
    case 'delete-record':
      return {
        parameters: [header('If-Match', 'The ETag ("<version>") the delete is based on')],
        response: {},
      };
    case 'list-records':
      return {
        parameters: [
          ...PAGING,
          ...listFiltersOf(c!).map((f) => query(f, { type: 'string' }, 'Filter (one at a time)')),
        ],
        response: json(ref(`${name}Page`)),
      };
    case 'account-timeline':
      return {
        parameters: PAGING,
        response: json({
          type: 'object',
          properties: { items: { type: 'array' }, nextCursor: { type: ['string', 'null'] } },
        }),
      };
    case 'convert-lead':
      return {
        parameters: [],
        requestBody: {
          required: false,
          ...json({
            type: 'object',
            additionalProperties: false,
            properties: {
              accountId: { type: 'string', description: 'Link an existing account instead of creating one' },
              account: { $ref: '#/components/schemas/AccountCreate' },
              contact: { type: 'object', description: 'Contact fields; defaults come from the lead' },
              opportunity: {
                type: 'object',
                description: 'Opportunity fields; given → an opportunity is created',
              },
            },
          }),
        },
        response: json({ type: 'object' }),
      };
    case 'root':
      return {
        parameters: [],
        response: json({
          type: 'object',
          properties: { name: { type: 'string' }, docs: { type: 'string' }, openapi: { type: 'string' } },
          required: ['name', 'docs', 'openapi'],
        }),
      };
    case 'docs': {
      const types = route.path.includes('{asset}')
        ? [...new Set(Object.values(DOCS_ASSETS).map((t) => t.split(';')[0]!))]
        : ['text/html'];
      return {
        parameters: [],
        response: { content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string' } }])) },
      };
    }
    case 'admin-set-groups':
      return {
        parameters: [],
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            properties: { groups: { type: 'array', items: { type: 'string' } } },
            required: ['groups'],
          }),
        },
        response: json({ type: 'object' }),
      };
    default:
      return { parameters: [], response: json({ type: 'object' }) };
  }
}

/** Path parameters whose values are a closed list. */
const PATH_SCHEMAS: Record<string, Json> = { asset: { type: 'string', enum: Object.keys(DOCS_ASSETS) } };

function operation(route: Route): Json {
  const { requestBody, response, parameters } = bodyAndResponse(route);
  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: PATH_SCHEMAS[m[1]!] ?? { type: 'string' },
  }));
  const writes = route.method !== 'GET';
  const publicErrors = pathParams.length ? { '404': 'No such resource' } : {};
  const errors = route.public ? publicErrors : { ...ERRORS, ...(writes ? WRITE_ERRORS : {}) };
  return {
    operationId: `${route.handler}${route.collection ? `-${route.collection}` : ''}`.replace(
      /-(\w)/g,
      (_, ch: string) => ch.toUpperCase(),
    ),
    summary: route.summary,
    tags: [route.collection ?? (route.path.startsWith('/v1/admin') ? 'admin' : 'service')],
    security: route.public ? [] : [{ cognito: [] }],
    parameters: [...pathParams, ...parameters],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(route.status)]: { description: 'Success', ...response },
      ...Object.fromEntries(Object.entries(errors).map(([status, text]) => [status, problem(text)])),
    },
  };
}

export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  const ids = new Set<string>();
  for (const route of ROUTES) {
    const op = operation(route);
    // A handler on two paths (`/` and `/v1`, the docs page and its files): the later one is named
    // after its last path segment too, since operation ids must be unique.
    if (ids.has(op.operationId as string))
      op.operationId = `${op.operationId}${pascal(route.path.split('/').pop()!.replace(/[{}]/g, ''))}`;
    ids.add(op.operationId as string);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concord CRM API',
      version: '1.0.0',
      description:
        'Sales, marketing and support on one customer record. Errors are application/problem+json.',
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
      schemas: { Problem: PROBLEM, ...Object.assign({}, ...COLLECTION_NAMES.map(collectionSchemas)) },
    },
  };
}
