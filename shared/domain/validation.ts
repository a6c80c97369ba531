import * as z from 'zod/mini';
import {
  COLLECTIONS,
  type CollectionName,
  CREATE_SCHEMAS,
  type FieldsOf,
  fieldOf,
  mapCollections,
  SERVER_FIELDS,
} from './collections.js';

export interface FieldError {
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * A JSON merge patch of a record's fields, as validated: a value sets the field, null removes it.
 * Keyed by name at run time (any field of the collection), its values already checked by the schema.
 */
export type RecordPatch = Readonly<Record<string, unknown>>;

/** JSON merge patch: null removes a field, so only optional fields may be null (and every record keeps an owner). */
function patchSchema(collection: CollectionName) {
  const def = COLLECTIONS[collection];
  const shape: Record<string, z.ZodMiniType> = {};
  for (const [name, schema] of Object.entries(def.fields)) {
    if (def.immutable?.includes(name)) continue;
    const value = schema instanceof z.ZodMiniOptional ? schema.def.innerType : schema;
    const required = def.required.includes(name);
    shape[name] = z.optional(required || name === 'ownerId' ? value : z.nullable(value));
  }
  return z.strictObject(shape);
}

const PATCH_SCHEMAS = mapCollections(patchSchema);

export function createSchemaOf<C extends CollectionName>(collection: C): z.ZodMiniType<FieldsOf<C>> {
  return CREATE_SCHEMAS[collection];
}
export function patchSchemaOf(collection: CollectionName): z.ZodMiniType<RecordPatch> {
  return PATCH_SCHEMAS[collection];
}

/**
 * Whether the input holds nothing at this path. zod 4 leaves the input out of its issues, so
 * "missing" is read from the input itself: a key that is absent (or undefined) at any step.
 */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return true;
    value = typeof key === 'symbol' ? undefined : fieldOf(value, String(key));
  }
  return value === undefined;
}

/** zod's type names as a client reads them (`int` is zod's name for a whole number). */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};
const typeName = (expected: string) => TYPE_NAMES[expected] ?? expected;

/** What a format is, for formats whose check carries no message of its own. */
const FORMAT_NAMES: Record<string, string> = {
  email: 'an email address',
  date: 'a date like 2025-12-31',
  datetime: 'a date-time with a time zone, like 2025-03-10T09:00:00Z',
};

const own = (message: string | undefined) => (message && message !== 'Invalid input' ? message : undefined);

/** A union whose every branch refused the value's type alone says which types it takes. */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = issue.errors.map((branch) =>
    branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0
      ? branch[0].expected
      : undefined,
  );
  if (expected.length && expected.every(Boolean))
    return `must be ${expected.map((e) => typeName(e!)).join(' or ')}`;
  return own(issue.message) ?? 'has an invalid value';
}

const bound = (inclusive: boolean | undefined, incl: string, excl: string) =>
  inclusive === false ? excl : incl;

/** zod/mini ships no message locale: this turns its issue codes into messages a client can show. */
function messageOf(issue: z.core.$ZodIssue, input: unknown): string {
  if (isMissing(input, issue.path)) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${typeName(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return `must have at least ${issue.minimum} character(s)`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item(s)`;
      return `must be ${bound(issue.inclusive, '≥', '>')} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must have at most ${issue.maximum} character(s)`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} item(s)`;
      return `must be ${bound(issue.inclusive, '≤', '<')} ${issue.maximum}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return own(issue.message) ?? `must be ${FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`}`;
    case 'invalid_union':
      return unionMessage(issue);
    default:
      return own(issue.message) ?? 'is invalid';
  }
}

const SERVER_OWNED: readonly string[] = SERVER_FIELDS;

/** `input` is what the schema parsed: it tells a missing field from a wrong one. */
export function toFieldErrors(error: z.core.$ZodError, input: unknown, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = base ? `${base}.${key}` : key;
        const why = SERVER_OWNED.includes(key)
          ? 'is set by the server and may not be sent'
          : 'is not a known field';
        out.push({ path, message: why });
      }
    } else {
      out.push({ path: base || '(body)', message: messageOf(issue, input) });
    }
  }
  return out;
}

export function validate<T>(schema: z.ZodMiniType<T>, input: unknown, prefix = ''): Validated<T> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, errors: toFieldErrors(result.error, input, prefix) };
}

/** States like `converted` belong to a domain action (lead conversion), never to a plain write. */
function rejectActionOnlyState<T extends object>(
  collection: CollectionName,
  result: Validated<T>,
): Validated<T> {
  if (!result.ok) return result;
  const { stateField, actionOnlyStates } = COLLECTIONS[collection];
  const state = stateField ? fieldOf(result.value, stateField) : undefined;
  if (stateField && typeof state === 'string' && actionOnlyStates?.includes(state)) {
    return { ok: false, errors: [{ path: stateField, message: `"${state}" is set by its own action` }] };
  }
  return result;
}

export function validateCreate<C extends CollectionName>(
  collection: C,
  body: unknown,
): Validated<FieldsOf<C>> {
  return rejectActionOnlyState(collection, validate(createSchemaOf(collection), body));
}

export function validatePatch(collection: CollectionName, body: unknown): Validated<RecordPatch> {
  const result = rejectActionOnlyState(collection, validate(patchSchemaOf(collection), body));
  if (!result.ok) {
    const fixed = COLLECTIONS[collection].immutable ?? [];
    return {
      ok: false,
      errors: result.errors.map((e) =>
        fixed.includes(e.path) ? { ...e, message: 'is fixed at create' } : e,
      ),
    };
  }
  if (Object.keys(result.value).length === 0) {
    return { ok: false, errors: [{ path: '(body)', message: 'must change at least one field' }] };
  }
  return result;
}
