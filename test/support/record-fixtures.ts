import type { CollectionName } from '../../shared/domain/collections.js';

/** A benign field each collection's PATCH changes (no ownership, index or state meaning). */
export const PATCH_FIELD: Record<CollectionName, string> = {
  accounts: 'industry',
  contacts: 'title',
  leads: 'source',
  opportunities: 'name',
  cases: 'description',
  activities: 'body',
  // Handoffs have no PATCH route (they move by their actions): a PATCH of one is a 404.
  handoffs: 'reason',
  // Comments have no generic PATCH route (theirs is under the record): a PATCH of /v1/comments/{id} is a 404.
  comments: 'body',
};
