import { COLLECTION_NAMES, hasRecordRoute } from '../domain/collections.js';
import { HANDOFF_MOVE_NAMES, HANDOFF_MOVES } from '../domain/handoffs.js';
import { createSchemaOf } from '../domain/validation.js';
import { byId } from './record-routes.js';
import * as S from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/**
 * The handoff routes (routes.ts): a handoff is a record of the collection `handoffs`, but none of the
 * generic record routes serve it (collections.ts says why): these do, and the per-record list of the
 * handoffs about a record of each other collection.
 */

const createHandoff = fn('create-handoff', { table: 'RW' });
const getHandoff = fn('get-handoff', { table: 'R' });
const listHandoffs = fn('list-handoffs', { table: 'R', cursors: true });
const moveHandoff = fn('move-handoff', { table: 'RW' });
const recordHandoffs = fn('record-handoffs', { table: 'R', cursors: true });

const ETAG = { ETag: S.HEADERS.etag };
const HANDOFF = S.recordSchemaOf('handoffs');

const moveRoute = (move: (typeof HANDOFF_MOVE_NAMES)[number]): Route => {
  const { from, to, side } = HANDOFF_MOVES[move];
  return {
    method: 'POST',
    path: `/v1/handoffs/{id}/${move}`,
    handler: moveHandoff,
    auth: 'user',
    collection: 'handoffs',
    summary: `${side === 'receiver' ? 'The receiving department' : 'The requester'} moves a ${from} handoff to ${to}`,
    request: { params: byId },
    status: 200,
    response: { description: `The handoff, now ${to}`, body: HANDOFF, headers: ETAG },
    errors: {
      403:
        side === 'receiver'
          ? 'The caller is not of the receiving department'
          : 'The caller is not the requester',
      409: `The handoff is not ${from} (or moved meanwhile); nothing was written`,
    },
  };
};

export const HANDOFF_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/handoffs',
    handler: createHandoff,
    auth: 'user',
    collection: 'handoffs',
    summary: 'Ask another department to take over work on a record',
    request: { body: createSchemaOf('handoffs'), headers: { 'Idempotency-Key': S.HEADERS.idempotencyKey } },
    status: 201,
    response: {
      description: 'Requested (or the first result again, on a replay)',
      body: HANDOFF,
      headers: {
        ...ETAG,
        Location: S.HEADERS.location('handoffs'),
        'Idempotent-Replayed': S.HEADERS.replayed,
      },
    },
    errors: {
      404: 'The record it is about is absent or not visible to the caller',
      409: 'The Idempotency-Key came before with another body, or a concurrent change got there first',
    },
  },
  {
    method: 'GET',
    path: '/v1/handoffs',
    handler: listHandoffs,
    auth: 'user',
    collection: 'handoffs',
    summary: 'List handoffs the caller may see, newest first, by receiving department and status',
    request: { query: S.handoffsQuery },
    status: 200,
    response: {
      description: 'One page (handoffs the caller may not see are left out)',
      body: S.pageSchemaOf('handoffs'),
    },
  },
  {
    method: 'GET',
    path: '/v1/handoffs/{id}',
    handler: getHandoff,
    auth: 'user',
    collection: 'handoffs',
    summary: 'Get one handoff (requesting and receiving departments, admins)',
    request: { params: byId },
    status: 200,
    response: { description: 'The handoff', body: HANDOFF, headers: ETAG },
  },
  ...HANDOFF_MOVE_NAMES.map(moveRoute),
  ...COLLECTION_NAMES.filter((c) => hasRecordRoute(c, 'get')).map(
    (c): Route => ({
      method: 'GET',
      path: `/v1/${c}/{id}/handoffs`,
      handler: recordHandoffs,
      auth: 'user',
      collection: c,
      summary: `The handoffs about one of ${c} that the caller may see, newest first`,
      request: { params: byId, query: S.pagingQuery() },
      status: 200,
      response: { description: 'One page', body: S.pageSchemaOf('handoffs') },
    }),
  ),
];
