import { COLLECTION_NAMES, type CollectionName } from '../domain/collections.js';

/**
 * The route table: the one list of routes. CDK makes one HTTP API route (and Lambda) per handler
 * from it, the local gateway serves it, and the OpenAPI document is generated from it.
 */
export const HANDLERS = [
  'root',
  'health',
  'openapi',
  'docs',
  'me',
  'create-record',
  'get-record',
  'update-record',
  'delete-record',
  'list-records',
  'account-timeline',
  'convert-lead',
  'admin-list-users',
  'admin-set-groups',
] as const;
export type HandlerName = (typeof HANDLERS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** API Gateway path syntax: `{id}` is a path parameter. */
  path: string;
  handler: HandlerName;
  summary: string;
  /** Success status. */
  status: number;
  /** Reachable without a token (the links at the root, health, the OpenAPI document and the docs). */
  public?: boolean;
  collection?: CollectionName;
}

const recordRoutes = (c: CollectionName): Route[] => [
  {
    method: 'POST',
    path: `/v1/${c}`,
    handler: 'create-record',
    status: 201,
    collection: c,
    summary: `Create a record in ${c}`,
  },
  {
    method: 'GET',
    path: `/v1/${c}`,
    handler: 'list-records',
    status: 200,
    collection: c,
    summary: `List ${c}, newest first`,
  },
  {
    method: 'GET',
    path: `/v1/${c}/{id}`,
    handler: 'get-record',
    status: 200,
    collection: c,
    summary: `Get one of ${c}`,
  },
  {
    method: 'PATCH',
    path: `/v1/${c}/{id}`,
    handler: 'update-record',
    status: 200,
    collection: c,
    summary: `Change one of ${c} (JSON merge patch)`,
  },
  {
    method: 'DELETE',
    path: `/v1/${c}/{id}`,
    handler: 'delete-record',
    status: 204,
    collection: c,
    summary: `Delete one of ${c}`,
  },
];

const rootRoute = (path: string): Route => ({
  method: 'GET',
  path,
  handler: 'root',
  status: 200,
  public: true,
  summary: 'Where the API reference and the OpenAPI document are',
});

export const ROUTES: readonly Route[] = [
  rootRoute('/'),
  rootRoute('/v1'),
  { method: 'GET', path: '/v1/health', handler: 'health', status: 200, public: true, summary: 'Liveness' },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    handler: 'openapi',
    status: 200,
    public: true,
    summary: 'This API as OpenAPI 3.1',
  },
  {
    method: 'GET',
    path: '/v1/docs',
    handler: 'docs',
    status: 200,
    public: true,
    summary: 'Interactive API reference (Swagger UI) of this document',
  },
  {
    method: 'GET',
    path: '/v1/docs/{asset}',
    handler: 'docs',
    status: 200,
    public: true,
    summary: "A file of the API reference page (Swagger UI's script and style sheet)",
  },
  {
    method: 'GET',
    path: '/v1/me',
    handler: 'me',
    status: 200,
    summary: 'The caller and their resolved permissions',
  },
  ...COLLECTION_NAMES.flatMap(recordRoutes),
  {
    method: 'GET',
    path: '/v1/accounts/{id}/timeline',
    handler: 'account-timeline',
    status: 200,
    collection: 'accounts',
    summary: "The account's 360° view across departments, newest first",
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/convert',
    handler: 'convert-lead',
    status: 201,
    collection: 'leads',
    summary: 'Hand a qualified lead over to sales: account, contact and opportunity in one transaction',
  },
  {
    method: 'GET',
    path: '/v1/admin/users',
    handler: 'admin-list-users',
    status: 200,
    summary: 'List users and their groups',
  },
  {
    method: 'PUT',
    path: '/v1/admin/users/{username}/groups',
    handler: 'admin-set-groups',
    status: 200,
    summary: "Set a user's groups (one department group at most)",
  },
];

export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

const BY_KEY = new Map(ROUTES.map((r) => [routeKey(r), r]));

/** The route an API Gateway event's routeKey names (handlers serve several collections). */
export function routeOf(key: string): Route | undefined {
  return BY_KEY.get(key);
}
