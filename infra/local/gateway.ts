import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { corsHeaders, isLocalOrigin } from '../../shared/config/cors.js';
import { LIMITS } from '../../shared/config/limits.js';
import { PROBLEM_CONTENT_TYPE, problemBody, problems } from '../../shared/http/problems.js';
import {
  API_HANDLER_TIMEOUT_SECONDS,
  FALLBACK,
  type Handler,
  handlerEntry,
  ROUTES,
  type Route,
  routeKey,
} from '../../shared/http/routes.js';
import type { Verified } from './jwt-authorizer.js';
import { lambdaContext, loadHandler } from './lambda-runtime.js';

/**
 * The HTTP API, locally: the same route table, the same JWT checks, the exact
 * APIGatewayProxyEventV2 each handler gets in AWS. Extra local-only routes (the token
 * convenience, report files) are plain functions mounted beside the API.
 */
export type LocalRoute = (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void>;

export interface GatewayOptions {
  port: number;
  authorize: (authorization: string | undefined) => Promise<Verified>;
  extraRoutes?: Record<string, LocalRoute>;
  log?: (msg: string) => void;
}

interface Compiled {
  route: Route;
  regex: RegExp;
  params: string[];
}

const compiled: Compiled[] = ROUTES.map((route) => {
  const params: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, regex: new RegExp(`^${pattern}$`), params };
}).sort((a, b) => a.params.length - b.params.length);

/** A segment that does not decode (a broken %-escape) names nothing: it stays as sent, and so matches no record. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchRoute(method: string, path: string) {
  for (const c of compiled) {
    if (c.route.method !== method) continue;
    const m = c.regex.exec(path);
    if (m)
      return {
        route: c.route,
        params: Object.fromEntries(c.params.map((p, i) => [p, decodeSegment(m[i + 1]!)])),
      };
  }
  return undefined;
}

const entryOf = (handler: Handler) =>
  fileURLToPath(new URL(`../../${handlerEntry(handler)}`, import.meta.url));

/** The gateway's own errors, like the handlers' (api-handler.ts): never stored by a cache. */
function sendProblem(
  res: ServerResponse,
  problem: ReturnType<typeof problems.internal>,
  cors: Record<string, string> = {},
) {
  res.writeHead(problem.statusCode, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...problem.headers,
    ...cors,
  });
  res.end(JSON.stringify(problemBody(problem)));
}

/**
 * What the gateway reads past the limit before it gives up on a client: API Gateway's own payload
 * limit. Below it the rest of an over-limit body is read and thrown away, so the client (still
 * writing) never meets a reset and always reads the 413; above it the connection is cut.
 */
const DRAIN_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The body, or 'too-large' as soon as it passes the limit. Read with events, not `for await`:
 * leaving a `for await` early destroys the request, and with it the socket the 413 must go out on.
 */
function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > LIMITS.maxBodyBytes;
    if (tooLarge) resolve('too-large');
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > DRAIN_LIMIT_BYTES) req.socket.destroy();
        return;
      }
      if (size > LIMITS.maxBodyBytes) {
        tooLarge = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

const TEXTUAL = /^(application\/([\w.+-]*\+)?json|text\/|application\/(xml|x-www-form-urlencoded))/i;

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  key: string,
  params: Record<string, string>,
  claims: Record<string, string>,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  // A Map, then own properties: a parameter named __proto__ stays a parameter (and is refused as unknown).
  const joined = new Map<string, string>();
  for (const [k, v] of url.searchParams) joined.set(k, joined.has(k) ? `${joined.get(k)},${v}` : v);
  const query: Record<string, string> = Object.fromEntries(joined);
  const textual = TEXTUAL.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

function sendResult(
  res: ServerResponse,
  result: APIGatewayProxyStructuredResultV2 | string | undefined,
  cors: Record<string, string>,
) {
  const structured =
    typeof result === 'object' && result !== null ? result : { statusCode: 200, body: result ?? '' };
  const body = structured.body ?? '';
  res.writeHead(structured.statusCode ?? 200, { ...(structured.headers as Record<string, string>), ...cors });
  res.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/** A CORS preflight: OPTIONS with the method the browser wants to send (API Gateway answers it itself). */
const isPreflight = (req: IncomingMessage) =>
  req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';

async function serve(opts: GatewayOptions, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = await readBody(req);
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  if (isPreflight(req)) {
    res.writeHead(204, corsHeaders(origin, isLocalOrigin, true));
    return res.end();
  }
  const cors = corsHeaders(origin, isLocalOrigin, false);
  if (body === 'too-large') {
    // readBody drains the rest (up to its limit), so the connection stays usable after the 413.
    return sendProblem(res, problems.tooLarge(LIMITS.maxBodyBytes), cors);
  }
  const extra = opts.extraRoutes?.[`${req.method} ${url.pathname}`];
  if (extra) return extra(req, body, res);
  const match = matchRoute(req.method ?? 'GET', url.pathname);
  // No route: the `$default` route's handler answers, unauthenticated, as in AWS.
  const target = match
    ? { key: routeKey(match.route), handler: match.route.handler, params: match.params }
    : { key: FALLBACK.routeKey, handler: FALLBACK.handler, params: {} };
  let claims: Record<string, string> = {};
  if (match && match.route.auth !== 'public') {
    const verified = await opts.authorize(req.headers.authorization);
    if (!verified.ok) return sendProblem(res, problems.unauthorized(), cors);
    claims = verified.claims;
  }
  const event = toEvent(req, url, body, target.key, target.params, claims);
  const handler = await loadHandler<typeof event, APIGatewayProxyStructuredResultV2>(entryOf(target.handler));
  sendResult(
    res,
    await handler(
      event,
      lambdaContext(
        target.handler.name,
        (target.handler.timeoutSeconds ?? API_HANDLER_TIMEOUT_SECONDS) * 1000,
      ),
    ),
    cors,
  );
}

export function startGateway(opts: GatewayOptions): Promise<Server> {
  const server = createServer((req, res) => {
    serve(opts, req, res).catch((error: unknown) => {
      // A handler that throws is a 500 without internals, and the gateway goes on serving.
      opts.log?.(`handler error on ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendProblem(res, problems.internal());
      else res.end();
    });
  });
  // Requests Node's parser refuses (bad header bytes, oversized headers) still get a problem+json reply.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const title = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    const body = JSON.stringify({
      type: 'about:blank',
      title,
      status,
      detail: 'The request could not be parsed.',
    });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve(server));
  });
}
