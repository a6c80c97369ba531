import type { MiddlewareObj } from '@middy/core';
import type { Uses } from '../config/env.js';
import { hasRefresher, refreshCells } from '../policy/role-cells.js';

/** Whether a function with these grants reads the role cells (and so decides with the matrix in force). */
export const readsRoleCells = (grants: Uses): boolean => Boolean(grants.table || grants.roles);

/**
 * The middy step of every function that decides access: the matrix in force before the handler runs.
 * Checked at init: such a function that never loaded the refresher fails there, naming itself.
 */
export function rolePermissionsInForce(name: string, grants: Uses): MiddlewareObj[] {
  if (!readsRoleCells(grants)) return [];
  if (!hasRefresher())
    throw new Error(`${name} reads the role cells but never loaded shared/domain/role-permissions.js`);
  return [{ before: () => refreshCells() }];
}
