import { ALL_GROUPS } from '../../config/departments.js';
import { ROLE_PERMISSIONS } from '../../config/role-permissions.js';
import { storeRoleCell } from '../../db/role-cells-repo.js';
import { ROLE_TRAIL_ID } from '../../events/audit-trail.js';
import { ROLE_ENTITY } from '../../events/role-events.js';
import type { Caller } from '../../policy/caller.js';
import {
  CONFIGURABLE_COLLECTIONS,
  cellOf,
  cellProblems,
  isChanged,
  isConfigurableCollection,
  isRoleGroup,
  versionInForce,
} from '../../policy/role-cells.js';
import { roleCellBody } from '../action-bodies.js';
import { fail } from '../errors.js';
import { refreshRolePermissions } from '../role-permissions.js';
import { validate } from '../validation.js';
import { type AuditPage, readTrail } from './audit-trail.js';
import { requireAdmin } from './preconditions.js';
import type { PageQuery } from './read-records.js';

const cellReply = (group: string, collection: (typeof CONFIGURABLE_COLLECTIONS)[number]) => ({
  group,
  collection,
  ...cellOf(group, collection),
  changed: isChanged(group, collection),
});

/** The matrix in force (admins): every group × collection cell, read now rather than from the cache. */
export async function rolesUseCase(caller: Caller) {
  requireAdmin(caller);
  await refreshRolePermissions(true);
  return {
    version: versionInForce(),
    refreshSeconds: ROLE_PERMISSIONS.refreshSeconds,
    cells: ALL_GROUPS.flatMap((group) => CONFIGURABLE_COLLECTIONS.map((c) => cellReply(group, c))),
  };
}

/**
 * Sets one cell for everyone (admins): validated, stored with the matrix's version moved in one
 * transaction, in force in every function within the refresh interval; the stream audits and announces it.
 */
export async function setRoleCellUseCase(
  caller: Caller,
  group: string | undefined,
  collection: string | undefined,
  body: unknown,
) {
  requireAdmin(caller);
  if (!group || !isRoleGroup(group) || !collection || !isConfigurableCollection(collection))
    throw fail.notFound('No such role cell: the group or the collection is not one of the matrix.');
  const valid = validate(roleCellBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const problems = cellProblems(group, collection, valid.value);
  if (problems.length)
    throw fail.invalid(
      problems.map((message) => ({ path: '', message })),
      'The cell is not allowed.',
    );
  await storeRoleCell({
    group,
    collection,
    ...valid.value,
    updatedAt: new Date().toISOString(),
    updatedBy: caller.userId,
  });
  await refreshRolePermissions(true);
  return cellReply(group, collection);
}

/** Every change of a role cell, newest first (admins): who set which cell to what, when. */
export async function roleAuditTrailUseCase(caller: Caller, query: PageQuery): Promise<AuditPage> {
  requireAdmin(caller);
  return readTrail(ROLE_ENTITY, ROLE_TRAIL_ID, query);
}
