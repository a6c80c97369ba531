import * as z from 'zod/mini';
import { WRITE_SCOPES } from '../policy/role-cells.js';
import type { CollectionName } from './collections.js';
import { email, id } from './fields.js';

/**
 * The bodies of the domain actions (lead conversion, a user's groups): the schemas their use cases
 * validate with, and that the route table hands to the OpenAPI document. Apart from the use cases, so
 * that the route table (in every bundle) takes them without the use cases' store clients.
 */

/** Which collection's create schema validates a conversion part (the OpenAPI document shows its fields). */
export const CONVERSION_PARTS = z.registry<{ collection: CollectionName }>();

/**
 * A part's fields, passed through as sent: each is then validated by its collection's own create
 * schema. Not a zod record, which rebuilds the object by assignment and so silently drops an own
 * `__proto__` key: passed through, `__proto__` (like `constructor`, `prototype`) is refused as on create.
 */
const part = (collection: CollectionName) =>
  z.optional(
    z
      .custom<Record<string, unknown>>(
        (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
        'must be an object',
      )
      .register(CONVERSION_PARTS, { collection }),
  );

export const convertLeadBody = z.strictObject({
  accountId: z.optional(id()),
  account: part('accounts'),
  contact: part('contacts'),
  opportunity: part('opportunities'),
});

const groups = z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(z.maxLength(10));

export const userGroupsBody = z.strictObject({ groups });

/** Cognito usernames: 1–128 letters, marks, symbols, digits and punctuation (no spaces). */
export const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

export const inviteUserBody = z.strictObject({
  username: z.string().check(z.regex(USERNAME, 'must be 1–128 characters without spaces')),
  email: email(),
  groups,
});

/** One cell of the role permissions (PUT /v1/admin/roles/{group}/collections/{collection}). */
export const roleCellBody = z.strictObject({
  read: z.boolean(),
  create: z.boolean(),
  update: z.enum(WRITE_SCOPES),
  delete: z.enum(WRITE_SCOPES),
  hiddenFields: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(50)),
});
