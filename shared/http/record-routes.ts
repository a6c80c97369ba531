import * as z from 'zod/mini';
import { type CollectionName, hasRecordRoute, type RecordRouteKind } from '../domain/collections.js';
import { id } from '../domain/fields.js';
import { createSchemaOf, patchSchemaOf } from '../domain/validation.js';
import * as S from './route-schemas.js';
import { defineHandler as fn, type Route } from './route-types.js';

/** The five routes of every collection (routes.ts), and their handlers, each serving every collection. */

const createRecord = fn('create-record', { table: 'RW' });
const getRecord = fn('get-record', { table: 'R' });
const updateRecord = fn('update-record', { table: 'RW' });
const deleteRecord = fn('delete-record', { table: 'RW' });
const listRecords = fn('list-records', { table: 'R', cursors: true });

export const byId = z.strictObject({ id: id() });
const IF_MATCH = { 'If-Match': S.HEADERS.ifMatch };
const ETAG = { ETag: S.HEADERS.etag };

/** The generic routes that serve collection c (a collection may leave some to routes of its own). */
export const recordRoutes = (c: CollectionName): Route[] =>
  genericRoutes(c).filter((route) => hasRecordRoute(c, ROUTE_KIND[route.handler.name]!));

const ROUTE_KIND: Record<string, RecordRouteKind> = {
  [createRecord.name]: 'create',
  [getRecord.name]: 'get',
  [updateRecord.name]: 'patch',
  [deleteRecord.name]: 'delete',
  [listRecords.name]: 'list',
};

const genericRoutes = (c: CollectionName): Route[] => [
  {
    method: 'POST',
    path: `/v1/${c}`,
    handler: createRecord,
    auth: 'user',
    collection: c,
    summary: `Create a record in ${c}`,
    request: { body: createSchemaOf(c), headers: { 'Idempotency-Key': S.HEADERS.idempotencyKey } },
    status: 201,
    response: {
      description: 'Created (or the first result again, on a replay)',
      body: S.recordSchemaOf(c),
      headers: { ...ETAG, Location: S.HEADERS.location(c), 'Idempotent-Replayed': S.HEADERS.replayed },
    },
    errors: {
      409: 'The Idempotency-Key came before with another body, or a concurrent change got there first',
    },
  },
  {
    method: 'GET',
    path: `/v1/${c}`,
    handler: listRecords,
    auth: 'user',
    collection: c,
    summary: `List ${c}, newest first`,
    request: { query: S.listQueryOf(c) },
    status: 200,
    response: { description: 'One page', body: S.pageSchemaOf(c) },
    errors: { 403: `The caller may not read ${c}` },
  },
  {
    method: 'GET',
    path: `/v1/${c}/{id}`,
    handler: getRecord,
    auth: 'user',
    collection: c,
    summary: `Get one of ${c}`,
    request: { params: byId },
    status: 200,
    response: { description: 'The record', body: S.recordSchemaOf(c), headers: ETAG },
  },
  {
    method: 'PATCH',
    path: `/v1/${c}/{id}`,
    handler: updateRecord,
    auth: 'user',
    collection: c,
    summary: `Change one of ${c} (JSON merge patch)`,
    request: {
      params: byId,
      body: patchSchemaOf(c),
      mediaTypes: ['application/merge-patch+json', 'application/json'],
      headers: IF_MATCH,
    },
    status: 200,
    response: { description: 'The record as changed', body: S.recordSchemaOf(c), headers: ETAG },
    errors: { 409: 'The record is in a final state, or a concurrent change got there first' },
  },
  {
    method: 'DELETE',
    path: `/v1/${c}/{id}`,
    handler: deleteRecord,
    auth: 'user',
    collection: c,
    summary: `Delete one of ${c}`,
    request: { params: byId, headers: IF_MATCH },
    status: 204,
    response: { description: 'Deleted' },
  },
];
