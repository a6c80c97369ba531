import { expect } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { type RoleCell, useStoredCells } from '../../shared/policy/role-cells.js';

export interface RoleMatrixReply {
  version: number;
  refreshSeconds: number;
  cells: ({ group: string; collection: string; changed: boolean } & RoleCell)[];
}

/**
 * Makes this test process's policy module decide with the matrix the API has in force: the cells
 * admins set (GET /v1/admin/roles), so that expectations derived from the policy follow them.
 */
export async function useMatrixInForce(admin: ApiClient): Promise<RoleMatrixReply> {
  const res = await admin.get<RoleMatrixReply>('/v1/admin/roles');
  expect(res.status).toBe(200);
  useStoredCells(
    res.body.version,
    res.body.cells.filter((c) => c.changed),
  );
  return res.body;
}
