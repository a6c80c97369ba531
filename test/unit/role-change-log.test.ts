import { beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/http/logger.js';
import { admin } from './fixtures.js';

/** Cognito and the role lock, faked: the user `sally` is in `sales`; what is set is recorded. */
const directory = vi.hoisted(() => ({ set: [] as { current: string[]; wanted: string[] }[] }));
vi.mock('../../shared/db/user-directory.js', () => ({
  userIdOf: async () => 'sally-sub',
  groupsOf: async () => ['sales'],
  setGroups: async (_username: string, current: string[], wanted: string[]) => {
    directory.set.push({ current, wanted });
  },
}));
vi.mock('../../shared/db/role-lock.js', () => ({
  withRoleLock: (_userId: string, work: () => Promise<unknown>) => work(),
}));

const { setUserGroupsUseCase } = await import('../../shared/domain/use-cases/user-roles.js');

describe('a role change', () => {
  beforeEach(() => {
    directory.set = [];
    vi.restoreAllMocks();
  });

  it('is logged: who changed whom, the groups before and after, and nothing else of the users', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);

    // Act
    await setUserGroupsUseCase({ ...admin('ada-sub'), username: 'ada' }, 'sally', {
      groups: ['marketing', 'managers'],
    });

    // Assess
    expect(directory.set).toHaveLength(1);
    expect(info).toHaveBeenCalledExactlyOnceWith('user groups changed', {
      actor: { userId: 'ada-sub', username: 'ada' },
      target: 'sally',
      groups: { before: ['sales'], after: ['managers', 'marketing'] },
    });
  });

  it('is not logged when the change is refused', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);

    // Act
    const refused = setUserGroupsUseCase({ ...admin('ada-sub'), username: 'ada' }, 'sally', {
      groups: ['sales', 'marketing'],
    });

    // Assess
    await expect(refused).rejects.toThrow();
    expect(info).not.toHaveBeenCalled();
  });
});
