import { DELIVERY_STATUSES } from '../config/channels.js';
import { DEPARTMENTS, isDepartment } from '../config/departments.js';
import { LIMITS } from '../config/limits.js';
import { isReportName, type ReportName } from '../config/reports.js';
import {
  COLLECTION_NAMES,
  type CollectionName,
  HANDOFF_STATUSES,
  isCollection,
  listFiltersOf,
} from '../domain/collections.js';
import { type HandoffMove, isHandoffMove } from '../domain/handoffs.js';
import { isId } from '../domain/ids.js';
import type { AuditQuery } from '../domain/use-cases/audit-trail.js';
import type { ChangesQuery } from '../domain/use-cases/change-feed.js';
import type { DeliveriesQuery } from '../domain/use-cases/channels.js';
import type { HandoffListQuery } from '../domain/use-cases/handoffs.js';
import type { ListQuery, PageQuery } from '../domain/use-cases/read-records.js';
import type { FieldError } from '../domain/validation.js';
import type { ApiRequest } from './api-handler.js';
import { problems } from './problems.js';

/**
 * What the adapters read from a request before they call a use case: ids, the If-Match and
 * Idempotency-Key headers, the query of a list. Malformed input is a 400 naming the header or
 * parameter (404 for an id, which can name no record); the use cases get the parsed values only.
 */

/** What is parsed here: the request's path parameters, query and headers. */
export type RequestParts = Pick<ApiRequest, 'params' | 'query' | 'header'>;

/** A malformed id can name no record: 404, like any id the caller cannot see. */
export function recordId(request: RequestParts): string {
  const id = request.params.id;
  if (!id || !isId(id)) throw problems.notFound('No such record.');
  return id;
}

/** Most ETags one If-Match may list: far below DynamoDB's 100 operands of IN, and more than any client needs. */
const MAX_IF_MATCH_TAGS = 20;
/** One of our ETags, strong or weak: `"<version>"`, digits as etagOf writes them (no sign, no leading 0). */
const ETAG = /^(W\/)?"(0|[1-9]\d{0,11})"$/;
const OWS = /^[ \t]+|[ \t]+$/g;

export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * `If-Match` (RFC 9110 §13.1.1) → the versions the write may replace; undefined when absent or `*`
 * (`*` matches any existing record). A list matches when any member does. The comparison is strong,
 * as the RFC requires: `W/"3"` is well-formed but matches nothing, so weak tags alone always get 412.
 * Anything but a list of our ETags is malformed (400): no version could ever match it.
 */
export function parseIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined || header.replace(OWS, '') === '*') return undefined;
  // RFC 9110 §5.6.1: members are split on commas with optional whitespace; empty members are ignored.
  const members = header
    .split(',')
    .map((m) => m.replace(OWS, ''))
    .filter(Boolean);
  const tags = members.map((m) => ETAG.exec(m));
  if (members.length === 0 || members.length > MAX_IF_MATCH_TAGS || tags.some((t) => !t))
    throw problems.badRequest('The If-Match header is invalid.', [
      { path: 'If-Match', message: `must be * or a list of up to ${MAX_IF_MATCH_TAGS} ETags like "3"` },
    ]);
  const strong = tags.flatMap((t) => (t && !t[1] ? [Number(t[2])] : []));
  return [...new Set(strong)];
}

export const ifMatch = (request: RequestParts) => parseIfMatch(request.header('if-match'));

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** `Idempotency-Key`: 1–255 visible ASCII characters, or none. */
export function idempotencyKey(request: RequestParts): string | undefined {
  const key = request.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
    throw problems.badRequest('The request is invalid.', [
      { path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
    ]);
  return key;
}

function pageLimit(raw: string | undefined, errors: FieldError[]): number {
  if (raw === undefined) return LIMITS.pageSizeDefault;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= LIMITS.pageSizeMax))
    errors.push({ path: 'limit', message: `must be a whole number from 1 to ${LIMITS.pageSizeMax}` });
  return n;
}

function unknownParameters(
  query: RequestParts['query'],
  known: readonly string[],
  message: string,
): FieldError[] {
  return Object.keys(query)
    .filter((key) => !known.includes(key))
    .map((path) => ({ path, message }));
}

function parsed<T>(query: T, errors: FieldError[]): T {
  if (errors.length) throw problems.invalidQuery(errors);
  return query;
}

/** `GET /v1/{collection}`: limit, cursor and at most one filter, each served by its own index. */
export function listQuery(request: RequestParts, collection: CollectionName): ListQuery {
  const { query } = request;
  const filters = listFiltersOf(collection);
  const errors: FieldError[] = [];
  const limit = pageLimit(query.limit, errors);
  errors.push(
    ...unknownParameters(query, ['limit', 'cursor', ...filters], `is not a filter of ${collection}`),
  );
  const given = filters.filter((f) => query[f] !== undefined);
  if (given.length > 1)
    errors.push({ path: given[1]!, message: 'only one filter at a time (each is an index)' });
  const field = given[0];
  const value = field === undefined ? undefined : query[field];
  if (field !== undefined && (!value || value.length > 128))
    errors.push({ path: field, message: 'must be 1–128 characters' });
  const filter = field !== undefined && value !== undefined ? { field, value } : undefined;
  return parsed({ limit, cursor: query.cursor, filter }, errors);
}

/** `GET /v1/accounts/{id}/timeline`: limit and cursor. */
export function timelineQuery(request: RequestParts): PageQuery {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'cursor'], 'is not a parameter of the timeline');
  const limit = pageLimit(query.limit, errors);
  return parsed({ limit, cursor: query.cursor }, errors);
}

/** `GET /v1/admin/users`: limit (at most `max`, the directory's page) and cursor. */
export function usersQuery(request: RequestParts, max: number): PageQuery {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'cursor'], 'is not a parameter of this list');
  const limit = query.limit === undefined ? LIMITS.pageSizeDefault : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    errors.push({ path: 'limit', message: `must be a whole number from 1 to ${max}` });
  return parsed({ limit, cursor: query.cursor }, errors);
}

/** `GET /v1/{collection}/{id}/handoffs`: limit and cursor. */
export function recordHandoffsQuery(request: RequestParts): PageQuery {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'cursor'], 'is not a parameter of this list');
  const limit = pageLimit(query.limit, errors);
  return parsed({ limit, cursor: query.cursor }, errors);
}

const isHandoffStatus = (value: string) => HANDOFF_STATUSES.find((s) => s === value);

/** `GET /v1/handoffs`: limit, cursor, `toDept` (a department) and `status` (a handoff's), either or both. */
export function handoffsQuery(request: RequestParts): HandoffListQuery {
  const { query } = request;
  const errors = unknownParameters(
    query,
    ['limit', 'cursor', 'toDept', 'status'],
    'is not a filter of handoffs',
  );
  const limit = pageLimit(query.limit, errors);
  const { toDept, status } = query;
  if (toDept !== undefined && !isDepartment(toDept))
    errors.push({ path: 'toDept', message: `must be one of: ${DEPARTMENTS.join(', ')}` });
  if (status !== undefined && !isHandoffStatus(status))
    errors.push({ path: 'status', message: `must be one of: ${HANDOFF_STATUSES.join(', ')}` });
  return parsed(
    {
      limit,
      cursor: query.cursor,
      toDept: toDept !== undefined && isDepartment(toDept) ? toDept : undefined,
      status: status === undefined ? undefined : isHandoffStatus(status),
    },
    errors,
  );
}

/** The move a handoff action route makes: the last segment of its path (`…/{id}/accept`). */
export function handoffMove(request: Pick<ApiRequest, 'route'>): HandoffMove {
  const move = request.route.path.split('/').at(-1);
  if (!isHandoffMove(move)) throw new Error(`route ${request.route.path} is no handoff move`);
  return move;
}

/** `GET /v1/changes`: limit and since (the previous page's nextCursor). */
export function changesQuery(request: RequestParts): ChangesQuery {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'since'], 'is not a parameter of the change feed');
  const limit = pageLimit(query.limit, errors);
  return parsed({ limit, since: query.since }, errors);
}

/** `GET /v1/audit`: the record (collection and id), limit and cursor. */
export function auditQuery(request: RequestParts): AuditQuery {
  const { query } = request;
  const errors = unknownParameters(
    query,
    ['collection', 'id', 'limit', 'cursor'],
    'is not a parameter of the audit trail',
  );
  const limit = pageLimit(query.limit, errors);
  const { collection = '', id = '' } = query;
  if (!isCollection(collection))
    errors.push({ path: 'collection', message: `must be one of ${COLLECTION_NAMES.join(', ')}` });
  if (!isId(id)) errors.push({ path: 'id', message: 'must be a record id' });
  const parsedQuery = { collection: isCollection(collection) ? collection : COLLECTION_NAMES[0], id, limit };
  return parsed({ ...parsedQuery, cursor: query.cursor }, errors);
}

// ── Collaboration: comments and notifications ──────────────────────────────────────────────────

/** The `{commentId}` of a comment route: malformed names no comment (404). */
export function commentId(request: RequestParts): string {
  const id = request.params.commentId;
  if (!id || !isId(id)) throw problems.notFound('No such comment.');
  return id;
}

/** `GET /v1/{collection}/{id}/comments`: limit and cursor. */
export function commentsQuery(request: RequestParts): PageQuery {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'cursor'], 'is not a parameter of this list');
  const limit = pageLimit(query.limit, errors);
  return parsed({ limit, cursor: query.cursor }, errors);
}

/** `GET /v1/notifications`: limit, cursor and `unread` (true or false). */
export function notificationsQuery(request: RequestParts): PageQuery & { unread: boolean } {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'cursor', 'unread'], 'is not a parameter of this list');
  const limit = pageLimit(query.limit, errors);
  const { unread } = query;
  if (unread !== undefined && unread !== 'true' && unread !== 'false')
    errors.push({ path: 'unread', message: 'must be true or false' });
  return parsed({ limit, cursor: query.cursor, unread: unread === 'true' }, errors);
}

/** The `{id}` of a notification route: malformed names no notification (404). */
export function notificationId(request: RequestParts): string {
  const id = request.params.id;
  if (!id || !isId(id)) throw problems.notFound('No such notification.');
  return id;
}

// ── Channels ──────────────────────────────────────────────────────────────────────────────────

const isDeliveryStatus = (value: string) => DELIVERY_STATUSES.find((s) => s === value);

/** `GET /v1/admin/channels/{dept}/deliveries`: limit, cursor and `status` (a delivery's). */
export function deliveriesQuery(request: RequestParts): DeliveriesQuery {
  const { query } = request;
  const errors = unknownParameters(query, ['limit', 'cursor', 'status'], 'is not a parameter of this list');
  const limit = pageLimit(query.limit, errors);
  const status = query.status === undefined ? undefined : isDeliveryStatus(query.status);
  if (query.status !== undefined && !status)
    errors.push({ path: 'status', message: `must be one of: ${DELIVERY_STATUSES.join(', ')}` });
  return parsed({ limit, cursor: query.cursor, status }, errors);
}

// ── Reports ──────────────────────────────────────────────────────────────────────────────────────

/** A report's name from the path: an unknown one names no report (404). */
export function reportName(request: RequestParts): ReportName {
  const name = request.params.name;
  if (!name || !isReportName(name)) throw problems.notFound('No such report.');
  return name;
}
