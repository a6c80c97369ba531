import { isRoleCellItem, roleCellOf } from '../db/keys.js';
import type { ChangeEvent, StreamChange } from './change-events.js';
import { EVENT_SOURCE, EVENT_SPEC_VERSION } from './names.js';

/** The entity of role cells on the bus and in the audit: `role.permissions_changed`, id `<group>/<collection>`. */
export const ROLE_ENTITY = 'role';
export const ROLE_PERMISSIONS_CHANGED = 'role.permissions_changed';
const CELL_FIELDS = ['read', 'create', 'update', 'delete', 'hiddenFields'] as const;

/**
 * The bus event of an admin's change of one role cell (PUT /v1/admin/roles/…): what the cell was
 * (`before`: null when it held the code's default) and is. Every PUT is announced, also one that sets
 * what was there: an admin confirmed it. No department owns it: no department rule matches it.
 */
export function roleChangeEvent(change: StreamChange): ChangeEvent | undefined {
  if (change.kind === 'REMOVE' || !isRoleCellItem(change.newImage)) return undefined;
  const after = roleCellOf(change.newImage!);
  const before = change.oldImage ? roleCellOf(change.oldImage) : undefined;
  const id = `${String(after.group)}/${String(after.collection)}`;
  return {
    source: EVENT_SOURCE,
    detailType: ROLE_PERMISSIONS_CHANGED,
    detail: {
      specversion: EVENT_SPEC_VERSION,
      eventId: change.eventId,
      entity: ROLE_ENTITY,
      id,
      action: before ? 'updated' : 'created',
      changedFields: before
        ? CELL_FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
        : [...CELL_FIELDS],
      actor: typeof after.updatedBy === 'string' ? after.updatedBy : null,
      ownerDept: '',
      occurredAt: String(after.updatedAt ?? new Date().toISOString()),
      record: {
        group: after.group,
        collection: after.collection,
        ...Object.fromEntries(CELL_FIELDS.map((f) => [f, after[f]])),
        before: before ? Object.fromEntries(CELL_FIELDS.map((f) => [f, before[f]])) : null,
      },
    },
  };
}
