import { isDepartment } from '../config/departments.js';
import { openCursor, signCursor } from './cursor.js';
import { serverCursorKeys } from './cursor-secret.js';
import { type FeedName, isSequenceKey } from './keys.js';

/**
 * Cursors of the change feed and of audit trails: signed (shared/db/cursor.ts) for one feed or one
 * trail alone, so a cursor of another department's feed, or of another record's trail, is refused.
 * They hold a position in the stream (a padded sequence number), never a record's id or key names.
 */

const feedScope = (feed: FeedName) => JSON.stringify(['changes', feed]);
const auditScope = (entity: string, id: string) => JSON.stringify(['audit', entity, id]);

/** `position` '' is the start of the feed (nothing read yet). */
export async function feedCursor(feed: FeedName, position: string): Promise<string> {
  return signCursor(await serverCursorKeys(), feedScope(feed), { after: position });
}

/** The position a cursor of this feed stands for ('' the start), else undefined. */
export async function feedPositionOf(feed: FeedName, cursor: string): Promise<string | undefined> {
  const data = openCursor(await serverCursorKeys(), feedScope(feed), cursor);
  if (!data || Object.keys(data).join() !== 'after') return undefined;
  const after = data.after ?? '';
  return after === '' || isSequenceKey(after) ? after : undefined;
}

/** Where an audit trail's page ends, and whose trail it is (decided on the first page; '' for a user's). */
export interface AuditPosition {
  after: string;
  ownerDept: string;
}

export async function auditCursor(entity: string, id: string, position: AuditPosition): Promise<string> {
  return signCursor(await serverCursorKeys(), auditScope(entity, id), { ...position });
}

export async function auditPositionOf(
  entity: string,
  id: string,
  cursor: string,
): Promise<AuditPosition | undefined> {
  const data = openCursor(await serverCursorKeys(), auditScope(entity, id), cursor);
  if (!data || Object.keys(data).sort().join() !== 'after,ownerDept') return undefined;
  const { after = '', ownerDept = '' } = data;
  // '' for a subject of no department (a user's trail, read by admins only).
  const owner = ownerDept === '' || isDepartment(ownerDept);
  return isSequenceKey(after) && owner ? { after, ownerDept } : undefined;
}
