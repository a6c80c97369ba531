import type * as z from 'zod/mini';
import type { CollectionName } from '../domain/collections.js';

/**
 * The shape of a route entry (routes.ts): everything CDK, the local gateway, the handlers and the
 * OpenAPI document need to know of a route, in one value. Plain data and zod schemas only: this is
 * bundled into every Lambda, so nothing here may reach for aws-cdk-lib or an AWS client.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call: `public` needs no token; `user` a valid token whose groups give a role; `any-user`
 * any valid token, even one whose groups give no role (`GET /v1/me`, which says why).
 */
export type Auth = 'public' | 'user' | 'any-user';

/** Item actions (`dynamodb:PutItem`, …) on the items whose partition key starts with `keyPrefix` only. */
export interface TableItemsGrant {
  actions: readonly string[];
  keyPrefix: string;
}

/**
 * What a function may touch besides its own logs and traces. CDK turns each key into a least-privilege
 * grant plus the environment variable the code reads (AppFunction.bind*); an empty object is nothing.
 */
export interface Grants {
  /** Read (`R`) or read-write (`RW`) on the table, and Query on each of its indexes. */
  table?: 'R' | 'RW';
  /** Item actions confined to the items whose partition key starts with `keyPrefix` (a lock, say); or several such. */
  tableItems?: TableItemsGrant | readonly TableItemsGrant[];
  /** These cognito-idp actions, on the user pool only. */
  userPool?: readonly string[];
  /**
   * Reads the role cells admins changed (GetItem and Query on those items only): for a function that
   * decides access without the table grant (`table` reads them already).
   */
  roles?: true;
  /** Hands out and takes cursors: reads the secret that signs them. */
  cursors?: true;
  /** PutEvents on the bus (events come from the stream: an API handler should rarely need this). */
  bus?: true;
  /** Objects under `reports/` of the reports bucket, or under other prefixes of it (jobs' files). */
  bucket?: 'R' | 'RW' | { access: 'R' | 'RW'; prefixes: readonly ('imports/' | 'exports/')[] };
  /** Starts the import and export job: lambda:InvokeFunction on that one function. */
  jobs?: true;
  /**
   * Makes a report's snapshot now: lambda:InvokeFunction on the report renderer (the scheduled
   * report-snapshots function), which alone carries the chart code (vega, most of a megabyte).
   */
  reports?: true;
  /** Invites users (AdminCreateUser, given in `userPool`): says how the temporary password travels. */
  invitations?: true;
  /** Posts to channel webhooks (Slack, WeChat Work): says whether loopback receivers are allowed (local stack). */
  webhooks?: true;
  /** Sends channel email: ses:SendEmail on the sender's SES identity only, and the sender's address. */
  email?: true;
}

/** Files of an npm package a handler reads at run time (not imports), shipped beside its bundle. */
export interface PackageFiles {
  name: string;
  files: readonly string[];
}

/** An API handler's timeout unless its entry says otherwise (CDK and the local gateway alike). */
export const API_HANDLER_TIMEOUT_SECONDS = 10;

/** A Lambda function behind one or more routes; its code is `functions/api/<name>.ts`. */
export interface Handler {
  name: string;
  /** Required, even when empty: a new handler states what it may touch. */
  grants: Grants;
  packageFiles?: PackageFiles;
  /** Beyond API_HANDLER_TIMEOUT_SECONDS: for one that waits on another function (API Gateway stops at 30 s). */
  timeoutSeconds?: number;
}

/** A handler's descriptor; declare it once (a const) when several routes share the function. */
export const defineHandler = (
  name: string,
  grants: Grants,
  extra: Omit<Handler, 'name' | 'grants'> = {},
): Handler => ({ name, grants, ...extra });

/** The entry file of a handler, relative to the project folder: the one place that spells the path. */
export const handlerEntry = (handler: Pick<Handler, 'name'>): string => `functions/api/${handler.name}.ts`;

export interface HeaderSpec {
  description: string;
  schema: z.ZodMiniType;
  /** Always sent (response) or always needed (request). */
  required?: boolean;
}

export interface RequestSpec {
  /** The JSON body, as the handler validates it (the same zod schema). */
  body?: z.ZodMiniType;
  /** The body may be left out (lead conversion takes defaults from the lead). */
  bodyOptional?: boolean;
  /** Media types the body may come as; `application/json` when not given. */
  mediaTypes?: readonly string[];
  /** Path parameters whose values have a shape (ids, an allow-list); any other is a string. */
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  headers?: Readonly<Record<string, HeaderSpec>>;
}

/** The success reply. A JSON `body`, or `raw` media types (a body sent as is), or neither (204). */
export interface ReplySpec {
  description: string;
  body?: z.ZodMiniType;
  raw?: readonly string[];
  headers?: Readonly<Record<string, HeaderSpec>>;
}

/** Error statuses a route may answer; which apply to a route follows from its entry (openapi.ts). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500 | 503;

export interface Route {
  method: HttpMethod;
  /** API Gateway path syntax: `{id}` is a path parameter. */
  path: string;
  handler: Handler;
  auth: Auth;
  summary: string;
  /** The collection a record route serves (its handler serves several). */
  collection?: CollectionName;
  request?: RequestSpec;
  /** Success status: what the handler answers unless it says otherwise. */
  status: number;
  response: ReplySpec;
  /** What a route's own error statuses mean, where it answers more than its kind does (see openapi.ts). */
  errors?: Readonly<Partial<Record<ErrorStatus, string>>>;
}

/** Of a route, what its function needs at run time: who may call, the success status, the collection. */
export interface RouteFacts {
  auth: Auth;
  status: number;
  collection?: CollectionName;
}

/**
 * What one function needs of the route table at run time, generated into route-index.ts: its name, which
 * grants it holds (their keys: its environment and the role cells follow from them) and its routes by key
 * (`GET /v1/accounts/{id}`). No schema and no text, so a handler's bundle carries none of the OpenAPI material.
 */
export interface HandlerRoutes {
  name: string;
  uses: Readonly<Partial<Record<keyof Grants, true>>>;
  routes: Readonly<Record<string, RouteFacts>>;
}

/** The route a request came by, as its handler sees it. */
export interface ServedRoute extends RouteFacts {
  method: HttpMethod;
  path: string;
  handler: Pick<Handler, 'name'>;
}
