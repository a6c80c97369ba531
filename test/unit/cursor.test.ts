import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  cursorKeys,
  decodeCursor,
  encodeCursor,
  openCursor,
  queryScope,
  signCursor,
} from '../../shared/db/cursor.js';
import { type IndexQuery, type Item, listQuery, recordItem, timelineQuery } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';
import { aRecord, positionOf } from './fixtures.js';

const KEYS = cursorKeys('the server secret');
const ACCOUNT_ID = newId();
const ACCOUNTS = listQuery('accounts', { by: 'all' });
const TIMELINE = timelineQuery(ACCOUNT_ID);
const ACCOUNT = recordItem('accounts', aRecord({ name: 'Acme' }));
const CASE = recordItem('cases', aRecord({ accountId: ACCOUNT_ID, subject: 'Broken' }));
/** What DynamoDB gives as LastEvaluatedKey after `item` on `q`: the table key and the index key. */
const lastKeyOf = (item: Item, q: IndexQuery): Item => ({
  PK: item.PK,
  SK: item.SK,
  [q.pkAttr]: item[q.pkAttr],
  [q.skAttr]: item[q.skAttr],
});
const decodedText = (cursor: string) => Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8');
/** Key names and key prefixes (as they would show in JSON: ids are base32 and may hold "PK" or "SK"). */
const KEY_WORDS = /"PK"|"SK"|GSI\d|RECORD|ACCOUNT#|TIMELINE#|#OWNER#|#STATE#/;

describe('encodeCursor / decodeCursor', () => {
  it.each<[string, IndexQuery, Item]>([
    ['a list', ACCOUNTS, ACCOUNT],
    ['the timeline', TIMELINE, CASE],
  ])('round-trips the position after the last item of %s', (_, q, item) => {
    // Act
    const key = decodeCursor(KEYS, q, encodeCursor(KEYS, q, positionOf(item)));

    // Assess
    expect(key).toEqual(lastKeyOf(item, q));
  });

  it('is URL-safe', () => {
    // Act
    const cursor = encodeCursor(KEYS, ACCOUNTS, positionOf(ACCOUNT));

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('holds only the collection and id of the item, no key name or key value', () => {
    // Act
    const text = decodedText(encodeCursor(KEYS, TIMELINE, positionOf(CASE)));

    // Assess
    expect(JSON.parse(text)).toEqual({ c: 'cases', id: CASE.id });
    expect(text).not.toMatch(KEY_WORDS);
    expect(text).not.toContain(ACCOUNT_ID);
  });

  it('seals the position of an item the caller was not shown: nothing of it can be read', () => {
    // Prepare
    const other = recordItem('opportunities', aRecord({ accountId: ACCOUNT_ID, name: 'Deal' }));

    // Act
    const sealed = [CASE, other].map((item) => encodeCursor(KEYS, TIMELINE, positionOf(item), false));

    // Assess
    for (const [i, item] of [CASE, other].entries()) {
      const text = decodedText(sealed[i]!);
      expect(text).not.toMatch(KEY_WORDS);
      expect(text).not.toContain(String(item.id));
      expect(text).not.toContain(String(item.id).slice(0, 10)); // not even its time
      expect(text).not.toMatch(/cases|opportunities/);
      expect(Object.keys(JSON.parse(text))).toEqual(['s']);
      expect(decodeCursor(KEYS, TIMELINE, sealed[i]!)).toEqual(lastKeyOf(item, TIMELINE));
    }
    expect(sealed[0]!.length).toBe(sealed[1]!.length);
  });

  it('refuses a cursor edited at any one character, with a character of any class', () => {
    // Prepare
    const classes = ['A', 'z', '0', '9', '-', '_', '.', '=', '+', '/', ' ', '%', 'é'];
    const cursors = [
      encodeCursor(KEYS, ACCOUNTS, positionOf(ACCOUNT)),
      encodeCursor(KEYS, TIMELINE, positionOf(CASE), false),
    ];
    const edits = cursors.flatMap((cursor) =>
      [...cursor].flatMap((c, i) =>
        classes.filter((to) => to !== c).map((to) => cursor.slice(0, i) + to + cursor.slice(i + 1)),
      ),
    );

    // Act
    const accepted = edits.filter(
      (edited) =>
        decodeCursor(KEYS, ACCOUNTS, edited) !== undefined ||
        decodeCursor(KEYS, TIMELINE, edited) !== undefined,
    );

    // Assess
    expect(edits.length).toBeGreaterThan(1000);
    expect(accepted).toEqual([]);
  });

  it('refuses a cursor cut short, lengthened, re-cased or with its parts swapped', () => {
    // Prepare
    const cursor = encodeCursor(KEYS, ACCOUNTS, positionOf(ACCOUNT));
    const [payload, tag] = cursor.split('.') as [string, string];
    const variants = [
      cursor.slice(0, -1),
      cursor.slice(1),
      `${cursor}A`,
      `A${cursor}`,
      cursor.toUpperCase(),
      cursor.toLowerCase(),
      `${tag}.${payload}`,
      `${payload}.`,
      `.${tag}`,
      `${payload}.${tag}.${tag}`,
      `${payload}==.${tag}`,
    ];

    // Act
    const accepted = variants.filter((v) => decodeCursor(KEYS, ACCOUNTS, v) !== undefined);

    // Assess
    expect(accepted).toEqual([]);
  });

  it.each<[string, IndexQuery]>([
    ['another collection', listQuery('contacts', { by: 'all' })],
    ['the same collection filtered by owner', listQuery('accounts', { by: 'owner', value: 'u-1' })],
    ['the timeline', timelineQuery(String(ACCOUNT.id))],
  ])('refuses a cursor of the accounts list used on %s', (_, other) => {
    // Prepare
    const cursor = encodeCursor(KEYS, ACCOUNTS, positionOf(ACCOUNT));

    // Act
    const key = decodeCursor(KEYS, other, cursor);

    // Assess
    expect(key).toBeUndefined();
  });

  it.each<[string, IndexQuery, IndexQuery]>([
    [
      'another owner',
      listQuery('cases', { by: 'owner', value: 'u-1' }),
      listQuery('cases', { by: 'owner', value: 'u-2' }),
    ],
    ["another account's timeline", TIMELINE, timelineQuery(newId())],
  ])('refuses a cursor of the same index but %s', (_, own, other) => {
    // Prepare
    const cursor = encodeCursor(KEYS, own, positionOf(CASE));

    // Act / Assess
    expect(decodeCursor(KEYS, own, cursor)).toBeDefined();
    expect(decodeCursor(KEYS, other, cursor)).toBeUndefined();
  });

  it('refuses a cursor signed with another secret', () => {
    // Prepare
    const cursor = encodeCursor(cursorKeys('a rotated-away secret'), ACCOUNTS, positionOf(ACCOUNT));
    const sealed = encodeCursor(cursorKeys('a rotated-away secret'), TIMELINE, positionOf(CASE), false);

    // Act / Assess
    expect(decodeCursor(KEYS, ACCOUNTS, cursor)).toBeUndefined();
    expect(decodeCursor(KEYS, TIMELINE, sealed)).toBeUndefined();
  });

  it('refuses a forged cursor: the position in clear with an unkeyed checksum (the old scheme)', () => {
    // Prepare
    const payload = Buffer.from(JSON.stringify({ c: 'accounts', id: ACCOUNT.id })).toString('base64url');
    const forged = [16, 43].map(
      (n) => `${payload}.${createHash('sha256').update(payload).digest('base64url').slice(0, n)}`,
    );

    // Act / Assess
    for (const cursor of forged) expect(decodeCursor(KEYS, ACCOUNTS, cursor)).toBeUndefined();
  });

  it.each<[string, Record<string, string>]>([
    ['an extra field', { c: 'accounts', id: String(ACCOUNT.id), x: '1' }],
    ['no id', { c: 'accounts' }],
    ['an id that is not an id', { c: 'accounts', id: 'ACCOUNT#1' }],
    ['an unknown collection', { c: 'users', id: String(ACCOUNT.id) }],
    ['a sealed part that does not open', { s: 'AAAA' }],
    [
      'key names',
      { PK: 'ACCOUNT#1', SK: 'RECORD', GSI1PK: String(ACCOUNT.GSI1PK), GSI1SK: String(ACCOUNT.id) },
    ],
  ])('refuses a well-signed cursor with %s', (_, data) => {
    // Prepare
    const cursor = signCursor(KEYS, queryScope(ACCOUNTS), data);

    // Act / Assess
    expect(decodeCursor(KEYS, ACCOUNTS, cursor)).toBeUndefined();
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['only a dot', '.'],
    ['random text', 'hello world'],
    ['over 4096 characters', `${encodeCursor(KEYS, ACCOUNTS, positionOf(ACCOUNT))}${'A'.repeat(4096)}`],
  ])('refuses a cursor that is %s', (_, cursor) => {
    // Act / Assess
    expect(decodeCursor(KEYS, ACCOUNTS, cursor)).toBeUndefined();
  });
});

describe('signCursor / openCursor (the envelope; also wraps Cognito pagination tokens)', () => {
  it('round-trips data for its scope only', () => {
    // Prepare
    const cursor = signCursor(KEYS, 'admin-users', { t: 'cognito+token/==' });

    // Act / Assess
    expect(openCursor(KEYS, 'admin-users', cursor)).toEqual({ t: 'cognito+token/==' });
    expect(openCursor(KEYS, queryScope(ACCOUNTS), cursor)).toBeUndefined();
    expect(openCursor(cursorKeys('another secret'), 'admin-users', cursor)).toBeUndefined();
  });

  it('refuses a signed payload that is not an object of strings', () => {
    // Prepare
    // Signed as the module signs (as if the secret had leaked), so the checks behind the tag are reached.
    const signedText = (text: string) => {
      const payload = Buffer.from(text).toString('base64url');
      return `${payload}.${createHmac('sha256', KEYS.mac).update(`s\n${payload}`).digest('base64url')}`;
    };

    // Act / Assess
    expect(openCursor(KEYS, 's', signedText('{"t":"x"}'))).toEqual({ t: 'x' });
    for (const text of ['null', '[]', '"x"', '{"t":1}', 'not json {'])
      expect(openCursor(KEYS, 's', signedText(text))).toBeUndefined();
  });
});

describe('cursorKeys', () => {
  it('derives separate signing and sealing keys, different for another secret', () => {
    // Act
    const other = cursorKeys('another secret');

    // Assess
    expect(KEYS.mac.equals(KEYS.seal)).toBe(false);
    expect(KEYS.mac.equals(other.mac)).toBe(false);
    expect(KEYS.mac).toHaveLength(32);
    expect(cursorKeys('the server secret').mac.equals(KEYS.mac)).toBe(true);
  });
});
