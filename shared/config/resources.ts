/** Names of the stateful resources, used by CDK and by the local stack alike. */
export const RESOURCE_NAMES = {
  table: 'concord-crm',
  bus: 'concord-crm',
  userPool: 'concord-crm-users',
  userPoolClient: 'concord-crm-api',
  reportsBucket: 'concord-crm-reports',
} as const;
