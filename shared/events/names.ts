/** The bus's vocabulary: the source, the actions, and the domain events derived from changes. */
export const EVENT_SOURCE = 'concord.crm';
export const EVENT_SPEC_VERSION = 1;

export const ACTIONS = ['created', 'updated', 'deleted'] as const;
export type Action = (typeof ACTIONS)[number];

export function detailType(entity: string, action: string): string {
  return `${entity}.${action}`;
}
