import type { DirectoryEntry } from '../../db/user-directory.js';
import { departmentOfGroups } from '../../policy/policy.js';

/** What Cognito tells a sign-in trigger about the user (PreTokenGeneration, version 1). */
export interface SignIn {
  username: string;
  attributes: Readonly<Record<string, string | undefined>>;
  groups: readonly string[];
}

/**
 * The directory entry of a user who just signed in, as the pool has them at that moment: every sign-in
 * (and token refresh) refreshes the mirror, so a change made in the console reaches it at the user's
 * next sign-in, when their tokens start to carry it too. A user who can sign in is enabled.
 */
export function directoryEntryOfSignIn(signIn: SignIn, at: Date): DirectoryEntry {
  const groups = [...signIn.groups].sort();
  return {
    userId: signIn.attributes.sub ?? signIn.username,
    username: signIn.username,
    email: signIn.attributes.email ?? null,
    groups,
    department: departmentOfGroups(groups) ?? null,
    enabled: true,
    updatedAt: at.toISOString(),
    updatedBy: null,
  };
}
