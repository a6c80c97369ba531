/** The bus's vocabulary: the source, the actions, and the domain events derived from changes. */
export const EVENT_SOURCE = 'concord.crm';
export const EVENT_SPEC_VERSION = 1;

export const ACTIONS = ['created', 'updated', 'deleted'] as const;
export type Action = (typeof ACTIONS)[number];

export function detailType(entity: string, action: string): string {
  return `${entity}.${action}`;
}

/**
 * A privacy erasure of a record's personal fields (docs/import-export.md): `contact.erased`,
 * `lead.erased`, and the same for the records about them (activities, comments, handoffs). Its
 * `detail.action` is `updated`; it wins over every other type of the change.
 */
export const ERASED = 'erased';
