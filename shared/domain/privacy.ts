import * as z from 'zod/mini';
import { COLLECTIONS, type CollectionName } from './collections.js';
import { email } from './fields.js';
import type { RecordPatch } from './validation.js';

/**
 * Privacy (GDPR/PIPL; docs/import-export.md, "Privacy"): what a subject export reads and an erasure
 * removes. A person is found by email (contacts and leads, case-insensitive); the records about them are
 * their activities, the comments on those, and the handoffs about them.
 */
export const privacyBody = z.strictObject({ email: email() });
export type PrivacyBody = z.output<typeof privacyBody>;

/** The collections that name a person by email: where a subject is found. */
export const SUBJECT_COLLECTIONS = ['contacts', 'leads'] as const;
export type SubjectCollection = (typeof SUBJECT_COLLECTIONS)[number];

/**
 * The personal fields of each collection that an erasure removes: names, email, phone and free text
 * that may say anything about the person. Ids, links, owners, states, dates, scores and amounts stay
 * (the business keeps its counts and history). A lead's `company` and `source` are about the business.
 */
export const PERSONAL_FIELDS: Partial<Record<CollectionName, readonly string[]>> = {
  contacts: ['firstName', 'lastName', 'email', 'phone', 'title'],
  leads: ['name', 'email'],
  activities: ['subject', 'body'],
  comments: ['body'],
  handoffs: ['reason'],
};

/** What a required personal field holds once erased (a required field cannot be left empty). */
export const ERASED_VALUE = '[erased]';

const personalFields = (collection: CollectionName) => PERSONAL_FIELDS[collection] ?? [];
const isRequired = (collection: CollectionName, field: string) =>
  COLLECTIONS[collection].required.includes(field);

/**
 * The patch that erases a record: required personal fields set to ERASED_VALUE, optional ones removed.
 * Empty when there is nothing left to erase, so a re-run changes nothing.
 */
export function erasurePatch(collection: CollectionName, record: Record<string, unknown>): RecordPatch {
  const patch: Record<string, unknown> = {};
  for (const field of personalFields(collection)) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (isRequired(collection, field)) {
      if (value !== ERASED_VALUE) patch[field] = ERASED_VALUE;
    } else patch[field] = null;
  }
  return patch as RecordPatch;
}

/**
 * A copy of a record (or of a map of its values, as an audit entry keeps them) with its personal fields
 * erased: required ones set to ERASED_VALUE; optional ones removed, or set to null where `keepKeys`
 * (an audit entry's before/after maps say which fields changed, so their keys stay).
 */
export function erasedCopy(
  collection: CollectionName,
  values: Record<string, unknown>,
  keepKeys = false,
): Record<string, unknown> {
  const out = { ...values };
  for (const field of personalFields(collection)) {
    if (!(field in out) || out[field] === null) continue;
    if (isRequired(collection, field)) out[field] = ERASED_VALUE;
    else if (keepKeys) out[field] = null;
    else delete out[field];
  }
  return out;
}

/** Whether the copy still differs from its erased self: a re-run rewrites nothing that is erased already. */
export const needsErasure = (collection: CollectionName, values: Record<string, unknown>, keepKeys = false) =>
  JSON.stringify(erasedCopy(collection, values, keepKeys)) !== JSON.stringify(values);

/** The collection of an event's entity (`contact` → `contacts`), for copies that name the entity. */
export function collectionOfEntity(entity: string): CollectionName | undefined {
  return (Object.keys(COLLECTIONS) as CollectionName[]).find((c) => COLLECTIONS[c].entity === entity);
}
