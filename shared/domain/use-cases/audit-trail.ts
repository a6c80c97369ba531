import { auditCursor, auditPositionOf } from '../../db/derived-cursors.js';
import { readDerivedPage } from '../../db/derived-items.js';
import { auditPartition } from '../../db/keys.js';
import { directoryUserByName } from '../../db/user-directory.js';
import { type AuditEntry, USER_ENTITY } from '../../events/audit-trail.js';
import type { Caller } from '../../policy/caller.js';
import { canRead, canReadAuditTrail, mayReadAuditTrails, redact } from '../../policy/policy.js';
import { USERNAME } from '../action-bodies.js';
import { COLLECTIONS, type CollectionName } from '../collections.js';
import { fail } from '../errors.js';
import { requireAdmin } from './preconditions.js';
import type { PageQuery } from './read-records.js';

export interface AuditQuery {
  collection: CollectionName;
  id: string;
  limit: number;
  cursor?: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

/** An entry as the caller may see it: values of fields hidden from them left out, with their names. */
function redactEntry(caller: Caller, collection: CollectionName, entry: AuditEntry): AuditEntry {
  const shown = (values: AuditEntry['before']) => values && redact(caller, collection, values);
  const before = shown(entry.before);
  const after = shown(entry.after);
  const hidden = (values: AuditEntry['before'], seen: AuditEntry['before']) =>
    Object.keys(values ?? {}).filter((f) => !(seen && f in seen));
  const gone = new Set([...hidden(entry.before, before), ...hidden(entry.after, after)]);
  return { ...entry, before, after, changedFields: entry.changedFields.filter((f) => !gone.has(f)) };
}

/**
 * Who changed what of a record, and when, newest first; one Query a page. For managers of the
 * department that owns the record (as its latest entry says; a cursor carries that decision on) and
 * for admins. A caller who may not read the collection gets 404, as for the record itself; any other
 * caller who is no manager or admin gets 403 without the trail being read. The trail outlives the record.
 */
export async function auditTrailUseCase(caller: Caller, query: AuditQuery): Promise<AuditPage> {
  const { collection, id } = query;
  if (!canRead(caller, collection)) throw fail.notFound();
  if (!mayReadAuditTrails(caller)) throw fail.forbidden('Only managers and admins read audit trails.');
  const entity = COLLECTIONS[collection].entity;
  const from = query.cursor === undefined ? undefined : await auditPositionOf(entity, id, query.cursor);
  if (query.cursor !== undefined && !from)
    throw fail.invalid(
      [{ path: 'cursor', message: 'is not a cursor this trail gave out' }],
      'The query parameters are invalid.',
    );
  const page = await readDerivedPage(auditPartition(entity, id), {
    limit: query.limit,
    after: from?.after,
    forward: false,
  });
  const entries = page.entries.map(({ entry }) => entry as unknown as AuditEntry);
  const ownerDept = from?.ownerDept ?? entries[0]?.ownerDept;
  if (ownerDept === undefined) throw fail.notFound('No audit trail for this record.');
  if (!canReadAuditTrail(caller, ownerDept))
    throw fail.forbidden("Only the managers of the record's department and admins read its audit trail.");
  const last = page.entries.at(-1);
  return {
    items: entries.map((e) => redactEntry(caller, collection, e)),
    nextCursor: page.more && last ? await auditCursor(entity, id, { after: last.position, ownerDept }) : null,
  };
}

/**
 * A user's trail (admins only): when the directory first held them, each change of their groups (and so
 * of their department), each disabling, and who made it (null: mirrored from Cognito at a sign-in);
 * newest first. The user's directory entry by name, then one Query a page.
 */
export async function userAuditTrailUseCase(
  caller: Caller,
  username: string | undefined,
  query: PageQuery,
): Promise<AuditPage> {
  requireAdmin(caller);
  const user = username && USERNAME.test(username) ? await directoryUserByName(username) : undefined;
  if (!user) throw fail.notFound('No such user.');
  return readTrail(USER_ENTITY, user.userId, query);
}

/** One page of a trail that admins alone read (a user's, the role cells'), newest first, whole entries. */
export async function readTrail(entity: string, id: string, query: PageQuery): Promise<AuditPage> {
  const from = query.cursor === undefined ? undefined : await auditPositionOf(entity, id, query.cursor);
  if (query.cursor !== undefined && !from)
    throw fail.invalid(
      [{ path: 'cursor', message: 'is not a cursor this trail gave out' }],
      'The query parameters are invalid.',
    );
  const page = await readDerivedPage(auditPartition(entity, id), {
    limit: query.limit,
    after: from?.after,
    forward: false,
  });
  const last = page.entries.at(-1);
  return {
    items: page.entries.map(({ entry }) => entry as unknown as AuditEntry),
    nextCursor:
      page.more && last ? await auditCursor(entity, id, { after: last.position, ownerDept: '' }) : null,
  };
}
