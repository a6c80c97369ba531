import type { Department } from './departments.js';

export interface DemoUser {
  username: string;
  password: string;
  email: string;
  groups: string[];
}

const PASSWORD = 'Concord-demo-1';

const member = (username: string, dept: Department): DemoUser => ({
  username,
  password: PASSWORD,
  email: `${username}@demo.concord.local`,
  groups: [dept],
});

/** Demo users for the local stack: a member of each department, a sales manager, an admin. */
export const DEMO_USERS: DemoUser[] = [
  member('sally', 'sales'),
  member('mark', 'marketing'),
  member('sue', 'support'),
  { ...member('max', 'sales'), groups: ['sales', 'managers'] },
  { username: 'ada', password: PASSWORD, email: 'ada@demo.concord.local', groups: ['admins'] },
];
