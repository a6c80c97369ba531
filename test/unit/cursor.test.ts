import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/db/cursor.js';
import { type IndexQuery, type Item, listQuery, recordKey, timelineQuery } from '../../shared/db/keys.js';
import { newId } from '../../shared/domain/ids.js';

const LAST_ID = newId();
const ACCOUNTS = listQuery('accounts', { by: 'all' });
/** The LastEvaluatedKey DynamoDB returns for a page of `GET /v1/accounts`. */
const LAST_KEY: Item = { ...recordKey('accounts', LAST_ID), GSI1PK: 'accounts', GSI1SK: LAST_ID };

/**
 * A cursor whose checksum is right for its payload, so that the checks behind the checksum are
 * reached (as if the client had learnt the checksum scheme).
 */
function signed(payloadText: string): string {
  const payload = Buffer.from(payloadText).toString('base64url');
  const sum = createHash('sha256').update(payload).digest('base64url').slice(0, 16);
  return `${payload}.${sum}`;
}

describe('encodeCursor / decodeCursor', () => {
  it('round-trips the last key of a page', () => {
    // Prepare
    const cursor = encodeCursor(LAST_KEY);

    // Act
    const key = decodeCursor(String(cursor), ACCOUNTS);

    // Assess
    expect(key).toEqual(LAST_KEY);
  });

  it('is URL-safe', () => {
    // Act
    const cursor = encodeCursor(LAST_KEY);

    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('gives no cursor when there is no next page', () => {
    // Act
    const cursor = encodeCursor(undefined);

    // Assess
    expect(cursor).toBeNull();
  });

  it('refuses a cursor edited at any one character', () => {
    // Prepare
    const cursor = String(encodeCursor(LAST_KEY));
    const edits = [...cursor].map(
      (c, i) => cursor.slice(0, i) + (c === 'A' ? 'B' : 'A') + cursor.slice(i + 1),
    );

    // Act
    const accepted = edits.filter((edited) => decodeCursor(edited, ACCOUNTS) !== undefined);

    // Assess
    expect(edits.length).toBeGreaterThan(20);
    expect(accepted).toEqual([]);
  });

  it.each<[string, IndexQuery]>([
    ['another collection', listQuery('contacts', { by: 'all' })],
    ['another index of the same collection', listQuery('accounts', { by: 'owner', value: 'u-1' })],
    ['the timeline', timelineQuery(LAST_ID)],
  ])('refuses a cursor made for %s', (_, other) => {
    // Prepare
    const cursor = String(encodeCursor(LAST_KEY));

    // Act
    const key = decodeCursor(cursor, other);

    // Assess
    expect(key).toBeUndefined();
  });

  it('refuses a cursor made for the same index but another partition (another owner)', () => {
    // Prepare
    const byOwner1 = listQuery('cases', { by: 'owner', value: 'u-1' });
    const byOwner2 = listQuery('cases', { by: 'owner', value: 'u-2' });
    const id = newId();
    const cursor = String(
      encodeCursor({ ...recordKey('cases', id), [byOwner1.pkAttr]: byOwner1.pkValue, [byOwner1.skAttr]: id }),
    );

    // Act
    const own = decodeCursor(cursor, byOwner1);
    const other = decodeCursor(cursor, byOwner2);

    // Assess
    expect(own).toBeDefined();
    expect(other).toBeUndefined();
  });

  it.each<[string, Item]>([
    ['an extra attribute', { ...LAST_KEY, extra: 'x' }],
    ['a missing attribute', { PK: LAST_KEY.PK, SK: LAST_KEY.SK, GSI1PK: 'accounts' }],
    [
      'an attribute swapped for another',
      { PK: LAST_KEY.PK, SK: LAST_KEY.SK, GSI1PK: 'accounts', GSI2SK: 'x' },
    ],
    ['a number where a string belongs', { ...LAST_KEY, GSI1SK: 5 }],
    ['an object where a string belongs', { ...LAST_KEY, SK: { S: 'RECORD' } }],
    ['a value over 1 KB', { ...LAST_KEY, GSI1SK: 'x'.repeat(1025) }],
  ])('refuses a well-signed cursor with %s', (_, key) => {
    // Prepare
    const cursor = String(encodeCursor(key));

    // Act
    const decoded = decodeCursor(cursor, ACCOUNTS);

    // Assess
    expect(decoded).toBeUndefined();
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['only a dot', '.'],
    ['no checksum', Buffer.from(JSON.stringify(LAST_KEY)).toString('base64url')],
    ['a third part', `${String(encodeCursor(LAST_KEY))}.x`],
    ['non-JSON', signed('not json {')],
    ['JSON null', signed('null')],
    ['a JSON array', signed(JSON.stringify(Object.values(LAST_KEY)))],
    ['a JSON string', signed('"accounts"')],
    ['random text', 'hello world'],
  ])('refuses a cursor that is %s', (_, cursor) => {
    // Act
    const decoded = decodeCursor(cursor, ACCOUNTS);

    // Assess
    expect(decoded).toBeUndefined();
  });

  it('accepts the signed form of the right key (the helper above signs as the module does)', () => {
    // Act
    const decoded = decodeCursor(signed(JSON.stringify(LAST_KEY)), ACCOUNTS);

    // Assess
    expect(decoded).toEqual(LAST_KEY);
  });
});
