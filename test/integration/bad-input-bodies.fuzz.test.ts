import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmRecord, SERVER_FIELDS } from '../../shared/domain/collections.js';
import { privacyBody } from '../../shared/domain/privacy.js';
import {
  anyString,
  badCreateBody,
  badEntry,
  badIdString,
  badPatchBody,
  changeable,
  collection,
  deepNesting,
  fieldsOf,
  json,
  notAnObject,
  unknownKeyOf,
  writerOrAdmin,
} from '../support/bad-input-arbitraries.js';
import {
  FUZZ_RUNS,
  type FuzzRequest,
  fuzz,
  send,
  shapeOf,
  users,
  type Who,
} from '../support/fuzz-harness.js';
import {
  commentsPath,
  createFuzzTargets,
  qualifiedLeads,
  reportTotalsAndCheckTable,
  targets,
  validCreateBody,
  validPatchBody,
  WRITER,
} from '../support/fuzz-targets.js';
import type { RawReply } from '../support/problem-check.js';

/**
 * Bad bodies, generated: create and patch bodies, raw text under JSON and other content types, lead
 * conversion bodies, and bodies over the size limit.
 * How the replies are checked: test/support/fuzz-harness.ts.
 */
beforeAll(createFuzzTargets, 120_000);
afterAll(reportTotalsAndCheckTable);

describe('bad input never gets past validation, never breaks the server', () => {
  it(`create: ${FUZZ_RUNS.createBodies} bad bodies (unknown/server fields, wrong types, huge, deep, not objects)`, async () => {
    const arb = collection.chain((c) =>
      fc
        .record({ as: writerOrAdmin(c), body: badCreateBody(c) })
        .map(({ as, body }): FuzzRequest => ({ as, method: 'POST', path: `/v1/${c}`, body })),
    );
    const examples = SERVER_FIELDS.map(
      (field): FuzzRequest => ({
        as: 'sally',
        method: 'POST',
        path: '/v1/accounts',
        body: JSON.stringify({ name: 'Mass assignment', [field]: field === 'version' ? 7 : 'sales' }),
        label: `POST /v1/accounts with server field ${field}`,
      }),
    );
    await fuzz('create bodies', FUZZ_RUNS.createBodies, arb, [400, 413], { examples });
  });

  it(`comments: ${FUZZ_RUNS.commentBodies} bad comment bodies (create, and edit of a real comment)`, async () => {
    const arb = fc
      .record({
        edit: fc.boolean(),
        as: fc.constantFrom<Who>('ada', 'sally'),
        body: badCreateBody('comments'),
      })
      .map(
        ({ edit, as, body }): FuzzRequest =>
          edit
            ? { as: 'sally', method: 'PATCH', path: `${commentsPath()}/${targets.comments}`, body }
            : { as, method: 'POST', path: commentsPath(), body },
      );
    await fuzz('comment bodies', FUZZ_RUNS.commentBodies, arb, [400, 413]);
  });

  it(`channels: ${FUZZ_RUNS.channelBodies} bad channel settings (admins), and the settings stay as they were`, async () => {
    // Hosts that are not the services' own, a metadata address, userinfo, wrong schemes and paths.
    const badUrl = fc.oneof(
      fc.webUrl(),
      anyString,
      fc.constantFrom(
        'http://169.254.169.254/latest/meta-data',
        'https://hooks.slack.com.evil.example/services/x',
        'http://hooks.slack.com/services/x',
        'https://user:secret@hooks.slack.com/services/x',
        'https://hooks.slack.com/',
        'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
        'https://qyapi.weixin.qq.com/other?key=k',
        'http://10.0.0.1:8080/hook',
        'file:///etc/passwd',
      ),
    );
    const events = fc.constant(['case.*']);
    const noAddress = anyString.filter((text) => !text.includes('@'));
    const body = fc.oneof(
      fc.record({ slack: fc.record({ webhookUrl: badUrl }), events }),
      fc.record({ wecom: fc.record({ webhookUrl: badUrl }), events }),
      fc.record({ email: fc.record({ to: fc.array(noAddress, { minLength: 1, maxLength: 3 }) }), events }),
      fc.record({
        email: fc.constant({ to: ['ops@example.com'] }),
        events: fc.array(
          anyString.filter((e) => !/^[a-z][a-z_]*\.(\*|[a-z][a-z_]*)$/.test(e)),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
      }),
      fc.record({ email: fc.constant({ to: ['ops@example.com'] }), events, unknown: json }),
      fc.record({ email: fc.constant({ to: ['ops@example.com'] }), events: fc.constant([]) }),
    );
    const arb = fc
      .oneof(
        body.map((b) => JSON.stringify(b)),
        notAnObject,
      )
      .map(
        (text): FuzzRequest => ({
          as: 'ada',
          method: 'PUT',
          path: '/v1/admin/channels/marketing',
          body: text,
        }),
      );
    const settings = async () =>
      (await send({ as: 'ada', method: 'GET', path: '/v1/admin/channels/marketing' })).text;
    const before = await settings();
    await fuzz('channel bodies', FUZZ_RUNS.channelBodies, arb, [400, 413]);
    expect(await settings()).toEqual(before);
  });

  it(`role cells: ${FUZZ_RUNS.roleCellBodies} bad cells (admins), and the matrix stays as it was`, async () => {
    // A valid cell (support's default on leads) with one thing wrong each time.
    const valid = {
      read: false,
      create: false,
      update: 'none',
      delete: 'none',
      hiddenFields: [] as string[],
    };
    const notScope = anyString.filter((s) => !['none', 'own', 'department', 'all'].includes(s));
    const notBoolean = json.filter((v) => typeof v !== 'boolean');
    const wrong = fc.oneof(
      fc.record({ key: fc.constantFrom('read', 'create'), value: notBoolean }),
      fc.record({ key: fc.constantFrom('update', 'delete'), value: fc.oneof(notScope, notBoolean) }),
      fc.record({
        key: fc.constant('hiddenFields'),
        value: fc.oneof(
          json.filter((v) => !Array.isArray(v)),
          fc.array(
            anyString.filter((f) => !['name', 'email', 'company', 'source', 'score', 'status'].includes(f)),
            {
              minLength: 1,
              maxLength: 3,
            },
          ),
          fc.constant(['ownerId']),
          fc.constant(['name', 'name']),
          fc.constant(Array.from({ length: 51 }, (_, i) => `f${i}`)),
        ),
      }),
      fc.record({ key: unknownKeyOf(Object.keys(valid)), value: json }),
    );
    const body = fc.oneof(
      wrong.map(({ key, value }) => JSON.stringify({ ...valid, [key]: value })),
      fc.constantFrom('read', 'create', 'update', 'delete', 'hiddenFields').map((key) => {
        const { [key as keyof typeof valid]: _left, ...rest } = valid;
        return JSON.stringify(rest);
      }),
      fc.constantFrom('update', 'delete').map((key) => JSON.stringify({ ...valid, [key]: 'own' })),
      notAnObject,
    );
    const arb = body.map(
      (text): FuzzRequest => ({
        as: 'ada',
        method: 'PUT',
        path: '/v1/admin/roles/support/collections/leads',
        body: text,
      }),
    );
    const matrix = async () =>
      JSON.parse((await send({ as: 'ada', method: 'GET', path: '/v1/admin/roles' })).text);
    const before = await matrix();
    await fuzz('role cell bodies', FUZZ_RUNS.roleCellBodies, arb, [400, 413]);
    expect(await matrix()).toEqual(before);
  });

  it(`privacy: ${FUZZ_RUNS.privacyBodies} bad privacy bodies (admins): 400, nothing read out or erased`, async () => {
    // No address, not a string, no address at all, a near-miss, an unknown key beside a good one.
    const notAnAddress = fc.oneof(
      anyString,
      json,
      fc.constantFrom('a@', '@b.example', 'a b@c.example', 'f@fuzz', `${'x'.repeat(250)}@fuzz.example`),
    );
    const body = fc
      .oneof(
        fc.record({ email: notAnAddress }),
        fc.record({ email: fc.constant('f@fuzz.example'), extra: json }),
        fc.constant({}),
      )
      .filter((b) => !privacyBody.safeParse(b).success);
    const arb = fc
      .tuple(
        fc.oneof(
          body.map((b) => JSON.stringify(b)),
          notAnObject,
        ),
        fc.constantFrom('exports', 'erasures'),
      )
      .map(
        ([text, route]): FuzzRequest => ({
          as: 'ada',
          method: 'POST',
          path: `/v1/privacy/${route}`,
          body: text,
        }),
      );
    await fuzz('privacy bodies', FUZZ_RUNS.privacyBodies, arb, [400, 413]);
  });

  it(`patch: ${FUZZ_RUNS.patchBodies} bad merge patches on real records`, async () => {
    const arb = changeable.chain((c) =>
      fc
        .record({ as: writerOrAdmin(c), body: badPatchBody(c) })
        .map(({ as, body }): FuzzRequest => ({ as, method: 'PATCH', path: `/v1/${c}/${targets[c]}`, body })),
    );
    await fuzz('patch bodies', FUZZ_RUNS.patchBodies, arb, [400, 413]);
  });

  it(`raw bodies: ${FUZZ_RUNS.rawBodies} non-JSON text, wrong content types, huge and deep bodies`, async () => {
    const JSON_TYPES = [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/merge-patch+json',
      'application/vnd.api+json',
    ];
    const OTHER_TYPES = [
      null,
      'text/plain',
      'text/plain; charset=utf-8',
      'text/json',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      'application/x-json',
      'application/jsonp',
      'image/png',
      'json',
      '*/*',
    ];
    const notJson = fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        'name=x',
        '<account><name>x</name></account>',
        "{'name':'x'}",
        '{"name":"x",}',
        'NaN',
        'undefined',
        '{"name":"x"}{"name":"y"}',
        '[1,2',
        '"unterminated',
        '{"name": "x" /* comment */}',
        '\u0000',
      ),
      anyString.filter((s) => {
        if (s.trim() === '') return false;
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
    );
    type Target = { method: string; path: string; valid: string; who: Who[] };
    const target: fc.Arbitrary<Target> = fc.oneof(
      collection.map(
        (c): Target => ({
          method: 'POST',
          path: `/v1/${c}`,
          valid: JSON.stringify(validCreateBody(c)),
          who: ['ada', WRITER[c]],
        }),
      ),
      changeable.map(
        (c): Target => ({
          method: 'PATCH',
          path: `/v1/${c}/${targets[c]}`,
          valid: JSON.stringify(validPatchBody(c)),
          who: ['ada', WRITER[c]],
        }),
      ),
      fc.constant({
        method: 'POST',
        path: `/v1/leads/${qualifiedLeads[0]}/convert`,
        valid: '{}',
        who: ['ada', 'sally'] as Who[],
      }),
    );
    type Variant = { kind: string; type: string | null; body: string | null };
    const variant = (kind: string, type: fc.Arbitrary<string | null>, body: fc.Arbitrary<string | null>) =>
      fc.record({ kind: fc.constant(kind), type, body });
    const arb = fc
      .record({
        target,
        ada: fc.boolean(),
        variant: fc.oneof<fc.Arbitrary<Variant>[]>(
          // A valid body under a type that is not JSON: 415, and nothing written.
          variant(
            'valid body under a non-JSON content type',
            fc.constantFrom(...OTHER_TYPES),
            fc.constant(null),
          ),
          variant('text that is not JSON', fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES), notJson),
          variant('deep nesting', fc.constantFrom(...JSON_TYPES), deepNesting),
          variant(
            'body over 256 KB',
            fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES),
            fc.integer({ min: 262_145, max: 300_000 }).map((n) => `{"name":"${'x'.repeat(n)}"}`),
          ),
          // The body is cut below.
          variant('truncated JSON', fc.constantFrom(...JSON_TYPES), fc.constant('')),
        ),
      })
      .chain(({ target: { method, path, valid, who }, ada, variant }) => {
        // The admin or a user who may write there: the request gets as far as its body.
        const as = ada ? 'ada' : (who[1] ?? 'ada');
        const label = `${method} ${shapeOf(path)}: ${variant.kind}`;
        const req = (body: string): FuzzRequest => ({
          as,
          method,
          path,
          body,
          contentType: variant.type,
          label,
        });
        if (variant.body === '')
          return fc.integer({ min: 1, max: valid.length - 1 }).map((n) => req(valid.slice(0, n)));
        return fc.constant(req(variant.body ?? valid));
      });
    await fuzz('raw bodies', FUZZ_RUNS.rawBodies, arb, [400, 413, 415]);
  });

  it(`lead conversion: ${FUZZ_RUNS.convertBodies} bad conversion bodies on qualified leads`, async () => {
    // Fields a conversion overwrites itself (accountId) would make a bad entry harmless: left out.
    const partEntry = (c: 'accounts' | 'contacts' | 'opportunities') =>
      badEntry(
        c,
        'create',
        fieldsOf(c).filter((f) => f !== 'accountId'),
      );
    const part = (c: 'accounts' | 'contacts' | 'opportunities') =>
      fc.oneof(
        fc.array(partEntry(c), { minLength: 1, maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
        fc.oneof(fc.constant(null), anyString, fc.integer(), fc.boolean(), fc.array(json, { maxLength: 3 })),
      );
    const PARTS = { account: 'accounts', contact: 'contacts', opportunity: 'opportunities' } as const;
    const tagged = (kind: string, text: fc.Arbitrary<string>) => text.map((body) => ({ kind, body }));
    const body = fc.oneof(
      tagged(
        'a JSON value that is not an object',
        notAnObject.filter((t) => t !== 'null'),
      ),
      tagged('the JSON value null', fc.constant('null')),
      fc
        .record({
          key: fc.constantFrom('account', 'contact', 'opportunity') as fc.Arbitrary<keyof typeof PARTS>,
          extra: fc.boolean(),
        })
        .chain(({ key, extra }) =>
          // The bad part comes last, so a valid extra part can never replace it.
          tagged(
            `a bad ${key}`,
            part(PARTS[key]).map((value) =>
              JSON.stringify({ ...(extra ? { opportunity: { amount: '10.00' } } : {}), [key]: value }),
            ),
          ),
        ),
      tagged(
        'an unknown top-level field',
        fc
          .tuple(unknownKeyOf(['accountId', 'account', 'contact', 'opportunity']), json)
          .map((entry) => JSON.stringify(Object.fromEntries([entry]))),
      ),
      tagged(
        'a malformed accountId',
        fc.oneof(badIdString, fc.integer(), fc.boolean()).map((accountId) => JSON.stringify({ accountId })),
      ),
      tagged(
        'both accountId and account',
        fc.constant(JSON.stringify({ accountId: targets.accounts, account: { name: 'Both' } })),
      ),
      // Well-formed, but no such account: the transaction must refuse and write nothing.
      tagged(
        'an accountId of no account',
        fc.ulid().map((accountId) => JSON.stringify({ accountId })),
      ),
      tagged(
        'deep nesting in account',
        deepNesting.map((nested) => `{"account":${nested.startsWith('{') ? nested : `{"x":${nested}}`}}`),
      ),
    );
    const arb = fc
      .record({ body, slot: fc.nat(qualifiedLeads.length - 1), as: fc.constantFrom<Who>('ada', 'sally') })
      .map(
        ({ body, slot, as }): FuzzRequest => ({
          as,
          method: 'POST',
          path: `/v1/leads/{slot:${slot}}/convert`,
          body: body.body,
          label: `convert with ${body.kind}`,
        }),
      );
    // The lead is picked when the request is sent: one that a bad request did convert (the violation
    // that stops the property) is replaced by a fresh qualified lead, so that the smaller requests
    // fast-check then tries meet a qualified lead too, not a 409 from a converted one.
    const pool = [...qualifiedLeads];
    const sendToPool = async (req: FuzzRequest): Promise<RawReply> => {
      const slot = Number(/\{slot:(\d+)\}/.exec(req.path)?.[1] ?? 0);
      // The request object is this run's own: naming the lead in it makes the report concrete.
      req.path = req.path.replace(/\{slot:\d+\}/, pool[slot]!);
      const reply = await send(req);
      if (reply.status === 201) {
        const fresh = await users.get('mark')!.client.post<CrmRecord>('/v1/leads', validCreateBody('leads'));
        pool[slot] = fresh.body.id;
      }
      return reply;
    };
    const examples = ['null', '[]', '"{}"'].map(
      (body): FuzzRequest => ({
        as: 'sally',
        method: 'POST',
        path: '/v1/leads/{slot:0}/convert',
        body,
        label:
          body === 'null'
            ? 'convert with the JSON value null'
            : 'convert with a JSON value that is not an object',
      }),
    );
    await fuzz('convert bodies', FUZZ_RUNS.convertBodies, arb, [400, 413], { send: sendToPool, examples });
  });
});
