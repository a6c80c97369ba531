/**
 * The departments of the company: the one place that lists them. Adding `finance` here reaches the
 * Cognito groups, the policy matrix, the event rules and the reports.
 */
export const DEPARTMENTS = ['sales', 'marketing', 'support'] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** Groups that are roles rather than departments. */
export const ROLE_GROUPS = { managers: 'managers', admins: 'admins' } as const;

/** Every Cognito group the user pool has. */
export const ALL_GROUPS: readonly string[] = [...DEPARTMENTS, ...Object.values(ROLE_GROUPS)];

export function isDepartment(value: string): value is Department {
  return (DEPARTMENTS as readonly string[]).includes(value);
}
