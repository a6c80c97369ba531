import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { changeable, collection } from '../support/bad-input-arbitraries.js';
import { FUZZ_RUNS, type FuzzRequest, fuzz, sendRaw, users, type Who } from '../support/fuzz-harness.js';
import {
  createFuzzTargets,
  reportTotalsAndCheckTable,
  targets,
  validCreateBody,
  validPatchBody,
} from '../support/fuzz-targets.js';

/**
 * Bad headers, generated: garbage If-Match, bad Idempotency-Key, forged Authorization, and (on a raw
 * socket) control characters in headers and over-long request lines.
 * How the replies are checked: test/support/fuzz-harness.ts.
 */
beforeAll(createFuzzTargets, 120_000);
afterAll(reportTotalsAndCheckTable);

describe('bad input never gets past validation, never breaks the server', () => {
  it(`headers: ${FUZZ_RUNS.headers} garbage If-Match, bad Idempotency-Key, forged Authorization`, async () => {
    /** What fetch can put in a header value: tab, printable ASCII and Latin-1 (no other controls). */
    const headerText = (min: number, max: number) =>
      fc.string({
        unit: fc
          .oneof(
            { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
            { weight: 2, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
            { weight: 1, arbitrary: fc.constant(0x09) },
          )
          .map((code) => String.fromCharCode(code)),
        minLength: min,
        maxLength: max,
      });
    const trimmed = (s: string) => s.replace(/^[\t ]+|[\t ]+$/g, '');
    const ifMatch = fc
      .oneof(
        fc.constantFrom(
          '"abc"',
          'W/"x"',
          '"1" "2"',
          '"1", *',
          '"-1"',
          '"1.5"',
          '"9999999999999"',
          '""',
          '"',
          '1',
          'W/1',
          'w/"1"',
          '"1"x',
          '*,*',
          '**',
          'null',
          '"1',
          '1"',
          "'1'",
          '"1"\u00a0',
        ),
        headerText(1, 40),
      )
      .filter((v) => {
        // Lists of ETags are valid If-Match (RFC 9110): only what no list of ETags could be stays.
        const members = v.split(',').map(trimmed).filter(Boolean);
        const list = members.length > 0 && members.every((m) => /^(?:W\/)?"\d{1,12}"$/.test(m));
        return trimmed(v) !== '' && trimmed(v) !== '*' && !list;
      });
    const idempotencyKey = fc
      .oneof(
        fc.constantFrom('a b', 'key with spaces', 'tab\there', 'clé', 'naïve', 'a\u00a0b'),
        fc.integer({ min: 256, max: 4000 }).map((n) => 'k'.repeat(n)),
        headerText(1, 60),
      )
      .filter((v) => {
        const t = trimmed(v);
        // fetch refuses characters above U+00FF; what it sends must be a key the contract refuses.
        return t !== '' && /^[\t\x20-\xff]*$/.test(v) && !/^[\x21-\x7e]{1,255}$/.test(t);
      });
    const token = users.get('sally')!.token;
    const [head = '', payload = '', signature = ''] = token.split('.');
    const authorization = fc.oneof(
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic c2FsbHk6cGFzcw==',
        `Token ${token}`,
        `Bearer ${token}.x`,
        `Bearer ${head}.${payload}`,
        `Bearer eyJhbGciOiJub25lIn0.${payload}.`,
        `Bearer ${head}.${payload}.`,
        `Bearer ${token} ${token}`,
      ),
      headerText(0, 80),
      fc.string({ minLength: 1, maxLength: 200 }).map((s) => `Bearer ${s.replace(/\s/g, '_')}`),
      // A real token with one character of its payload changed (never the last, whose low bits may not count).
      fc.record({ i: fc.nat(), ch: fc.constantFrom(...'AbZ09-_') }).map(({ i, ch }) => {
        const at = i % Math.max(1, payload.length - 1);
        const to = payload[at] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
        return `Bearer ${head}.${payload.slice(0, at)}${to}${payload.slice(at + 1)}.${signature}`;
      }),
    );
    const arb: fc.Arbitrary<FuzzRequest> = fc.oneof(
      fc
        .record({
          c: changeable,
          value: ifMatch,
          method: fc.constantFrom('PATCH', 'DELETE'),
          as: fc.constantFrom<Who>('ada'),
        })
        .map(
          ({ c, value, method, as }): FuzzRequest => ({
            as,
            method,
            path: `/v1/${c}/${targets[c]}`,
            headers: { 'if-match': value },
            ...(method === 'PATCH' ? { body: JSON.stringify(validPatchBody(c)) } : {}),
            expect: [400],
            label: `${method} with a garbage If-Match`,
          }),
        ),
      fc.record({ c: collection, value: idempotencyKey }).map(
        ({ c, value }): FuzzRequest => ({
          as: 'ada',
          method: 'POST',
          path: `/v1/${c}`,
          headers: { 'idempotency-key': value },
          body: JSON.stringify(validCreateBody(c)),
          expect: [400],
          label: 'POST (valid body) with a bad Idempotency-Key',
        }),
      ),
      fc
        .record({
          value: authorization,
          route: fc.constantFrom(
            'GET /v1/accounts',
            'GET /v1/me',
            'POST /v1/accounts',
            'DELETE /v1/accounts/{id}',
          ),
        })
        .map(({ value, route }): FuzzRequest => {
          const [method = 'GET', path = ''] = route.split(' ');
          return {
            method,
            path: path.replace('{id}', targets.accounts),
            headers: { authorization: value },
            ...(method === 'POST' ? { body: JSON.stringify(validCreateBody('accounts')) } : {}),
            expect: [401],
            label: `${route} with a bad Authorization`,
          };
        }),
    );
    await fuzz('headers', FUZZ_RUNS.headers, arb, [400, 401]);
  });

  it(`raw HTTP: ${FUZZ_RUNS.rawHttp} requests with control characters in headers or over-long request lines`, async () => {
    const CONTROLS = [
      ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) => ![9, 10, 13].includes(i)),
      0x7f,
    ];
    const control = fc.constantFrom(...CONTROLS).map((c) => String.fromCharCode(c));
    const arb = fc.oneof(
      fc.record({ before: fc.stringMatching(/^[a-z0-9]{1,10}$/), ch: control }).map(
        ({ before, ch }): FuzzRequest => ({
          as: 'ada',
          method: 'POST',
          path: '/v1/accounts',
          headers: { 'idempotency-key': `${before}${ch}x` },
          body: JSON.stringify(validCreateBody('accounts')),
          label: 'control character in Idempotency-Key',
        }),
      ),
      fc.record({ ch: control, c: changeable }).map(
        ({ ch, c }): FuzzRequest => ({
          as: 'ada',
          method: 'PATCH',
          path: `/v1/${c}/${targets[c]}`,
          headers: { 'if-match': `"1${ch}"` },
          body: JSON.stringify(validPatchBody(c)),
          label: 'control character in If-Match',
        }),
      ),
      fc.integer({ min: 17_000, max: 40_000 }).map(
        (n): FuzzRequest => ({
          as: 'ada',
          method: 'GET',
          path: `/v1/accounts/${'A'.repeat(n)}`,
          label: 'request line over 16 KB',
        }),
      ),
    );
    await fuzz('raw http', FUZZ_RUNS.rawHttp, arb, [400, 404, 414, 431], { send: sendRaw });
  });
});
