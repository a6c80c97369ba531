import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/config/limits.js';
import { newId } from '../../shared/domain/ids.js';
import { HttpProblem } from '../../shared/http/problems.js';
import {
  idempotencyKey,
  listQuery,
  type RequestParts,
  recordId,
  timelineQuery,
  usersQuery,
} from '../../shared/http/request-parsing.js';

/** A request as the adapters see it: path parameters, query and headers (lower-case names). */
const request = (parts: {
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}): RequestParts => ({
  params: parts.params ?? {},
  query: parts.query ?? {},
  header: (name) => parts.headers?.[name],
});

/** The problem a parse throws: its status and the paths its errors name. */
function refusal(parse: () => unknown) {
  try {
    parse();
  } catch (error) {
    if (error instanceof HttpProblem)
      return { status: error.statusCode, paths: error.errors?.map((e) => e.path) };
    throw error;
  }
  throw new Error('parsed without a problem');
}

describe('list queries: parsed by the adapter, one filter, limit 1–100', () => {
  it('gives the use case a limit, the cursor as sent and the one filter', () => {
    // Act
    const query = listQuery(request({ query: { limit: '10', cursor: 'abc.def', status: 'open' } }), 'cases');

    // Assess
    expect(query).toEqual({ limit: 10, cursor: 'abc.def', filter: { field: 'status', value: 'open' } });
    expect(listQuery(request({}), 'accounts')).toEqual({
      limit: LIMITS.pageSizeDefault,
      cursor: undefined,
      filter: undefined,
    });
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['a bad limit', { limit: '0' }, ['limit']],
    ['an unknown parameter', { colour: 'red' }, ['colour']],
    ['two filters', { ownerId: 'u-1', accountId: newId() }, ['accountId']],
    ['an empty filter value', { ownerId: '' }, ['ownerId']],
    ['a filter value over 128 characters', { ownerId: 'x'.repeat(129) }, ['ownerId']],
    ['a filter of another collection', { stage: 'won' }, ['stage']],
    ['all at once, limit first', { limit: 'abc', colour: 'red' }, ['limit', 'colour']],
  ])('refuses %s: 400 naming each parameter', (_, query, paths) => {
    expect(refusal(() => listQuery(request({ query }), 'cases'))).toEqual({ status: 400, paths });
  });
});

describe('timeline and users queries', () => {
  it('take limit and cursor only', () => {
    expect(timelineQuery(request({ query: { limit: '5' } }))).toEqual({ limit: 5, cursor: undefined });
    expect(refusal(() => timelineQuery(request({ query: { ownerId: 'u-1', limit: '101' } })))).toEqual({
      status: 400,
      paths: ['ownerId', 'limit'],
    });
  });

  it('bounds the users list by the directory page (60)', () => {
    expect(usersQuery(request({ query: { limit: '60' } }), 60)).toEqual({ limit: 60, cursor: undefined });
    expect(refusal(() => usersQuery(request({ query: { limit: '61' } }), 60))).toEqual({
      status: 400,
      paths: ['limit'],
    });
  });
});

describe('ids and Idempotency-Key', () => {
  it('a malformed id names no record: 404', () => {
    const id = newId();
    expect(recordId(request({ params: { id } }))).toBe(id);
    expect(refusal(() => recordId(request({ params: { id: 'not-an-id' } })))).toEqual({
      status: 404,
      paths: undefined,
    });
    expect(refusal(() => recordId(request({})))).toEqual({ status: 404, paths: undefined });
  });

  it.each(['', 'a b', 'clé', 'k'.repeat(256)])('refuses the key %j: 400 naming Idempotency-Key', (key) => {
    expect(refusal(() => idempotencyKey(request({ headers: { 'idempotency-key': key } })))).toEqual({
      status: 400,
      paths: ['Idempotency-Key'],
    });
  });

  it('takes a key of visible ASCII, or none', () => {
    expect(idempotencyKey(request({ headers: { 'idempotency-key': 'order-42/retry#1' } }))).toBe(
      'order-42/retry#1',
    );
    expect(idempotencyKey(request({}))).toBeUndefined();
  });
});
