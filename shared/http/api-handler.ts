import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { loadEnv } from '../config/env.js';
import { LIMITS } from '../config/limits.js';
import { type Caller, type Claims, callerFromClaims, hasAnyRole, noRoleReason } from '../policy/caller.js';
import { toProblem } from './errors.js';
import { logger } from './logger.js';
import { observe } from './observability.js';
import { PROBLEM_CONTENT_TYPE, problemBody, problems } from './problems.js';
import { rolePermissionsInForce } from './role-freshness.js';
import type { Auth, HandlerRoutes, HttpMethod, ServedRoute } from './route-types.js';

/** What a handler sees: the request already authenticated, parsed and routed. */
export interface ApiRequest {
  route: ServedRoute;
  caller: Caller;
  body: unknown;
  params: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  header(name: string): string | undefined;
}

export interface ApiReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body sent as it is instead of JSON (the docs page and its assets), its content-type in headers. */
  raw?: string | Buffer;
}

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
type Handle = (request: ApiRequest) => Promise<ApiReply>;

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;
const ANONYMOUS: Caller = { userId: '', username: '', groups: [], isManager: false, isAdmin: false };

function headerOf(event: ApiEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function parseBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > LIMITS.maxBodyBytes) throw problems.tooLarge(LIMITS.maxBodyBytes);
  if (!JSON_TYPE.test(headerOf(event, 'content-type') ?? '')) throw problems.unsupportedMediaType();
  try {
    return JSON.parse(raw);
  } catch {
    throw problems.badRequest('The request body is not valid JSON.');
  }
}

/** Who may call is the route's `auth` (routes.ts), as API Gateway's authorizer reads it too. */
function callerOf(event: ApiEvent, auth: Auth): Caller {
  if (auth === 'public') return ANONYMOUS;
  const claims = event.requestContext.authorizer?.jwt?.claims as Claims | undefined;
  const caller = claims ? callerFromClaims(claims) : undefined;
  if (!caller) throw problems.unauthorized();
  if (auth !== 'any-user' && !hasAnyRole(caller)) throw problems.forbidden(noRoleReason(caller));
  return caller;
}

/**
 * A reply to an authenticated request is for that caller only, and an error is for that moment only:
 * no cache, shared or private, may keep either (docs/api.md "Conventions").
 */
const NO_STORE = { 'cache-control': 'no-store' };

function replyOf(status: number, reply: ApiReply, cache: Record<string, string>): APIGatewayProxyResultV2 {
  const headers = { ...reply.headers, ...cache };
  const raw = reply.raw;
  if (Buffer.isBuffer(raw))
    return { statusCode: status, headers, body: raw.toString('base64'), isBase64Encoded: true };
  if (raw !== undefined) return { statusCode: status, headers, body: raw };
  if (status === 204 || reply.body === undefined) return { statusCode: status, headers };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(reply.body),
  };
}

/** A caller's correlation id is taken when it looks like one: an id, not a payload for the logs. */
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

/** Correlation id + error handler: the last middleware, the only one that writes error replies. */
const correlateAndReplyErrors: MiddlewareObj<ApiEvent, APIGatewayProxyResultV2, Error, Context> = {
  before: ({ event }) => {
    const given = headerOf(event, 'x-correlation-id');
    logger.setCorrelationId(given && CORRELATION_ID.test(given) ? given : event.requestContext.requestId);
  },
  onError: (request) => {
    const problem = toProblem(request.error);
    if (problem.statusCode >= 500) logger.error('request failed', { error: request.error as Error });
    request.response = {
      statusCode: problem.statusCode,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...problem.headers, ...NO_STORE },
      body: JSON.stringify(problemBody(problem)),
    };
  },
};

/** The route a routeKey names among the function's own (`$default`, say, names none). */
function servedRoute(index: HandlerRoutes, key: string): ServedRoute | undefined {
  if (!Object.hasOwn(index.routes, key)) return undefined;
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { ...index.routes[key]!, method, path, handler: { name: index.name } };
}

/**
 * The one middy stack of every API function, `index` its entry in route-index.ts (its routes as the route
 * table gives them): logs with the Lambda context → correlation id → authenticate → parse → handler → reply
 * (+ no-store unless public); errors → problem+json, never stored (last).
 *
 * At init (module scope of the handler file) it parses the function's environment from its grants: a missing
 * variable fails the init, naming the variable, before any request.
 */
export function apiHandler(index: HandlerRoutes, handle: Handle) {
  loadEnv(index.uses);
  return middy<ApiEvent, APIGatewayProxyResultV2, Error, Context>()
    .use([...observe(), correlateAndReplyErrors, ...rolePermissionsInForce(index.name, index.uses)])
    .handler(async (event) => {
      // A key of another function's route is no route of this one: its environment was parsed for its own.
      const route = servedRoute(index, event.routeKey);
      if (!route) throw problems.notFound('No such route.');
      const reply = await handle({
        route,
        caller: callerOf(event, route.auth),
        body: parseBody(event),
        params: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        header: (header) => headerOf(event, header),
      });
      // Public replies set their own Cache-Control (the route's reply says which).
      return replyOf(reply.status ?? route.status, reply, route.auth === 'public' ? {} : NO_STORE);
    });
}

/** The collection a record route serves (handlers are shared across collections). */
export function collectionOf(request: ApiRequest) {
  const collection = request.route.collection;
  if (!collection) throw new Error(`route ${request.route.path} has no collection`);
  return collection;
}
