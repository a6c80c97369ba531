import * as z from 'zod/mini';
import { COMMENT_KEY_PREFIX, NOTIFICATION_KEY_PREFIX, WATCH_KEY_PREFIX } from '../db/keys.js';
import { COMMENTABLE_COLLECTIONS, type CommentableCollection } from '../domain/collections.js';
import { commentRequest } from '../domain/comments.js';
import { id } from '../domain/fields.js';
import { byId } from './record-routes.js';
import * as S from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The collaboration routes (routes.ts): comments and watching under each record that has a GET route,
 * and the caller's notifications. Writes are confined to their own items (IAM's LeadingKeys on the key
 * prefix); reads of the record go through the table's read grant.
 */

const updatesOwn = (keyPrefix: string) => ({ actions: ['dynamodb:UpdateItem'], keyPrefix });

// The create is one TransactWriteItems: a ConditionCheck of the record (the read grant) and the Put.
const createComment = fn('create-comment', {
  table: 'R',
  tableItems: { actions: ['dynamodb:PutItem'], keyPrefix: COMMENT_KEY_PREFIX },
});
const listComments = fn('list-comments', { table: 'R', cursors: true });
const updateComment = fn('update-comment', { table: 'R', tableItems: updatesOwn(COMMENT_KEY_PREFIX) });
const deleteComment = fn('delete-comment', { table: 'R', tableItems: updatesOwn(COMMENT_KEY_PREFIX) });
const watchRecord = fn('watch-record', {
  table: 'R',
  tableItems: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], keyPrefix: WATCH_KEY_PREFIX },
});
const listNotifications = fn('list-notifications', { table: 'R', cursors: true });
const readNotification = fn('read-notification', { tableItems: updatesOwn(NOTIFICATION_KEY_PREFIX) });
const readAllNotifications = fn('read-all-notifications', {
  table: 'R',
  tableItems: updatesOwn(NOTIFICATION_KEY_PREFIX),
});

const byComment = z.strictObject({ id: id(), commentId: id() });
const IF_MATCH = { 'If-Match': S.HEADERS.ifMatch };
const ETAG = { ETag: S.HEADERS.etag };
const COMMENT = S.recordSchemaOf('comments');

const recordCollaborationRoutes = (c: CommentableCollection): Route[] => [
  {
    method: 'POST',
    path: `/v1/${c}/{id}/comments`,
    handler: createComment,
    auth: 'user',
    collection: c,
    summary: `Comment on one of ${c} (plain text; @username mentions notify)`,
    request: { params: byId, body: commentRequest },
    status: 201,
    response: {
      description: 'Created',
      body: COMMENT,
      headers: { ...ETAG, Location: S.commentLocation },
    },
  },
  {
    method: 'GET',
    path: `/v1/${c}/{id}/comments`,
    handler: listComments,
    auth: 'user',
    collection: c,
    summary: `The comments on one of ${c}, newest first`,
    request: { params: byId, query: S.pagingQuery() },
    status: 200,
    response: { description: 'One page', body: S.pageSchemaOf('comments') },
  },
  {
    method: 'PATCH',
    path: `/v1/${c}/{id}/comments/{commentId}`,
    handler: updateComment,
    auth: 'user',
    collection: c,
    summary: 'Edit your own comment',
    request: { params: byComment, body: commentRequest, headers: IF_MATCH },
    status: 200,
    response: { description: 'The comment as changed', body: COMMENT, headers: ETAG },
    errors: { 403: 'The comment is not yours' },
  },
  {
    method: 'DELETE',
    path: `/v1/${c}/{id}/comments/{commentId}`,
    handler: deleteComment,
    auth: 'user',
    collection: c,
    summary: 'Delete your own comment (admins: every comment)',
    request: { params: byComment, headers: IF_MATCH },
    status: 204,
    response: { description: 'Deleted' },
    errors: { 403: 'The comment is not yours' },
  },
  ...(['PUT', 'DELETE'] as const).map(
    (method): Route => ({
      method,
      path: `/v1/${c}/{id}/watch`,
      handler: watchRecord,
      auth: 'user',
      collection: c,
      summary:
        method === 'PUT'
          ? `Watch one of ${c}: be notified of changes to it by others (idempotent)`
          : `Stop watching one of ${c} (idempotent)`,
      request: { params: byId },
      status: 204,
      response: { description: method === 'PUT' ? 'Watching' : 'Not watching' },
    }),
  ),
];

export const COLLABORATION_ROUTES: readonly Route[] = [
  ...COMMENTABLE_COLLECTIONS.flatMap(recordCollaborationRoutes),
  {
    method: 'GET',
    path: '/v1/notifications',
    handler: listNotifications,
    auth: 'user',
    summary: "The caller's notifications, newest first",
    request: { query: S.notificationsQuery },
    status: 200,
    response: { description: 'One page', body: S.notificationsPage },
  },
  {
    method: 'POST',
    path: '/v1/notifications/read-all',
    handler: readAllNotifications,
    auth: 'user',
    summary: "Mark all of the caller's notifications read",
    status: 200,
    response: { description: 'Marked', body: S.markedRead },
  },
  {
    method: 'POST',
    path: '/v1/notifications/{id}/read',
    handler: readNotification,
    auth: 'user',
    summary: 'Mark one notification read (idempotent)',
    request: { params: byId },
    status: 204,
    response: { description: 'Read' },
  },
];
