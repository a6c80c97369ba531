import * as z from 'zod/mini';
import { ROLES_KEY_PREFIX, USER_KEY_PREFIX } from '../db/keys.js';
import { convertLeadBody, inviteUserBody, roleCellBody, userGroupsBody } from '../domain/action-bodies.js';
import { COLLECTION_NAMES } from '../domain/collections.js';
import * as ChangeLog from './change-log-schemas.js';
import { CHANNEL_ROUTES } from './channel-routes.js';
import { COLLABORATION_ROUTES } from './collaboration-routes.js';
import { DOCS_ASSETS, DOCS_PACKAGE, DOCS_PACKAGE_FILES } from './docs-assets.js';
import { EXPORT_ROUTES } from './export-routes.js';
import { HANDOFF_ROUTES } from './handoff-routes.js';
import { IMPORT_ROUTES } from './import-routes.js';
import { PRIVACY_ROUTES } from './privacy-routes.js';
import { byId, recordRoutes } from './record-routes.js';
import { REPORT_ROUTES } from './report-routes.js';
import * as S from './route-schemas.js';
import { defineHandler as fn, type Handler, type Route } from './route-types.js';

export type { Auth, Grants, Handler, HandlerRoutes, HttpMethod, Route } from './route-types.js';
export { API_HANDLER_TIMEOUT_SECONDS, handlerEntry } from './route-types.js';

/**
 * The route table: the one description of every route. CDK makes one HTTP API route per entry and
 * one function (with the entry's grants) per handler, the local gateway serves it, the OpenAPI document
 * is generated from it, and so is route-index.ts, what the handlers read of it at run time (plain data: no
 * handler bundle carries the schemas and text built here). A new route is one entry here, its handler
 * file, `functions/api/<handler name>.ts`, and `npm run routes:index`; test/unit/route-table.test.ts and
 * route-index.test.ts fail on a missing piece or a stale index.
 */

// Handlers behind two routes each: the links and the docs.
const root = fn('root', {});
const docs = fn('docs', {}, { packageFiles: { name: DOCS_PACKAGE, files: DOCS_PACKAGE_FILES } });

const linksRoute = (path: string): Route => ({
  method: 'GET',
  path,
  handler: root,
  auth: 'public',
  summary: 'Where the API reference and the OpenAPI document are',
  status: 200,
  response: {
    description: 'Links',
    body: S.links,
    headers: { 'Cache-Control': S.HEADERS.publicCache('public, max-age=300') },
  },
});

export const ROUTES: readonly Route[] = [
  linksRoute('/'),
  linksRoute('/v1'),
  {
    method: 'GET',
    path: '/v1/health',
    handler: fn('health', {}),
    auth: 'public',
    summary: 'Liveness',
    status: 200,
    response: { description: 'Up', body: S.health },
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    handler: fn('openapi', {}),
    auth: 'public',
    summary: 'This API as OpenAPI 3.1',
    status: 200,
    response: {
      description: 'This document',
      body: S.openApiReply,
      headers: { 'Cache-Control': S.HEADERS.publicCache('public, max-age=300') },
    },
  },
  {
    method: 'GET',
    path: '/v1/docs',
    handler: docs,
    auth: 'public',
    summary: 'Interactive API reference (Swagger UI) of this document',
    status: 200,
    response: {
      description: 'The page',
      raw: ['text/html'],
      headers: {
        'Cache-Control': S.HEADERS.publicCache('public, max-age=300'),
        'Content-Security-Policy': {
          description: 'Only our own files and the one inline script',
          schema: z.string(),
          required: true,
        },
      },
    },
  },
  {
    method: 'GET',
    path: '/v1/docs/{asset}',
    handler: docs,
    auth: 'public',
    summary: "A file of the API reference page (Swagger UI's script and style sheet)",
    request: { params: z.strictObject({ asset: z.enum(Object.keys(DOCS_ASSETS)) }) },
    status: 200,
    response: {
      description: 'The file, gzipped when the client accepts it',
      raw: [...new Set(Object.values(DOCS_ASSETS).map((t) => t.split(';')[0]!))],
      headers: { 'Cache-Control': S.HEADERS.publicCache('public, max-age=31536000, immutable') },
    },
  },
  {
    method: 'GET',
    path: '/v1/me',
    handler: fn('me', { roles: true }),
    auth: 'any-user',
    summary: 'The caller and their resolved permissions',
    status: 200,
    response: { description: 'The caller', body: S.me },
  },
  ...COLLECTION_NAMES.flatMap(recordRoutes),
  ...HANDOFF_ROUTES,
  ...REPORT_ROUTES,
  ...CHANNEL_ROUTES,
  ...COLLABORATION_ROUTES,
  ...IMPORT_ROUTES,
  ...EXPORT_ROUTES,
  ...PRIVACY_ROUTES,
  {
    method: 'GET',
    path: '/v1/accounts/{id}/timeline',
    handler: fn('account-timeline', { table: 'R', cursors: true }),
    auth: 'user',
    collection: 'accounts',
    summary: "The account's 360° view across departments, newest first",
    request: { params: byId, query: S.pagingQuery() },
    status: 200,
    response: { description: 'One page of what the caller may see', body: S.timelinePage },
  },
  {
    method: 'POST',
    path: '/v1/leads/{id}/convert',
    handler: fn('convert-lead', { table: 'RW' }),
    auth: 'user',
    collection: 'leads',
    summary: 'Hand a qualified lead over to sales: account, contact and opportunity in one transaction',
    request: { params: byId, body: convertLeadBody, bodyOptional: true },
    status: 201,
    response: { description: 'Converted', body: S.conversionResult },
    errors: { 409: 'The lead is not qualified, was converted already, or changed meanwhile' },
  },
  {
    method: 'GET',
    path: '/v1/admin/users',
    handler: fn('admin-list-users', {
      // Groups come from the user directory (one read a page); Cognito only for users it does not know yet.
      tableItems: { actions: ['dynamodb:BatchGetItem'], keyPrefix: USER_KEY_PREFIX },
      userPool: ['cognito-idp:ListUsers', 'cognito-idp:AdminListGroupsForUser'],
      cursors: true,
    }),
    auth: 'user',
    summary: 'List users and their groups',
    request: { query: S.pagingQuery(60) },
    status: 200,
    response: { description: 'One page', body: S.usersPage },
  },
  {
    method: 'POST',
    path: '/v1/admin/users',
    handler: fn('admin-invite-user', {
      // The new user's directory entry only.
      tableItems: { actions: ['dynamodb:PutItem'], keyPrefix: USER_KEY_PREFIX },
      userPool: [
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminDeleteUser',
      ],
      invitations: true,
    }),
    auth: 'user',
    summary: 'Invite a user: Cognito emails them a temporary password',
    request: { body: inviteUserBody },
    status: 201,
    response: {
      description: 'Invited',
      body: S.invitedUser,
      headers: { Location: S.HEADERS.userLocation },
    },
    errors: { 409: 'A user of that name exists already' },
  },
  {
    method: 'PUT',
    path: '/v1/admin/users/{username}/groups',
    handler: fn('admin-set-groups', {
      // The user's own items only (their role lock, their directory entry): no record is readable or writable.
      tableItems: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], keyPrefix: USER_KEY_PREFIX },
      userPool: [
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:ListUsersInGroup',
      ],
    }),
    auth: 'user',
    summary: "Set a user's groups (one department group at most)",
    request: { body: userGroupsBody },
    status: 200,
    response: { description: "The user's groups now", body: S.userGroups },
    errors: {
      409: "Another change to this user's roles is in progress, or you are the last admin and would lose the role",
    },
  },
  {
    method: 'DELETE',
    path: '/v1/admin/users/{username}',
    handler: fn('admin-disable-user', {
      // The user's own items only (their role lock, their directory entry).
      tableItems: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], keyPrefix: USER_KEY_PREFIX },
      userPool: [
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:ListUsersInGroup',
        'cognito-idp:AdminDisableUser',
      ],
    }),
    auth: 'user',
    summary: 'Disable a user: they can no longer sign in, nor be given records',
    status: 204,
    response: { description: 'Disabled' },
    errors: { 409: "Another change to this user's roles is in progress, or you are the last admin" },
  },
  // ── Role permissions as data (docs/api.md "Role permissions") ──
  {
    method: 'GET',
    path: '/v1/admin/roles',
    handler: fn('list-roles', { roles: true }),
    auth: 'user',
    summary: 'The role permissions in force: every group × collection cell (admins)',
    status: 200,
    response: { description: 'The matrix', body: S.rolesMatrix },
    errors: { 403: 'The caller is not an admin' },
  },
  {
    method: 'PUT',
    path: '/v1/admin/roles/{group}/collections/{collection}',
    handler: fn('set-role-cell', {
      // The role cells and the matrix's version only: no record is readable or writable.
      tableItems: {
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        keyPrefix: ROLES_KEY_PREFIX,
      },
    }),
    auth: 'user',
    summary: 'Set what a group may do in a collection, for everyone, within the refresh interval (admins)',
    request: { body: roleCellBody },
    status: 200,
    response: { description: 'The cell now in force', body: S.roleCellReply },
    errors: {
      403: 'The caller is not an admin',
      404: 'No such group or collection in the matrix',
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/roles/audit',
    handler: fn('role-audit', { table: 'R', cursors: true }),
    auth: 'user',
    summary: 'Every change of a role cell, newest first: who set which cell to what (admins)',
    request: { query: S.pagingQuery() },
    status: 200,
    response: { description: 'One page of role cell changes', body: ChangeLog.auditPage },
    errors: { 403: 'The caller is not an admin' },
  },
  // ── The change feed and the audit trail (written by the stream consumers change-feed and audit) ──
  {
    method: 'GET',
    path: '/v1/changes',
    handler: fn('list-changes', { table: 'R', cursors: true }),
    auth: 'user',
    summary: "The caller's department's change feed, in commit order (admins: every change)",
    request: { query: ChangeLog.changesQuery },
    status: 200,
    response: { description: 'One page; poll again with nextCursor', body: ChangeLog.changesPage },
  },
  {
    method: 'GET',
    path: '/v1/audit',
    handler: fn('list-audit', { table: 'R', cursors: true }),
    auth: 'user',
    summary: "A record's audit trail, newest first (managers of its department, admins)",
    request: { query: ChangeLog.auditQuery },
    status: 200,
    response: { description: 'One page of who changed what, when', body: ChangeLog.auditPage },
    errors: {
      403: "A member, or a manager of another department than the record's",
      404: 'The caller may not read the collection, or the record has no audit trail',
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/users/{username}/audit',
    handler: fn('user-audit', { table: 'R', cursors: true }),
    auth: 'user',
    summary: "A user's trail: who gave them which groups, and who disabled them, newest first (admins)",
    request: { query: S.pagingQuery() },
    status: 200,
    response: { description: 'One page of the changes to the user', body: ChangeLog.auditPage },
    errors: { 403: 'The caller is not an admin', 404: 'No such user' },
  },
];

/**
 * What answers a request that no entry matches, with the 404 problem (docs/api.md "Errors"): API Gateway's
 * `$default` route in AWS (without it API Gateway answers `{"message":"Not Found"}` itself), and the
 * local gateway's fallback. Public: a request to no route gets 404 whether it carries a token or not.
 */
export const FALLBACK = { routeKey: '$default', handler: fn('not-found', {}) } as const;

/** Every handler, once: several routes share one descriptor (the same object, tested). */
export const HANDLERS: ReadonlyMap<string, Handler> = new Map([
  ...ROUTES.map((r) => [r.handler.name, r.handler] as const),
  [FALLBACK.handler.name, FALLBACK.handler],
]);

export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

const BY_KEY = new Map(ROUTES.map((r) => [routeKey(r), r]));

/** The route an API Gateway event's routeKey names (handlers serve several collections). */
export function routeOf(key: string): Route | undefined {
  return BY_KEY.get(key);
}
