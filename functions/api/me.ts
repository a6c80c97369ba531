// primary adapter (HTTP API) → policy (resolved permissions) → reply; no store call.
// Loaded for its registration: this function decides with the role permissions in force.
import '../../shared/domain/role-permissions.js';
import { apiHandler } from '../../shared/http/api-handler.js';
import { meRoutes } from '../../shared/http/route-index.js';
import { permissionsOf } from '../../shared/policy/policy.js';

export const handler = apiHandler(meRoutes, async ({ caller }) => ({
  body: {
    userId: caller.userId,
    username: caller.username,
    department: caller.department ?? null,
    groups: caller.groups,
    isManager: caller.isManager,
    isAdmin: caller.isAdmin,
    permissions: permissionsOf(caller),
    // Why no role applies although the token names groups (two departments); empty when none.
    problems: caller.roleProblems ?? [],
  },
}));
