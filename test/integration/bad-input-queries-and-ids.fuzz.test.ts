import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { cursorKeys, queryScope, signCursor } from '../../shared/db/cursor.js';
import { type IndexQuery, listQuery, timelineQuery } from '../../shared/db/keys.js';
import { COLLECTION_NAMES, listFiltersOf } from '../../shared/domain/collections.js';
import { HANDOFF_MOVE_NAMES } from '../../shared/domain/handoffs.js';
import { anyKey, anyString, collection, pct, unknownKeyOf } from '../support/bad-input-arbitraries.js';
import { FUZZ_RUNS, type FuzzRequest, fuzz, users, type Who } from '../support/fuzz-harness.js';
import {
  createFuzzTargets,
  cursors,
  reportTotalsAndCheckTable,
  targets,
  validCreateBody,
  validPatchBody,
  WRITER,
} from '../support/fuzz-targets.js';

/**
 * Bad list and timeline queries and bad ids on every id route, generated.
 * How the replies are checked: test/support/fuzz-harness.ts.
 */
beforeAll(createFuzzTargets, 120_000);
afterAll(reportTotalsAndCheckTable);

describe('bad input never gets past validation, never breaks the server', () => {
  it(`list and timeline: ${FUZZ_RUNS.listQueries} bad queries`, async () => {
    const sallyId = users.get('sally')!.caller.userId;
    /** Query parameters, and what makes them bad (for grouping). */
    type Part = { entries: [string, string][]; kind: string };
    const part =
      (key: string, kind: string) =>
      (value: string): Part => ({ entries: [[key, value]], kind });
    /**
     * A cursor this list never gave out: edited, from another list, signed with another secret or the
     * old unkeyed checksum, or signed with the stack's own secret (as if it had leaked) but not a position.
     */
    const stackKeys = cursorKeys(inject('cursorSecret'));
    const badCursor = (q: IndexQuery, route: string): fc.Arbitrary<Part> => {
      const others = cursors.filter((c) => !c.source.startsWith(`${route}?`) || c.source.includes('ownerId'));
      const forge = (payload: unknown) =>
        signCursor(stackKeys, queryScope(q), payload as Record<string, string>);
      const position = { c: 'accounts', id: targets.accounts };
      return fc.oneof(
        fc
          .oneof(anyString, fc.base64String({ minLength: 4, maxLength: 80 }))
          .map(part('cursor', 'random cursor')),
        fc.constantFrom(...others.map((c) => c.cursor)).map(part('cursor', "another list's cursor")),
        fc
          .record({
            c: fc.constantFrom(...cursors.map((c) => c.cursor)),
            i: fc.nat(),
            ch: fc.constantFrom(...'Aa0_-.=+/'),
          })
          .map(({ c, i, ch }) => {
            const at = i % c.length;
            const to = c[at] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
            return `${c.slice(0, at)}${to}${c.slice(at + 1)}`;
          })
          .map(part('cursor', 'edited cursor')),
        // A real position, signed with another secret (a rotated one) or the old unkeyed checksum.
        fc
          .constantFrom(
            signCursor(cursorKeys('not the stack secret'), queryScope(q), position),
            (() => {
              const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
              return `${payload}.${createHash('sha256').update(payload).digest('base64url').slice(0, 16)}`;
            })(),
          )
          .map(part('cursor', 'cursor signed without the secret')),
        // Well signed, the right fields, some of them empty.
        fc
          .constantFrom(
            { c: '', id: targets.accounts },
            { c: 'accounts', id: '' },
            { c: '', id: '' },
            { s: '' },
          )
          .map(forge)
          .map(part('cursor', 'forged cursor with empty values')),
        fc
          .oneof(
            fc.dictionary(anyKey, fc.string(), { maxKeys: 4 }),
            fc.constant({ ...position, x: 'extra' }),
            fc.constant({ c: 'accounts', id: 'y'.repeat(1025) }),
            fc.constant({ c: 'users', id: targets.accounts }),
            fc.constant({ c: 'accounts', id: 7 }),
            fc.constant({ PK: `ACCOUNT#${targets.accounts}`, SK: 'RECORD', GSI1PK: 'accounts' }),
            fc.constant({ s: 'A'.repeat(120) }),
            fc.oneof(fc.array(fc.string()), fc.string(), fc.integer(), fc.constant(null)),
          )
          .map((payload) => forge(payload))
          .map(part('cursor', 'forged cursor of the wrong shape')),
      );
    };
    const badLimit = fc
      .oneof(
        fc.constantFrom(
          '0',
          '101',
          '-1',
          '1.5',
          'abc',
          '',
          '1e2',
          ' 5',
          '5 ',
          '٣',
          '0x10',
          '1000',
          '+5',
          'NaN',
          '0010',
          '5,6',
        ),
        fc.integer({ min: 101, max: 2_000_000_000 }).map(String),
        fc.integer({ min: -1_000_000, max: 0 }).map(String),
        anyString.filter((s) => !(/^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= 100)),
      )
      .map(part('limit', 'bad limit'));
    const listRoute = collection.chain((c) => {
      const filters = listFiltersOf(c);
      const allowed = ['limit', 'cursor', ...filters];
      const parts: fc.Arbitrary<Part>[] = [
        badLimit,
        badCursor(listQuery(c, { by: 'all' }), `/v1/${c}`),
        fc
          .tuple(unknownKeyOf([...allowed, '__proto__']), anyString)
          .map(([key, value]): Part => ({ entries: [[key, value]], kind: 'unknown parameter' })),
        fc
          .tuple(fc.constantFrom(...filters), fc.constantFrom('', 'f'.repeat(129), 'g'.repeat(5000)))
          .map(([key, value]): Part => ({ entries: [[key, value]], kind: 'filter value empty or over 128' })),
      ];
      if (filters.length > 1) {
        parts.push(
          // Two different filters, each with a fine value: only their number is wrong.
          fc.shuffledSubarray(filters, { minLength: 2, maxLength: 2 }).map(
            (fs): Part => ({
              entries: fs.map((f): [string, string] => [f, f === 'ownerId' ? sallyId : 'prospect']),
              kind: 'two filters',
            }),
          ),
        );
      }
      return fc
        .array(fc.oneof(...parts), { minLength: 1, maxLength: 3 })
        .map((ps) => ({ path: `/v1/${c}`, route: 'list', parts: ps }));
    });
    const timelineRoute = fc
      .array(
        fc.oneof(
          badLimit,
          badCursor(timelineQuery(targets.accounts), `/v1/accounts/${targets.accounts}/timeline`),
          fc
            .tuple(unknownKeyOf(['limit', 'cursor', '__proto__']), anyString)
            .map(([key, value]): Part => ({ entries: [[key, value]], kind: 'unknown parameter' })),
          fc.constantFrom<Part>(
            { entries: [['ownerId', sallyId]], kind: 'list filter' },
            { entries: [['status', 'open']], kind: 'list filter' },
          ),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((ps) => ({ path: `/v1/accounts/${targets.accounts}/timeline`, route: 'timeline', parts: ps }));
    const arb = fc
      .oneof({ weight: 4, arbitrary: listRoute }, { weight: 1, arbitrary: timelineRoute })
      .map(({ path, route, parts }): FuzzRequest => {
        // One value per key (a repeated key would be joined with a comma and might turn valid).
        const seen = new Set<string>();
        const query = new URLSearchParams();
        const kinds = new Set<string>();
        for (const { entries, kind } of parts) {
          if (entries.some(([key]) => seen.has(key))) continue;
          kinds.add(kind);
          for (const [key, value] of entries) {
            seen.add(key);
            query.append(key, value);
          }
        }
        return {
          as: 'ada',
          method: 'GET',
          path: `${path}?${query}`,
          label: `${route} with ${[...kinds].sort().join(' & ')}`,
        };
      });
    // Every run tries a forged cursor (well signed, the right fields, empty values) alone.
    const emptyKeys = (q: IndexQuery) => signCursor(stackKeys, queryScope(q), { c: '', id: '' });
    const examples: FuzzRequest[] = [
      {
        as: 'ada',
        method: 'GET',
        path: `/v1/accounts?cursor=${emptyKeys(listQuery('accounts', { by: 'all' }))}`,
        label: 'list with forged cursor with empty values',
      },
      {
        as: 'ada',
        method: 'GET',
        path: `/v1/accounts/${targets.accounts}/timeline?cursor=${emptyKeys(timelineQuery(targets.accounts))}`,
        label: 'timeline with forged cursor with empty values',
      },
    ];
    await fuzz('list queries', FUZZ_RUNS.listQueries, arb, [400], { examples });
  });

  it(`ids: ${FUZZ_RUNS.ids} bad, traversal-like, unicode, very long and near-miss ids on every id route`, async () => {
    const nearMiss = fc
      .constantFrom(...COLLECTION_NAMES)
      .chain((c) =>
        fc.constantFrom(
          `${targets[c]} `,
          ` ${targets[c]}`,
          `${targets[c]}\n`,
          targets[c].toLowerCase(),
          `${targets[c]}#RECORD`,
          `${targets[c]}/`,
          `${targets[c]}0`,
          targets[c].slice(1),
          `../${c}/${targets[c]}`,
        ),
      );
    const encodedId = fc.oneof(
      anyString,
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom(
        '',
        '...',
        '.hidden',
        '../..',
        '../../../../etc/passwd',
        '..\\..\\windows\\win.ini',
        '%2e%2e%2f',
        '....//',
        '/etc/passwd',
        'ACCOUNT#x',
        'RECORD',
        '*',
        '\u0000',
        'null',
        'undefined',
        '[object Object]',
        '$(reboot)',
        "' OR '1'='1",
      ),
      fc.integer({ min: 300, max: 6000 }).map((n) => 'A'.repeat(n)),
      fc.string({ unit: 'grapheme', minLength: 300, maxLength: 900 }),
      fc.ulid().map((u) => u.toLowerCase()),
      fc.ulid(),
      nearMiss,
    );
    const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
    /** Not percent-encoded: malformed or non-UTF-8 escapes, as a client may send them. */
    const rawId = fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
        fc.constantFrom('%', '%2', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%80', '%%'),
        fc.stringMatching(/^[A-Za-z0-9]{0,8}$/),
      )
      .map((parts) => ({ id: parts.join(''), kind: 'raw id with a malformed or non-UTF-8 %-escape' }));
    const id = fc.oneof(
      {
        weight: 6,
        arbitrary: encodedId
          .map(pct)
          // A whole segment of `.` or `..` (or %2e forms) is path syntax, not an id: every client and API
          // Gateway resolve it before routing (`/v1/accounts/../handoffs` is `/v1/handoffs`, a real route).
          .filter((p) => p.length <= 10_000 && !DOT_SEGMENT.test(p))
          .map((p) => ({ id: p, kind: 'percent-encoded bad id' })),
      },
      { weight: 1, arbitrary: rawId },
    );
    const arb = fc
      .record({
        id,
        c: collection,
        ada: fc.boolean(),
        route: fc.constantFrom(
          'get',
          'patch',
          'delete',
          'timeline',
          'convert',
          'handoffs',
          'move',
          'comments',
          'comment',
          'watch',
          'read',
        ),
        move: fc.constantFrom(...HANDOFF_MOVE_NAMES),
      })
      .map(({ id: { id, kind }, c, ada, route, move }): FuzzRequest => {
        // The admin, or a user who may write the collection (or convert leads, or move a handoff to
        // support), so that a missing record is the only reason to refuse: 404, as for any id the caller cannot see.
        const as: Who = ada
          ? 'ada'
          : route === 'move'
            ? 'sue'
            : route === 'convert' || route === 'timeline'
              ? 'sally'
              : WRITER[c];
        const label = `${route} with a ${kind}`;
        switch (route) {
          case 'get':
            return { as, label, method: 'GET', path: `/v1/${c}/${id}` };
          case 'patch':
            return {
              as,
              label,
              method: 'PATCH',
              path: `/v1/${c}/${id}`,
              body: JSON.stringify(validPatchBody(c)),
            };
          case 'delete':
            return { as, label, method: 'DELETE', path: `/v1/${c}/${id}` };
          case 'timeline':
            return { as, label, method: 'GET', path: `/v1/accounts/${id}/timeline` };
          case 'handoffs':
            return { as, label, method: 'GET', path: `/v1/${c}/${id}/handoffs` };
          case 'comments':
            return { as, label, method: 'GET', path: `/v1/${c}/${id}/comments` };
          case 'comment':
            return {
              as,
              label,
              method: 'PATCH',
              path: `/v1/accounts/${targets.accounts}/comments/${id}`,
              body: JSON.stringify(validCreateBody('comments')),
            };
          case 'watch':
            return { as, label, method: 'PUT', path: `/v1/${c}/${id}/watch` };
          case 'read':
            return { as, label, method: 'POST', path: `/v1/notifications/${id}/read` };
          case 'move':
            return {
              as,
              label: `${move} with a ${kind}`,
              method: 'POST',
              path: `/v1/handoffs/${id}/${move}`,
            };
          default:
            return { as, label, method: 'POST', path: `/v1/leads/${id}/convert`, body: '{}' };
        }
      });
    const examples = ['%E0%A4%A', '%zz', '%'].map(
      (id): FuzzRequest => ({
        as: 'ada',
        method: 'GET',
        path: `/v1/accounts/${id}`,
        label: 'get with a raw id with a malformed or non-UTF-8 %-escape',
      }),
    );
    await fuzz('ids', FUZZ_RUNS.ids, arb, [404], { examples });
  });
});

// ── The change feed and the audit trail ─────────────────────────────────────────────────────────
/** Bad queries of GET /v1/changes and GET /v1/audit, generated: every one is a 400. */
const CHANGE_LOG_RUNS = 100;

describe('bad change feed and audit queries never get past validation', () => {
  it(`changes and audit: ${CHANGE_LOG_RUNS} bad queries`, async () => {
    // Prepare: real cursors of other lists and of another department's feed
    const salesFeed = await users.get('sally')!.client.get<{ nextCursor: string }>('/v1/changes?limit=1');
    const foreign = [...cursors.map((c) => c.cursor), salesFeed.body.nextCursor];
    const badLimit = fc.oneof(
      fc.constantFrom('0', '101', '-1', '1.5', 'abc', '', ' 5', '1e2'),
      anyString.filter((s) => !/^\d{1,3}$/.test(s)),
    );
    const badCursor = fc.oneof(anyString, fc.constantFrom(...foreign));
    type Entry = [string, string];
    const changes = fc
      .oneof(
        badLimit.map((v): Entry[] => [['limit', v]]),
        badCursor.map((v): Entry[] => [['since', v]]),
        fc.tuple(unknownKeyOf(['limit', 'since', '__proto__']), anyString).map((e): Entry[] => [e]),
      )
      .map((entries) => ({ path: '/v1/changes', as: 'mark' as Who, entries, label: 'changes' }));
    const record = `collection=accounts&id=${targets.accounts}`;
    const audit = fc
      .oneof(
        badLimit.map((v): Entry[] => [['limit', v]]),
        badCursor.map((v): Entry[] => [['cursor', v]]),
        anyString
          .filter((s) => !(COLLECTION_NAMES as readonly string[]).includes(s))
          .map((v): Entry[] => [['collection', v]]),
        anyString.map((v): Entry[] => [['id', `${v}!`]]),
        fc
          .tuple(unknownKeyOf(['collection', 'id', 'limit', 'cursor', '__proto__']), anyString)
          .map((e): Entry[] => [e]),
      )
      .map((entries) => ({ path: '/v1/audit', as: 'ada' as Who, entries, label: 'audit' }));
    const arb = fc.oneof(changes, audit).map(({ path, as, entries, label }): FuzzRequest => {
      const query = new URLSearchParams(path === '/v1/audit' ? record : '');
      for (const [key, value] of entries) query.set(key, value);
      return { as, method: 'GET', path: `${path}?${query}`, label: `${label} with a bad ${entries[0]![0]}` };
    });

    // Act / Assess
    await fuzz('change log queries', CHANGE_LOG_RUNS, arb, [400]);
  });
});
