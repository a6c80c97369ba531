import * as z from 'zod/mini';
import { LIMITS } from '../config/limits.js';
import { COLLECTION_NAMES } from '../domain/collections.js';
import { id, isoDateTime } from '../domain/fields.js';
import { ACTIONS } from '../events/names.js';
import { NAMED_SCHEMAS } from './route-schemas.js';

/** The schemas of the change feed and the audit trail routes (their queries and replies), for routes.ts. */

function named<T extends z.ZodMiniType>(schema: T, name: string, description?: string): T {
  NAMED_SCHEMAS.set(schema, { id: name, description, io: 'output' });
  return schema;
}
function describe<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

const limit = describe(
  z.optional(z.int().check(z.gte(1), z.lte(LIMITS.pageSizeMax))),
  `1–${LIMITS.pageSizeMax}, default ${LIMITS.pageSizeDefault}`,
);
const fields = describe(
  z.record(z.string(), z.unknown()),
  'Field values; fields the caller may not see left out',
);

export const changesQuery = z.strictObject({
  since: describe(
    z.optional(z.string()),
    "The previous page's nextCursor; without it, the oldest change kept",
  ),
  limit,
});

export const changesPage = named(
  z.strictObject({
    items: z.array(
      z.strictObject({
        type: describe(z.string(), 'The detail-type: `<entity>.<action>` or a domain event'),
        specversion: z.int(),
        eventId: z.string(),
        entity: z.string(),
        id: id(),
        action: z.enum(ACTIONS),
        changedFields: z.array(z.string()),
        actor: z.nullable(z.string()),
        ownerDept: z.string(),
        occurredAt: isoDateTime(),
        record: fields,
      }),
    ),
    nextCursor: describe(z.string(), 'Always given: resumes right after the last item (poll with it)'),
  }),
  'ChangesPage',
  "The caller's change feed, in commit order",
);

export const auditQuery = z.strictObject({
  collection: z.enum(COLLECTION_NAMES),
  id: describe(z.string(), "The record's id"),
  limit,
  cursor: describe(z.optional(z.string()), "The previous page's nextCursor"),
});

export const auditPage = named(
  z.strictObject({
    items: z.array(
      z.strictObject({
        eventId: z.string(),
        entity: z.string(),
        id: z.string(),
        at: isoDateTime(),
        actor: z.nullable(z.string()),
        type: z.string(),
        action: z.enum(ACTIONS),
        changedFields: z.array(z.string()),
        before: describe(z.nullable(fields), 'The changed fields before (the whole record on delete)'),
        after: describe(z.nullable(fields), 'The changed fields after (the whole record on create)'),
        ownerDept: z.string(),
      }),
    ),
    nextCursor: describe(z.nullable(z.string()), 'Opaque and signed: the next page; null on the last'),
  }),
  'AuditPage',
  "A record's audit trail, newest first",
);
