import * as z from 'zod/mini';
import {
  amount,
  currency,
  email,
  id,
  isoDate,
  isoDateTime,
  longText,
  phone,
  tags,
  text,
  userId,
} from './fields.js';

/**
 * The collections of the CRM: their fields (the single source of validation, types and OpenAPI),
 * which are required on create, and which field each list filter reads.
 */
export const COLLECTION_NAMES = [
  'accounts',
  'contacts',
  'leads',
  'opportunities',
  'cases',
  'activities',
] as const;
export type CollectionName = (typeof COLLECTION_NAMES)[number];

export const LEAD_STATUSES = ['new', 'working', 'qualified', 'disqualified', 'converted'] as const;
export const OPPORTUNITY_STAGES = [
  'prospecting',
  'qualification',
  'proposal',
  'negotiation',
  'won',
  'lost',
] as const;

const relatedTo = z.strictObject({
  collection: z.enum(['accounts', 'contacts', 'leads', 'opportunities', 'cases']),
  id: id(),
});

// biome-ignore lint/suspicious/noExplicitAny: zod/mini's field map is heterogeneous by design
type Fields = Record<string, z.ZodMiniType<any, any>>;

export interface CollectionDef {
  entity: string;
  fields: Fields;
  required: readonly string[];
  /** The list filter that selects by state (`status`, `stage`, …), if the collection has one. */
  stateField?: string;
  /** Values of stateField that only a domain action (not a PATCH) may set. */
  actionOnlyStates?: readonly string[];
  /**
   * Values of stateField after which the record is settled: no PATCH may change it (409), checked in
   * the write's own condition. A delete is not a change of state and stays allowed.
   */
  finalStates?: readonly string[];
  /** The field that places a record on an account's timeline. */
  accountField?: string;
  /** The contact the record is about: it must exist and belong to the record's account. */
  contactField?: string;
  /** Values a new record gets when the body leaves them out. */
  defaults?: Readonly<Record<string, unknown>>;
  /** Fields fixed at create: a PATCH that sends them is rejected. */
  immutable?: readonly string[];
}

export const COLLECTIONS: Record<CollectionName, CollectionDef> = {
  accounts: {
    entity: 'account',
    fields: {
      name: text(),
      domain: z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain like example.com')),
      industry: text(100),
      size: z.enum(['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+']),
      lifecycleStage: z.enum(['lead', 'prospect', 'customer', 'churned']),
      tags: tags(),
      ownerId: userId(),
    },
    required: ['name'],
    stateField: 'lifecycleStage',
  },
  contacts: {
    entity: 'contact',
    fields: {
      accountId: id(),
      firstName: text(100),
      lastName: text(100),
      email: email(),
      phone: phone(),
      title: text(100),
      marketingOptIn: z.boolean(),
      ownerId: userId(),
    },
    required: ['firstName', 'lastName'],
    accountField: 'accountId',
  },
  leads: {
    entity: 'lead',
    fields: {
      name: text(),
      email: email(),
      company: text(),
      source: text(100),
      score: z.int().check(z.gte(0), z.lte(100)),
      status: z.enum(LEAD_STATUSES),
      ownerId: userId(),
    },
    required: ['name'],
    stateField: 'status',
    actionOnlyStates: ['converted'],
    finalStates: ['converted'],
    defaults: { status: 'new' },
  },
  opportunities: {
    entity: 'opportunity',
    fields: {
      accountId: id(),
      name: text(),
      amount: amount(),
      currency: currency(),
      stage: z.enum(OPPORTUNITY_STAGES),
      closeDate: isoDate(),
      ownerId: userId(),
    },
    required: ['accountId', 'name'],
    stateField: 'stage',
    defaults: { stage: 'prospecting' },
    accountField: 'accountId',
  },
  cases: {
    entity: 'case',
    fields: {
      accountId: id(),
      contactId: id(),
      subject: text(),
      description: longText(),
      priority: z.enum(['low', 'normal', 'high', 'urgent']),
      status: z.enum(['open', 'pending', 'resolved', 'closed']),
      assigneeId: userId(),
      dueAt: isoDateTime(),
      ownerId: userId(),
    },
    required: ['accountId', 'subject'],
    stateField: 'status',
    defaults: { status: 'open', priority: 'normal' },
    accountField: 'accountId',
    contactField: 'contactId',
  },
  activities: {
    entity: 'activity',
    fields: {
      type: z.enum(['call', 'email', 'meeting', 'task', 'note']),
      subject: text(),
      body: longText(),
      dueAt: isoDateTime(),
      done: z.boolean(),
      relatedTo,
      ownerId: userId(),
    },
    required: ['type', 'subject', 'relatedTo'],
    defaults: { done: false },
    immutable: ['relatedTo'],
  },
};

/** Fields the server owns: present on every record, never accepted in a body. */
export const SERVER_FIELDS = [
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'ownerDept',
] as const;

/** The states that settle a record of this collection, if any: what a change's condition refuses. */
export function finalStatesOf(
  collection: CollectionName,
): { field: string; states: readonly string[] } | undefined {
  const { stateField, finalStates } = COLLECTIONS[collection];
  return stateField && finalStates?.length ? { field: stateField, states: finalStates } : undefined;
}

export function isCollection(value: string): value is CollectionName {
  return (COLLECTION_NAMES as readonly string[]).includes(value);
}

export interface RecordMeta {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
  ownerId: string;
  ownerDept: string;
}
export type CrmRecord = RecordMeta & Record<string, unknown>;
