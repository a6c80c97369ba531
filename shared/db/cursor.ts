import { createHash } from 'node:crypto';
import { cursorAttributes, type IndexQuery, type Item } from './keys.js';

/**
 * Page cursors: opaque to clients, bound to the query that made them. A cursor carries the
 * last key of its page and a checksum; one that was edited, or made for another list, is refused.
 */
const checksum = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

export function encodeCursor(lastKey: Item | undefined): string | null {
  if (!lastKey) return null;
  const payload = Buffer.from(JSON.stringify(lastKey)).toString('base64url');
  return `${payload}.${checksum(payload)}`;
}

/** The start key for the next page, or undefined when the cursor is not one this query made. */
export function decodeCursor(cursor: string, q: IndexQuery): Item | undefined {
  const [payload, sum, ...rest] = cursor.split('.');
  if (!payload || !sum || rest.length || checksum(payload) !== sum) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return undefined;
  const attrs = cursorAttributes(q);
  const entries = Object.entries(key);
  const wellFormed =
    entries.length === attrs.length &&
    entries.every(
      ([k, v]) => attrs.includes(k) && typeof v === 'string' && v.length > 0 && v.length <= 1024,
    ) &&
    (key as Item)[q.pkAttr] === q.pkValue;
  return wellFormed ? (key as Item) : undefined;
}
