import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { isCollection } from '../domain/collections.js';
import { isId } from '../domain/ids.js';
import { type CursorPosition, type IndexQuery, type Item, startKeyAfter } from './keys.js';

/**
 * Page cursors: `<payload>.<tag>`, both base64url. The payload is JSON with only what a list needs to
 * resume, in a neutral shape (`{c, id}`: the collection and id of the last item the page showed, never a
 * key name). The tag is HMAC-SHA256, with a key derived from the server secret, over the payload AND the
 * query the cursor was made for: an edited, forged or foreign cursor (another list, filter or account)
 * is refused. Where a page must resume after an item it did not show, the position is sealed (AES-256-GCM)
 * so that the cursor tells nothing about that item.
 */
export interface CursorKeys {
  mac: Buffer;
  seal: Buffer;
}

/** Separate keys for signing and sealing, both derived from the one secret. */
export function cursorKeys(secret: string): CursorKeys {
  const derive = (use: string) =>
    Buffer.from(hkdfSync('sha256', secret, 'concord-crm/cursor', `v1 ${use}`, 32));
  return { mac: derive('mac'), seal: derive('seal') };
}

/** Longer than any cursor given out (a wrapped Cognito token included): refused before any work. */
const MAX_CURSOR_CHARS = 4096;
type Data = Record<string, string>;

/** What a cursor's payload must be: a flat object of strings (anything else was not made here). */
function isData(value: unknown): value is Data {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

const tagOf = (keys: CursorKeys, scope: string, payload: string) =>
  createHmac('sha256', keys.mac).update(`${scope}\n${payload}`).digest('base64url');

/** Signs `data` for one scope: the identity of the list it resumes. */
export function signCursor(keys: CursorKeys, scope: string, data: Data): string {
  const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
  return `${payload}.${tagOf(keys, scope, payload)}`;
}

/** The data of a cursor signed for this scope with these keys, else undefined. */
export function openCursor(keys: CursorKeys, scope: string, cursor: string): Data | undefined {
  if (cursor.length > MAX_CURSOR_CHARS) return undefined;
  const [payload, tag, ...rest] = cursor.split('.');
  if (!payload || !tag || rest.length) return undefined;
  // Compared as text: base64url decoding ignores stray characters and spare bits, the text does not.
  const expected = Buffer.from(tagOf(keys, scope, payload));
  const given = Buffer.from(tag);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined; // signed with our key but not our format: refused all the same
  }
  return isData(data) ? data : undefined;
}

/** The scope of a list: its index and partition, so no other list, filter or account takes its cursors. */
export const queryScope = (q: IndexQuery) => JSON.stringify(['records', q.indexName, q.pkValue]);

/** Padded so that the sealed text's length does not tell the collection. */
const SEALED_CHARS = 64;

function seal(keys: CursorKeys, data: Data): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv);
  const text = Buffer.concat([cipher.update(JSON.stringify(data).padEnd(SEALED_CHARS)), cipher.final()]);
  return Buffer.concat([iv, text, cipher.getAuthTag()]).toString('base64url');
}

function unseal(keys: CursorKeys, sealed: string): Data | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', keys.seal, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(-16));
  const text = Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()]);
  const data: unknown = JSON.parse(text.toString('utf8'));
  return isData(data) ? data : undefined;
}

/**
 * The cursor that resumes `q` right after the item at `position`: as `{c, id}` when the caller was
 * shown the item, sealed when not (`shown: false`).
 */
export function encodeCursor(
  keys: CursorKeys,
  q: IndexQuery,
  position: CursorPosition,
  shown = true,
): string {
  const data = { c: position.collection, id: position.id };
  return signCursor(keys, queryScope(q), shown ? data : { s: seal(keys, data) });
}

/** The ExclusiveStartKey a cursor stands for, or undefined when it is not one this query made. */
export function decodeCursor(keys: CursorKeys, q: IndexQuery, cursor: string): Item | undefined {
  try {
    const data = openCursor(keys, queryScope(q), cursor);
    const position = data && Object.keys(data).length === 1 && data.s ? unseal(keys, data.s) : data;
    if (!position || Object.keys(position).sort().join() !== 'c,id') return undefined;
    const { c, id } = position;
    return c && id && isCollection(c) && isId(id) ? startKeyAfter(q, { collection: c, id }) : undefined;
  } catch {
    return undefined; // a sealed position that does not open (or is not our format) is refused
  }
}
