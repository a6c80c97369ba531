import * as z from 'zod/mini';
import { ROLE_PERMISSIONS } from '../config/role-permissions.js';
import type { Item } from '../db/keys.js';
import { readRoleCells, readRolesVersion } from '../db/role-cells-repo.js';
import { logger } from '../http/logger.js';
import { type RoleCell, useRefresher, useStoredCells, versionInForce } from '../policy/role-cells.js';
import { roleCellBody } from './action-bodies.js';

const storedCell = z.object({ group: z.string(), collection: z.string(), ...roleCellBody.shape });
type StoredCell = { group: string; collection: string } & RoleCell;

/** The stored cells that read as cells; one that does not (hand-edited) is logged and left out. */
function cellsOf(items: readonly Item[]): StoredCell[] {
  const cells = items.flatMap((item) => {
    const parsed = storedCell.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  if (cells.length < items.length)
    logger.error('a stored role cell does not read as one; the default applies to it');
  return cells;
}

let checkedAt = Number.NEGATIVE_INFINITY;
let refreshing: Promise<void> | undefined;

/**
 * Brings this container's matrix up to date: a GetItem of the version at most every refresh interval
 * (`force`: now), and the cells only when the version moved. Concurrent requests share one check.
 */
export async function refreshRolePermissions(force = false): Promise<void> {
  if (!force && Date.now() - checkedAt < ROLE_PERMISSIONS.refreshSeconds * 1000) return;
  refreshing ??= (async () => {
    try {
      const version = await readRolesVersion();
      if (force || version !== versionInForce()) useStoredCells(version, cellsOf(await readRoleCells()));
      checkedAt = Date.now();
    } finally {
      refreshing = undefined;
    }
  })();
  await refreshing;
}

useRefresher(refreshRolePermissions);
