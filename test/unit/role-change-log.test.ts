import { beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/http/logger.js';
import { admin } from './fixtures.js';

/** Cognito, the directory and the role lock, faked: `sally` is in `sales`; what is set is recorded. */
const directory = vi.hoisted(() => ({
  set: [] as { current: string[]; wanted: string[] }[],
  saved: [] as { userId: string; groups: string[]; department: string | null }[],
}));
vi.mock('../../shared/db/user-directory.js', () => ({
  saveDirectoryUser: async (entry: { userId: string; groups: string[]; department: string | null }) => {
    directory.saved.push(entry);
  },
}));
vi.mock('../../shared/db/user-pool.js', () => ({
  poolUser: async () => ({ userId: 'sally-sub', username: 'sally', email: null, enabled: true }),
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
    directory.saved = [];
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
    expect(directory.saved).toMatchObject([
      { userId: 'sally-sub', groups: ['managers', 'marketing'], department: 'marketing' },
    ]);
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
