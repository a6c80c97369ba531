import * as z from 'zod/mini';
import { ALL_GROUPS, DEPARTMENTS } from '../config/departments.js';
import { LIMITS } from '../config/limits.js';
import { convertLeadBody, roleCellBody, userGroupsBody } from '../domain/action-bodies.js';
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  type CollectionName,
  HANDOFF_STATUSES,
  listFiltersOf,
  type SERVER_FIELDS,
} from '../domain/collections.js';
import { commentRequest } from '../domain/comments.js';
import { id, isoDateTime, userId } from '../domain/fields.js';
import { NOTIFICATION_TYPES } from '../domain/notifications.js';
import { createSchemaOf, patchSchemaOf } from '../domain/validation.js';
import type { WriteScope } from '../policy/policy.js';
import { CONFIGURABLE_COLLECTIONS } from '../policy/role-cells.js';
import type { HeaderSpec } from './route-types.js';

/**
 * The schemas of what the API sends back (and of its query strings and headers), for the route
 * table. Request bodies are the schemas the use cases validate with (validation.ts, action-bodies.ts);
 * replies are written here once, and the integration suite checks every reply it gets against them.
 */

export interface NamedSchema {
  id: string;
  description?: string;
  /** Whether the schema describes what a client sends (input) or what the API sends back. */
  io: 'input' | 'output';
}
/** Component names in the OpenAPI document; a schema without one is named after its operation. */
export const NAMED_SCHEMAS = new Map<z.ZodMiniType, NamedSchema>();
function named<T extends z.ZodMiniType>(
  schema: T,
  id: string,
  description?: string,
  io: NamedSchema['io'] = 'output',
): T {
  NAMED_SCHEMAS.set(schema, { id, description, io });
  return schema;
}
function describe<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const entityName = (c: CollectionName) => pascal(COLLECTIONS[c].entity);

/** Set on every record by the server (SERVER_FIELDS, plus the owner). */
const META = {
  id: describe(id(), 'Server-made ULID: URL-safe, sorts by creation time'),
  version: describe(z.int().check(z.gte(1)), 'Starts at 1, +1 on every change; the ETag'),
  createdAt: isoDateTime(),
  updatedAt: isoDateTime(),
  createdBy: userId(),
  updatedBy: userId(),
  ownerId: userId(),
  ownerDept: z.enum(DEPARTMENTS),
} satisfies Record<(typeof SERVER_FIELDS)[number] | 'ownerId', z.ZodMiniType>;

/** Fields that a domain action (not a create or PATCH) writes on a record. */
const ACTION_FIELDS: Partial<Record<CollectionName, Record<string, z.ZodMiniType>>> = {
  leads: {
    convertedAt: isoDateTime(),
    convertedBy: userId(),
    convertedAccountId: id(),
    convertedContactId: id(),
    convertedOpportunityId: id(),
  },
  handoffs: { status: z.enum(HANDOFF_STATUSES) },
};

const unwrap = (s: z.core.$ZodType): z.core.$ZodType =>
  s instanceof z.ZodMiniOptional ? s.def.innerType : s;

function recordSchema(c: CollectionName) {
  const def = COLLECTIONS[c];
  // Always there: what create requires or defaults. The rest may be unset, or hidden from the caller.
  const always = new Set([...def.required, ...Object.keys(def.defaults ?? {})]);
  const fields = Object.fromEntries(
    Object.entries({ ...def.fields, ...ACTION_FIELDS[c] }).map(([k, s]) => [
      k,
      always.has(k) ? unwrap(s) : z.optional(unwrap(s)),
    ]),
  );
  return named(
    z.strictObject({ ...fields, ...META }),
    entityName(c),
    'Fields the caller may not see are left out.',
  );
}

const RECORDS = new Map(COLLECTION_NAMES.map((c) => [c, recordSchema(c)]));
export const recordSchemaOf = (c: CollectionName) => RECORDS.get(c)!;

const nextCursor = describe(z.nullable(z.string()), 'Opaque and signed: the next page; null on the last');
const PAGES = new Map(
  COLLECTION_NAMES.map((c) => [
    c,
    named(z.strictObject({ items: z.array(recordSchemaOf(c)), nextCursor }), `${entityName(c)}Page`),
  ]),
);
export const pageSchemaOf = (c: CollectionName) => PAGES.get(c)!;

named(
  convertLeadBody,
  'ConversionRequest',
  'Every part is optional: the lead fills what a create needs',
  'input',
);
named(userGroupsBody, 'UserGroupsRequest', "The user's groups: exactly these afterwards", 'input');
named(
  roleCellBody,
  'RoleCellRequest',
  'One cell of the role permissions: what the group may do in the collection',
  'input',
);
for (const c of COLLECTION_NAMES) {
  named(createSchemaOf(c), `${entityName(c)}Create`, undefined, 'input');
  named(
    patchSchemaOf(c),
    `${entityName(c)}Patch`,
    'JSON merge patch: null removes an optional field',
    'input',
  );
}

const limit = (max: number) =>
  describe(z.optional(z.int().check(z.gte(1), z.lte(max))), `1–${max}, default ${LIMITS.pageSizeDefault}`);
const cursor = describe(z.optional(z.string()), "The previous page's nextCursor");
export const pagingQuery = (max: number = LIMITS.pageSizeMax) =>
  z.strictObject({ limit: limit(max), cursor });
/** One filter at a time, each served by its own index. */
export const listQueryOf = (c: CollectionName) =>
  z.strictObject({
    limit: limit(LIMITS.pageSizeMax),
    cursor,
    ...Object.fromEntries(
      listFiltersOf(c).map((f) => [
        f,
        describe(z.optional(z.string().check(z.minLength(1), z.maxLength(128))), 'Filter (one at a time)'),
      ]),
    ),
  });

/** `GET /v1/handoffs`: a department's inbox (`toDept`), by status too, or every handoff by status. */
export const handoffsQuery = z.strictObject({
  limit: limit(LIMITS.pageSizeMax),
  cursor,
  toDept: describe(z.optional(z.enum(DEPARTMENTS)), 'The receiving department'),
  status: describe(z.optional(z.enum(HANDOFF_STATUSES)), "The handoff's status (with toDept or alone)"),
});

export const timelinePage = named(
  z.strictObject({
    items: z.array(
      z.union(
        COLLECTION_NAMES.filter((c) => c !== 'accounts' && c !== 'handoffs').map((c) =>
          z.strictObject({ collection: z.literal(c), record: recordSchemaOf(c) }),
        ),
      ),
    ),
    nextCursor,
  }),
  'TimelinePage',
);

export const conversionResult = named(
  z.strictObject({
    lead: recordSchemaOf('leads'),
    accountId: id(),
    account: z.nullable(recordSchemaOf('accounts')),
    contact: recordSchemaOf('contacts'),
    opportunity: z.nullable(recordSchemaOf('opportunities')),
  }),
  'Conversion',
  'account is null when an existing account was linked; opportunity when none was asked for',
);

const WRITE_SCOPES = ['none', 'own', 'department', 'all'] as const satisfies readonly WriteScope[];
const scope = z.enum(WRITE_SCOPES);
export const me = named(
  z.strictObject({
    userId: userId(),
    username: z.string(),
    department: z.nullable(z.enum(DEPARTMENTS)),
    groups: z.array(z.string()),
    isManager: z.boolean(),
    isAdmin: z.boolean(),
    permissions: z.record(
      z.enum(COLLECTION_NAMES),
      z.strictObject({
        read: z.boolean(),
        create: z.boolean(),
        update: scope,
        delete: scope,
        hiddenFields: z.array(z.string()),
      }),
    ),
    problems: describe(z.array(z.string()), "Why the token's groups give no role; empty when they do"),
  }),
  'Me',
);

const listedUser = {
  username: z.string(),
  userId: userId(),
  email: z.nullable(z.string()),
  enabled: z.boolean(),
  status: z.string(),
  createdAt: z.nullable(isoDateTime()),
  groups: z.array(z.string()),
};

export const usersPage = named(
  z.strictObject({ items: z.array(z.strictObject(listedUser)), nextCursor }),
  'UserPage',
);

export const invitedUser = named(
  z.strictObject({
    ...listedUser,
    temporaryPassword: describe(
      z.optional(z.string()),
      'The local stack only: the password to hand over (its invitation is in the local mailbox too). In AWS Cognito emails it.',
    ),
  }),
  'InvitedUser',
);

const roleCell = {
  group: z.enum(ALL_GROUPS),
  collection: z.enum(CONFIGURABLE_COLLECTIONS),
  ...roleCellBody.shape,
  changed: describe(z.boolean(), "Whether an admin set this cell (else it holds the code's default)"),
};
export const roleCellReply = named(z.strictObject(roleCell), 'RoleCell');
export const rolesMatrix = named(
  z.strictObject({
    version: describe(z.number(), 'Moves with every change of a cell'),
    refreshSeconds: describe(
      z.number(),
      'How often each function checks for a change: in force everywhere within it',
    ),
    cells: z.array(z.strictObject(roleCell)),
  }),
  'RoleMatrix',
);

export const userGroups = named(
  z.strictObject({ username: z.string(), groups: z.array(z.enum(ALL_GROUPS)) }),
  'UserGroups',
);

export const links = named(
  z.strictObject({ name: z.string(), docs: z.string(), openapi: z.string() }),
  'Links',
  'Where the API reference and the OpenAPI document are (relative to the API)',
);
export const health = named(z.strictObject({ status: z.literal('ok') }), 'Health');
export const openApiReply = named(
  z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }),
  'OpenApiDocument',
);

export const problem = named(
  z.strictObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
  }),
  'Problem',
  'RFC 9457 problem details; errors[] names each field that is wrong (dotted path) and why',
);
/** What API Gateway itself answers in AWS (its JWT authorizer's 401, its throttling's 429). */
export const gatewayMessage = named(z.strictObject({ message: z.string() }), 'GatewayMessage');

const header = (description: string, schema: z.ZodMiniType = z.string(), required = true): HeaderSpec => ({
  description,
  schema,
  required,
});
export const HEADERS = {
  etag: header('The version as a strong ETag, for If-Match', z.string().check(z.regex(/^"\d+"$/))),
  location: (c: CollectionName) =>
    header('The new record', z.string().check(z.regex(new RegExp(`^/v1/${c}/[^/]+$`)))),
  userLocation: header('The new user', z.string().check(z.regex(/^\/v1\/admin\/users\/[^/]+$/))),
  replayed: header(
    'Set on a replay of an earlier create with this Idempotency-Key',
    z.literal('true'),
    false,
  ),
  noStore: header('For this caller and this moment only', z.literal('no-store')),
  publicCache: (value: string) => header('Public, the same for every caller', z.literal(value)),
  retryAfter: header('Seconds to wait before trying again', z.string().check(z.regex(/^\d+$/))),
  ifMatch: header(
    'Only if the record is still at one of these versions: "<version>", a list "3", "4", or *',
    z.string(),
    false,
  ),
  idempotencyKey: header(
    'A repeat with the same key and body (within 24 h) returns the first result and creates nothing',
    z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/)),
    false,
  ),
};

// ── Collaboration: comments, watching, notifications (collaboration-routes.ts) ────────────────────

named(
  commentRequest,
  'CommentRequest',
  'Plain text (1–10,000 characters); `@username` mentions notify',
  'input',
);

/** `GET /v1/notifications`: unread ones only with `unread=true`. */
export const notificationsQuery = z.strictObject({
  limit: limit(LIMITS.pageSizeMax),
  cursor,
  unread: describe(z.optional(z.enum(['true', 'false'])), 'Only the unread ones (true)'),
});

export const notification = named(
  z.strictObject({
    id: describe(id(), 'The same for the same event and recipient (a replayed event makes no second one)'),
    type: z.enum(NOTIFICATION_TYPES),
    at: describe(isoDateTime(), 'When the change happened'),
    read: z.boolean(),
    actor: describe(z.nullable(userId()), 'Who made the change'),
    event: z.strictObject({ type: z.string(), entity: z.string(), id: id() }),
    record: describe(
      z.union(COLLECTION_NAMES.map(recordSchemaOf)),
      'The record as the recipient may see it (hidden fields left out); a deleted record as it was last',
    ),
  }),
  'Notification',
);

export const notificationsPage = named(
  z.strictObject({ items: z.array(notification), nextCursor }),
  'NotificationPage',
);

export const markedRead = named(
  z.strictObject({ marked: describe(z.int().check(z.gte(0)), 'How many were unread') }),
  'MarkedRead',
);

export const commentLocation = header(
  'The new comment',
  z.string().check(z.regex(/^\/v1\/[a-z]+\/[^/]+\/comments\/[^/]+$/)),
);
