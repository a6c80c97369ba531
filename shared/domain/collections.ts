import * as z from 'zod/mini';
import { DEPARTMENTS } from '../config/departments.js';
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
 * which are optional on create, and which field each list filter reads.
 */
export const COLLECTION_NAMES = [
  'accounts',
  'contacts',
  'leads',
  'opportunities',
  'cases',
  'activities',
  'handoffs',
  'comments',
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

/** A handoff's states: `requested` on create, then only its moves (use-cases/handoffs.ts) change it. */
export const HANDOFF_STATUSES = ['requested', 'accepted', 'declined', 'completed', 'cancelled'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

/** The collections whose records take comments (their generic GET route serves them: a reader of the record). */
export const COMMENTABLE_COLLECTIONS = [
  'accounts',
  'contacts',
  'leads',
  'opportunities',
  'cases',
  'activities',
] as const;
export type CommentableCollection = (typeof COMMENTABLE_COLLECTIONS)[number];

/** Plain text, kept as written (not trimmed), but not blank. */
export const commentText = () =>
  z.string().check(z.minLength(1), z.maxLength(10_000), z.regex(/\S/, 'must not be blank'));

const relatedTo = z.strictObject({
  collection: z.enum(['accounts', 'contacts', 'leads', 'opportunities', 'cases']),
  id: id(),
});

/**
 * The body of a create, per collection: what a client may send (a field is required unless it is
 * optional here). Validation, the record types below and the OpenAPI document all come from these.
 */
const FIELD_SCHEMAS = {
  accounts: z.strictObject({
    name: text(),
    domain: z.optional(
      z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain like example.com')),
    ),
    industry: z.optional(text(100)),
    size: z.optional(z.enum(['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'])),
    lifecycleStage: z.optional(z.enum(['lead', 'prospect', 'customer', 'churned'])),
    tags: z.optional(tags()),
    ownerId: z.optional(userId()),
  }),
  contacts: z.strictObject({
    accountId: z.optional(id()),
    firstName: text(100),
    lastName: text(100),
    email: z.optional(email()),
    phone: z.optional(phone()),
    title: z.optional(text(100)),
    marketingOptIn: z.optional(z.boolean()),
    ownerId: z.optional(userId()),
  }),
  leads: z.strictObject({
    name: text(),
    email: z.optional(email()),
    company: z.optional(text()),
    source: z.optional(text(100)),
    score: z.optional(z.int().check(z.gte(0), z.lte(100))),
    status: z.optional(z.enum(LEAD_STATUSES)),
    ownerId: z.optional(userId()),
  }),
  opportunities: z.strictObject({
    accountId: id(),
    name: text(),
    amount: z.optional(amount()),
    currency: z.optional(currency()),
    stage: z.optional(z.enum(OPPORTUNITY_STAGES)),
    closeDate: z.optional(isoDate()),
    ownerId: z.optional(userId()),
  }),
  cases: z.strictObject({
    accountId: id(),
    contactId: z.optional(id()),
    subject: text(),
    description: z.optional(longText()),
    priority: z.optional(z.enum(['low', 'normal', 'high', 'urgent'])),
    status: z.optional(z.enum(['open', 'pending', 'resolved', 'closed'])),
    assigneeId: z.optional(userId()),
    dueAt: z.optional(isoDateTime()),
    ownerId: z.optional(userId()),
  }),
  activities: z.strictObject({
    type: z.enum(['call', 'email', 'meeting', 'task', 'note']),
    subject: text(),
    body: z.optional(longText()),
    dueAt: z.optional(isoDateTime()),
    done: z.optional(z.boolean()),
    relatedTo,
    ownerId: z.optional(userId()),
  }),
  // The requester owns a handoff (no ownerId to send); its status is set by its moves only.
  handoffs: z.strictObject({
    record: z.strictObject({
      collection: z.enum(['accounts', 'contacts', 'leads', 'opportunities', 'cases', 'activities']),
      id: id(),
    }),
    toDept: z.enum(DEPARTMENTS),
    reason: text(2000),
  }),
  // The author owns a comment; the record it is on (`parent`) comes from the route's path.
  comments: z.strictObject({
    parent: z.strictObject({ collection: z.enum(COMMENTABLE_COLLECTIONS), id: id() }),
    body: commentText(),
  }),
};

/** The fields a client sends for a record of collection C, as its create schema outputs them. */
export type FieldsOf<C extends CollectionName> = z.output<(typeof FIELD_SCHEMAS)[C]>;

/** The create body's schema of each collection, typed per collection. */
export const CREATE_SCHEMAS: { [C in CollectionName]: z.ZodMiniType<FieldsOf<C>> } = FIELD_SCHEMAS;

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

/** What every record carries besides its fields: the server's fields and its (always set) owner. */
export const recordMeta = z.object({
  id: z.string(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  ownerId: z.string(),
  ownerDept: z.string(),
});
export type RecordMeta = z.output<typeof recordMeta>;

/** A stored record of collection C, as its schemas type it: e.g. RecordOf<'accounts'>. */
export type RecordOf<C extends CollectionName> = RecordMeta & FieldsOf<C>;
/** A record where the collection is known only at run time (stream images, events): the server's fields typed. */
export type CrmRecord = RecordMeta & Record<string, unknown>;

/** One schema per field of a collection (the create schema's shape). */
export type FieldShape = Readonly<Record<string, z.ZodMiniType>>;

export interface CollectionDef {
  entity: string;
  fields: FieldShape;
  /** Derived from the schema: the fields that are not optional on create. */
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
  /**
   * Which of the five generic record routes (record-routes.ts) serve the collection; all when absent.
   * A collection that leaves some out is served by routes of its own for them.
   */
  recordRoutes?: readonly RecordRouteKind[];
  /** The list filters, where they are not the usual ones (`ownerId`, the state field, the account field). */
  listFilters?: readonly string[];
  /**
   * The field that names the same real-world thing across departments' lists (a person's email, a
   * company's domain), compared case-insensitively: imports find duplicates by it (docs/import-export.md).
   */
  naturalKey?: string;
}

export const RECORD_ROUTE_KINDS = ['create', 'get', 'list', 'patch', 'delete'] as const;
export type RecordRouteKind = (typeof RECORD_ROUTE_KINDS)[number];

/** One value per collection, spelled out, so that the result is typed per collection without a cast. */
export function mapCollections<T>(
  of: <C extends CollectionName>(collection: C) => T,
): Record<CollectionName, T> {
  return {
    accounts: of('accounts'),
    contacts: of('contacts'),
    leads: of('leads'),
    opportunities: of('opportunities'),
    cases: of('cases'),
    activities: of('activities'),
    handoffs: of('handoffs'),
    comments: of('comments'),
  };
}

type Rules = Omit<CollectionDef, 'fields' | 'required'>;

const RULES: Record<CollectionName, Rules> = {
  accounts: { entity: 'account', stateField: 'lifecycleStage', naturalKey: 'domain' },
  contacts: { entity: 'contact', accountField: 'accountId', naturalKey: 'email' },
  leads: {
    entity: 'lead',
    stateField: 'status',
    actionOnlyStates: ['converted'],
    finalStates: ['converted'],
    defaults: { status: 'new' },
    naturalKey: 'email',
  },
  opportunities: {
    entity: 'opportunity',
    stateField: 'stage',
    defaults: { stage: 'prospecting' },
    accountField: 'accountId',
  },
  cases: {
    entity: 'case',
    stateField: 'status',
    defaults: { status: 'open', priority: 'normal' },
    accountField: 'accountId',
    contactField: 'contactId',
  },
  activities: { entity: 'activity', defaults: { done: false }, immutable: ['relatedTo'] },
  /*
   * A handoff is a record like any other, so that storage, its stream events, the change feed and the
   * audit treat it alike. But it is read by two departments (the requesting and the receiving one,
   * decided per record), its create checks the record it is about, and its status moves only by its
   * actions: so none of the generic routes serve it; its own routes (http/handoff-routes.ts) do.
   */
  handoffs: {
    entity: 'handoff',
    stateField: 'status',
    actionOnlyStates: HANDOFF_STATUSES,
    finalStates: ['completed', 'declined', 'cancelled'],
    defaults: { status: 'requested' },
    immutable: ['record', 'toDept', 'reason'],
    recordRoutes: [],
    listFilters: ['toDept', 'status'],
  },
  /*
   * A comment is a record too (its events, the change feed and the audit come from the stream), but it
   * lives under the record it is on: who reads it follows that record (shared/policy/collaboration.ts),
   * and its own routes (http/collaboration-routes.ts) serve it under the record's path.
   */
  comments: {
    entity: 'comment',
    immutable: ['parent'],
    recordRoutes: [],
    listFilters: [],
  },
};

export const COLLECTIONS: Record<CollectionName, CollectionDef> = mapCollections((c) => {
  const fields: FieldShape = FIELD_SCHEMAS[c].shape;
  const required = Object.keys(fields).filter((f) => !(fields[f] instanceof z.ZodMiniOptional));
  return { ...RULES[c], fields, required };
});

/** The list filters a collection serves, each backed by an index: `ownerId`, its state field, `accountId`. */
export function listFiltersOf(collection: CollectionName): string[] {
  const def = COLLECTIONS[collection];
  if (def.listFilters) return [...def.listFilters];
  return ['ownerId', def.stateField, def.accountField].filter((f): f is string => Boolean(f));
}

/** The states that settle a record of this collection, if any: what a change's condition refuses. */
export function finalStatesOf(
  collection: CollectionName,
): { field: string; states: readonly string[] } | undefined {
  const { stateField, finalStates } = COLLECTIONS[collection];
  return stateField && finalStates?.length ? { field: stateField, states: finalStates } : undefined;
}

/** Whether the generic record route of this kind serves the collection (see CollectionDef.recordRoutes). */
export function hasRecordRoute(collection: CollectionName, kind: RecordRouteKind): boolean {
  return (COLLECTIONS[collection].recordRoutes ?? RECORD_ROUTE_KINDS).includes(kind);
}

/** The natural key of a record or row, as compared (trimmed, lowercased); undefined when it has none. */
export function naturalKeyOf(collection: CollectionName, fields: object): string | undefined {
  const field = COLLECTIONS[collection].naturalKey;
  const value = field ? fieldOf(fields, field) : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined;
}

export function isCollection(value: string): value is CollectionName {
  return COLLECTION_NAMES.some((name) => name === value);
}

/** A field's value on a record or body whose type does not list that field (it is named at run time). */
export function fieldOf(value: object, field: string): unknown {
  return Object.hasOwn(value, field) ? Object.getOwnPropertyDescriptor(value, field)?.value : undefined;
}
