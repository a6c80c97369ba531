import type { CollectionName } from '../../shared/domain/collections.js';

/** A benign field each collection's PATCH changes (no ownership, index or state meaning). */
export const PATCH_FIELD: Record<CollectionName, string> = {
  accounts: 'industry',
  contacts: 'title',
  leads: 'source',
  opportunities: 'name',
  cases: 'description',
  activities: 'body',
};
