// Generated from the route table (routes.ts) by `npm run routes:index`: do not edit.
import type { HandlerRoutes } from './route-types.js';

/**
 * Each function's routes as it serves them (infra/route-index.ts says why this is not the table itself).
 * One export per handler: a bundle keeps its own entry and drops the others.
 */

export const accountTimelineRoutes: HandlerRoutes = {
  name: 'account-timeline',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/accounts/{id}/timeline': { auth: 'user', status: 200, collection: 'accounts' } },
};
export const adminDisableUserRoutes: HandlerRoutes = {
  name: 'admin-disable-user',
  uses: { tableItems: true, userPool: true },
  routes: { 'DELETE /v1/admin/users/{username}': { auth: 'user', status: 204 } },
};
export const adminInviteUserRoutes: HandlerRoutes = {
  name: 'admin-invite-user',
  uses: { tableItems: true, userPool: true, invitations: true },
  routes: { 'POST /v1/admin/users': { auth: 'user', status: 201 } },
};
export const adminListUsersRoutes: HandlerRoutes = {
  name: 'admin-list-users',
  uses: { tableItems: true, userPool: true, cursors: true },
  routes: { 'GET /v1/admin/users': { auth: 'user', status: 200 } },
};
export const adminSetGroupsRoutes: HandlerRoutes = {
  name: 'admin-set-groups',
  uses: { tableItems: true, userPool: true },
  routes: { 'PUT /v1/admin/users/{username}/groups': { auth: 'user', status: 200 } },
};
export const channelDeliveriesRoutes: HandlerRoutes = {
  name: 'channel-deliveries',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/admin/channels/{dept}/deliveries': { auth: 'user', status: 200 } },
};
export const convertLeadRoutes: HandlerRoutes = {
  name: 'convert-lead',
  uses: { table: true },
  routes: { 'POST /v1/leads/{id}/convert': { auth: 'user', status: 201, collection: 'leads' } },
};
export const createCommentRoutes: HandlerRoutes = {
  name: 'create-comment',
  uses: { table: true, tableItems: true },
  routes: {
    'POST /v1/accounts/{id}/comments': { auth: 'user', status: 201, collection: 'accounts' },
    'POST /v1/contacts/{id}/comments': { auth: 'user', status: 201, collection: 'contacts' },
    'POST /v1/leads/{id}/comments': { auth: 'user', status: 201, collection: 'leads' },
    'POST /v1/opportunities/{id}/comments': { auth: 'user', status: 201, collection: 'opportunities' },
    'POST /v1/cases/{id}/comments': { auth: 'user', status: 201, collection: 'cases' },
    'POST /v1/activities/{id}/comments': { auth: 'user', status: 201, collection: 'activities' },
  },
};
export const createHandoffRoutes: HandlerRoutes = {
  name: 'create-handoff',
  uses: { table: true },
  routes: { 'POST /v1/handoffs': { auth: 'user', status: 201, collection: 'handoffs' } },
};
export const createRecordRoutes: HandlerRoutes = {
  name: 'create-record',
  uses: { table: true },
  routes: {
    'POST /v1/accounts': { auth: 'user', status: 201, collection: 'accounts' },
    'POST /v1/contacts': { auth: 'user', status: 201, collection: 'contacts' },
    'POST /v1/leads': { auth: 'user', status: 201, collection: 'leads' },
    'POST /v1/opportunities': { auth: 'user', status: 201, collection: 'opportunities' },
    'POST /v1/cases': { auth: 'user', status: 201, collection: 'cases' },
    'POST /v1/activities': { auth: 'user', status: 201, collection: 'activities' },
  },
};
export const deleteCommentRoutes: HandlerRoutes = {
  name: 'delete-comment',
  uses: { table: true, tableItems: true },
  routes: {
    'DELETE /v1/accounts/{id}/comments/{commentId}': { auth: 'user', status: 204, collection: 'accounts' },
    'DELETE /v1/contacts/{id}/comments/{commentId}': { auth: 'user', status: 204, collection: 'contacts' },
    'DELETE /v1/leads/{id}/comments/{commentId}': { auth: 'user', status: 204, collection: 'leads' },
    'DELETE /v1/opportunities/{id}/comments/{commentId}': {
      auth: 'user',
      status: 204,
      collection: 'opportunities',
    },
    'DELETE /v1/cases/{id}/comments/{commentId}': { auth: 'user', status: 204, collection: 'cases' },
    'DELETE /v1/activities/{id}/comments/{commentId}': {
      auth: 'user',
      status: 204,
      collection: 'activities',
    },
  },
};
export const deleteRecordRoutes: HandlerRoutes = {
  name: 'delete-record',
  uses: { table: true },
  routes: {
    'DELETE /v1/accounts/{id}': { auth: 'user', status: 204, collection: 'accounts' },
    'DELETE /v1/contacts/{id}': { auth: 'user', status: 204, collection: 'contacts' },
    'DELETE /v1/leads/{id}': { auth: 'user', status: 204, collection: 'leads' },
    'DELETE /v1/opportunities/{id}': { auth: 'user', status: 204, collection: 'opportunities' },
    'DELETE /v1/cases/{id}': { auth: 'user', status: 204, collection: 'cases' },
    'DELETE /v1/activities/{id}': { auth: 'user', status: 204, collection: 'activities' },
  },
};
export const docsRoutes: HandlerRoutes = {
  name: 'docs',
  uses: {},
  routes: {
    'GET /v1/docs': { auth: 'public', status: 200 },
    'GET /v1/docs/{asset}': { auth: 'public', status: 200 },
  },
};
export const exportsRoutes: HandlerRoutes = {
  name: 'exports',
  uses: { tableItems: true, bucket: true, jobs: true, roles: true },
  routes: {
    'POST /v1/exports': { auth: 'user', status: 202 },
    'GET /v1/exports/{id}': { auth: 'user', status: 200 },
  },
};
export const getChannelsRoutes: HandlerRoutes = {
  name: 'get-channels',
  uses: { tableItems: true },
  routes: { 'GET /v1/admin/channels/{dept}': { auth: 'user', status: 200 } },
};
export const getHandoffRoutes: HandlerRoutes = {
  name: 'get-handoff',
  uses: { table: true },
  routes: { 'GET /v1/handoffs/{id}': { auth: 'user', status: 200, collection: 'handoffs' } },
};
export const getLatestReportRoutes: HandlerRoutes = {
  name: 'get-latest-report',
  uses: { bucket: true },
  routes: { 'GET /v1/reports/{name}/latest': { auth: 'user', status: 200 } },
};
export const getRecordRoutes: HandlerRoutes = {
  name: 'get-record',
  uses: { table: true },
  routes: {
    'GET /v1/accounts/{id}': { auth: 'user', status: 200, collection: 'accounts' },
    'GET /v1/contacts/{id}': { auth: 'user', status: 200, collection: 'contacts' },
    'GET /v1/leads/{id}': { auth: 'user', status: 200, collection: 'leads' },
    'GET /v1/opportunities/{id}': { auth: 'user', status: 200, collection: 'opportunities' },
    'GET /v1/cases/{id}': { auth: 'user', status: 200, collection: 'cases' },
    'GET /v1/activities/{id}': { auth: 'user', status: 200, collection: 'activities' },
  },
};
export const healthRoutes: HandlerRoutes = {
  name: 'health',
  uses: {},
  routes: { 'GET /v1/health': { auth: 'public', status: 200 } },
};
export const importsRoutes: HandlerRoutes = {
  name: 'imports',
  uses: { tableItems: true, bucket: true, jobs: true, roles: true },
  routes: {
    'POST /v1/imports': { auth: 'user', status: 201 },
    'POST /v1/imports/{id}/start': { auth: 'user', status: 202 },
    'GET /v1/imports/{id}': { auth: 'user', status: 200 },
  },
};
export const listAuditRoutes: HandlerRoutes = {
  name: 'list-audit',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/audit': { auth: 'user', status: 200 } },
};
export const listChangesRoutes: HandlerRoutes = {
  name: 'list-changes',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/changes': { auth: 'user', status: 200 } },
};
export const listCommentsRoutes: HandlerRoutes = {
  name: 'list-comments',
  uses: { table: true, cursors: true },
  routes: {
    'GET /v1/accounts/{id}/comments': { auth: 'user', status: 200, collection: 'accounts' },
    'GET /v1/contacts/{id}/comments': { auth: 'user', status: 200, collection: 'contacts' },
    'GET /v1/leads/{id}/comments': { auth: 'user', status: 200, collection: 'leads' },
    'GET /v1/opportunities/{id}/comments': { auth: 'user', status: 200, collection: 'opportunities' },
    'GET /v1/cases/{id}/comments': { auth: 'user', status: 200, collection: 'cases' },
    'GET /v1/activities/{id}/comments': { auth: 'user', status: 200, collection: 'activities' },
  },
};
export const listHandoffsRoutes: HandlerRoutes = {
  name: 'list-handoffs',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/handoffs': { auth: 'user', status: 200, collection: 'handoffs' } },
};
export const listNotificationsRoutes: HandlerRoutes = {
  name: 'list-notifications',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/notifications': { auth: 'user', status: 200 } },
};
export const listRecordsRoutes: HandlerRoutes = {
  name: 'list-records',
  uses: { table: true, cursors: true },
  routes: {
    'GET /v1/accounts': { auth: 'user', status: 200, collection: 'accounts' },
    'GET /v1/contacts': { auth: 'user', status: 200, collection: 'contacts' },
    'GET /v1/leads': { auth: 'user', status: 200, collection: 'leads' },
    'GET /v1/opportunities': { auth: 'user', status: 200, collection: 'opportunities' },
    'GET /v1/cases': { auth: 'user', status: 200, collection: 'cases' },
    'GET /v1/activities': { auth: 'user', status: 200, collection: 'activities' },
  },
};
export const listReportsRoutes: HandlerRoutes = {
  name: 'list-reports',
  uses: { bucket: true },
  routes: { 'GET /v1/reports': { auth: 'user', status: 200 } },
};
export const listRolesRoutes: HandlerRoutes = {
  name: 'list-roles',
  uses: { roles: true },
  routes: { 'GET /v1/admin/roles': { auth: 'user', status: 200 } },
};
export const meRoutes: HandlerRoutes = {
  name: 'me',
  uses: { roles: true },
  routes: { 'GET /v1/me': { auth: 'any-user', status: 200 } },
};
export const moveHandoffRoutes: HandlerRoutes = {
  name: 'move-handoff',
  uses: { table: true },
  routes: {
    'POST /v1/handoffs/{id}/accept': { auth: 'user', status: 200, collection: 'handoffs' },
    'POST /v1/handoffs/{id}/decline': { auth: 'user', status: 200, collection: 'handoffs' },
    'POST /v1/handoffs/{id}/complete': { auth: 'user', status: 200, collection: 'handoffs' },
    'POST /v1/handoffs/{id}/cancel': { auth: 'user', status: 200, collection: 'handoffs' },
  },
};
export const notFoundRoutes: HandlerRoutes = { name: 'not-found', uses: {}, routes: {} };
export const openapiRoutes: HandlerRoutes = {
  name: 'openapi',
  uses: {},
  routes: { 'GET /v1/openapi.json': { auth: 'public', status: 200 } },
};
export const privacyRoutes: HandlerRoutes = {
  name: 'privacy',
  uses: { table: true },
  routes: {
    'POST /v1/privacy/exports': { auth: 'user', status: 200 },
    'POST /v1/privacy/erasures': { auth: 'user', status: 200 },
  },
};
export const putChannelsRoutes: HandlerRoutes = {
  name: 'put-channels',
  uses: { tableItems: true, webhooks: true },
  routes: { 'PUT /v1/admin/channels/{dept}': { auth: 'user', status: 200 } },
};
export const readAllNotificationsRoutes: HandlerRoutes = {
  name: 'read-all-notifications',
  uses: { table: true, tableItems: true },
  routes: { 'POST /v1/notifications/read-all': { auth: 'user', status: 200 } },
};
export const readNotificationRoutes: HandlerRoutes = {
  name: 'read-notification',
  uses: { tableItems: true },
  routes: { 'POST /v1/notifications/{id}/read': { auth: 'user', status: 204 } },
};
export const recordHandoffsRoutes: HandlerRoutes = {
  name: 'record-handoffs',
  uses: { table: true, cursors: true },
  routes: {
    'GET /v1/accounts/{id}/handoffs': { auth: 'user', status: 200, collection: 'accounts' },
    'GET /v1/contacts/{id}/handoffs': { auth: 'user', status: 200, collection: 'contacts' },
    'GET /v1/leads/{id}/handoffs': { auth: 'user', status: 200, collection: 'leads' },
    'GET /v1/opportunities/{id}/handoffs': { auth: 'user', status: 200, collection: 'opportunities' },
    'GET /v1/cases/{id}/handoffs': { auth: 'user', status: 200, collection: 'cases' },
    'GET /v1/activities/{id}/handoffs': { auth: 'user', status: 200, collection: 'activities' },
  },
};
export const roleAuditRoutes: HandlerRoutes = {
  name: 'role-audit',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/admin/roles/audit': { auth: 'user', status: 200 } },
};
export const rootRoutes: HandlerRoutes = {
  name: 'root',
  uses: {},
  routes: { 'GET /': { auth: 'public', status: 200 }, 'GET /v1': { auth: 'public', status: 200 } },
};
export const runReportRoutes: HandlerRoutes = {
  name: 'run-report',
  uses: { reports: true, bucket: true },
  routes: { 'POST /v1/reports/{name}/run': { auth: 'user', status: 201 } },
};
export const setRoleCellRoutes: HandlerRoutes = {
  name: 'set-role-cell',
  uses: { tableItems: true },
  routes: { 'PUT /v1/admin/roles/{group}/collections/{collection}': { auth: 'user', status: 200 } },
};
export const testChannelsRoutes: HandlerRoutes = {
  name: 'test-channels',
  uses: { tableItems: true, webhooks: true, email: true },
  routes: { 'POST /v1/admin/channels/{dept}/test': { auth: 'user', status: 200 } },
};
export const updateCommentRoutes: HandlerRoutes = {
  name: 'update-comment',
  uses: { table: true, tableItems: true },
  routes: {
    'PATCH /v1/accounts/{id}/comments/{commentId}': { auth: 'user', status: 200, collection: 'accounts' },
    'PATCH /v1/contacts/{id}/comments/{commentId}': { auth: 'user', status: 200, collection: 'contacts' },
    'PATCH /v1/leads/{id}/comments/{commentId}': { auth: 'user', status: 200, collection: 'leads' },
    'PATCH /v1/opportunities/{id}/comments/{commentId}': {
      auth: 'user',
      status: 200,
      collection: 'opportunities',
    },
    'PATCH /v1/cases/{id}/comments/{commentId}': { auth: 'user', status: 200, collection: 'cases' },
    'PATCH /v1/activities/{id}/comments/{commentId}': { auth: 'user', status: 200, collection: 'activities' },
  },
};
export const updateRecordRoutes: HandlerRoutes = {
  name: 'update-record',
  uses: { table: true },
  routes: {
    'PATCH /v1/accounts/{id}': { auth: 'user', status: 200, collection: 'accounts' },
    'PATCH /v1/contacts/{id}': { auth: 'user', status: 200, collection: 'contacts' },
    'PATCH /v1/leads/{id}': { auth: 'user', status: 200, collection: 'leads' },
    'PATCH /v1/opportunities/{id}': { auth: 'user', status: 200, collection: 'opportunities' },
    'PATCH /v1/cases/{id}': { auth: 'user', status: 200, collection: 'cases' },
    'PATCH /v1/activities/{id}': { auth: 'user', status: 200, collection: 'activities' },
  },
};
export const userAuditRoutes: HandlerRoutes = {
  name: 'user-audit',
  uses: { table: true, cursors: true },
  routes: { 'GET /v1/admin/users/{username}/audit': { auth: 'user', status: 200 } },
};
export const watchRecordRoutes: HandlerRoutes = {
  name: 'watch-record',
  uses: { table: true, tableItems: true },
  routes: {
    'PUT /v1/accounts/{id}/watch': { auth: 'user', status: 204, collection: 'accounts' },
    'DELETE /v1/accounts/{id}/watch': { auth: 'user', status: 204, collection: 'accounts' },
    'PUT /v1/contacts/{id}/watch': { auth: 'user', status: 204, collection: 'contacts' },
    'DELETE /v1/contacts/{id}/watch': { auth: 'user', status: 204, collection: 'contacts' },
    'PUT /v1/leads/{id}/watch': { auth: 'user', status: 204, collection: 'leads' },
    'DELETE /v1/leads/{id}/watch': { auth: 'user', status: 204, collection: 'leads' },
    'PUT /v1/opportunities/{id}/watch': { auth: 'user', status: 204, collection: 'opportunities' },
    'DELETE /v1/opportunities/{id}/watch': { auth: 'user', status: 204, collection: 'opportunities' },
    'PUT /v1/cases/{id}/watch': { auth: 'user', status: 204, collection: 'cases' },
    'DELETE /v1/cases/{id}/watch': { auth: 'user', status: 204, collection: 'cases' },
    'PUT /v1/activities/{id}/watch': { auth: 'user', status: 204, collection: 'activities' },
    'DELETE /v1/activities/{id}/watch': { auth: 'user', status: 204, collection: 'activities' },
  },
};
