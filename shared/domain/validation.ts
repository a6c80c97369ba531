import * as z from 'zod/mini';
import { COLLECTIONS, type CollectionName, SERVER_FIELDS } from './collections.js';

export interface FieldError {
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

type Body = Record<string, unknown>;

function build(collection: CollectionName) {
  const def = COLLECTIONS[collection];
  const createShape: Record<string, z.ZodMiniType> = {};
  const patchShape: Record<string, z.ZodMiniType> = {};
  for (const [name, schema] of Object.entries(def.fields)) {
    const required = def.required.includes(name);
    createShape[name] = required ? schema : z.optional(schema);
    if (def.immutable?.includes(name)) continue;
    // JSON merge patch: null removes a field, so only optional fields may be null (and every record keeps an owner).
    patchShape[name] = z.optional(required || name === 'ownerId' ? schema : z.nullable(schema));
  }
  return { create: z.strictObject(createShape), patch: z.strictObject(patchShape) };
}

const SCHEMAS = Object.fromEntries(
  Object.keys(COLLECTIONS).map((name) => [name, build(name as CollectionName)]),
) as Record<CollectionName, ReturnType<typeof build>>;

export function createSchemaOf(collection: CollectionName) {
  return SCHEMAS[collection].create;
}
export function patchSchemaOf(collection: CollectionName) {
  return SCHEMAS[collection].patch;
}

/** zod/mini ships no message locale: this turns its issue codes into messages a client can show. */
function messageOf(issue: z.core.$ZodIssue): string {
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined)
    return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${issue.expected}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must have at least ${issue.minimum} character(s)`
        : `must be ≥ ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `must have at most ${issue.maximum} item(s) or character(s)`
        : `must be ≤ ${issue.maximum}`;
    case 'invalid_format':
      return issue.message && issue.message !== 'Invalid input'
        ? issue.message
        : `must be a valid ${issue.format}`;
    case 'invalid_union':
      return 'has an invalid value';
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is invalid';
  }
}

const SERVER_OWNED: readonly string[] = SERVER_FIELDS;

export function toFieldErrors(error: z.core.$ZodError, prefix = ''): FieldError[] {
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
      out.push({ path: base || '(body)', message: messageOf(issue) });
    }
  }
  return out;
}

export function validate<T>(schema: z.ZodMiniType<T>, input: unknown, prefix = ''): Validated<T> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, errors: toFieldErrors(result.error, prefix) };
}

/** States like `converted` belong to a domain action (lead conversion), never to a plain write. */
function rejectActionOnlyState(collection: CollectionName, result: Validated<Body>): Validated<Body> {
  if (!result.ok) return result;
  const { stateField, actionOnlyStates } = COLLECTIONS[collection];
  const state = stateField ? result.value[stateField] : undefined;
  if (stateField && typeof state === 'string' && actionOnlyStates?.includes(state)) {
    return { ok: false, errors: [{ path: stateField, message: `"${state}" is set by its own action` }] };
  }
  return result;
}

export function validateCreate(collection: CollectionName, body: unknown): Validated<Body> {
  return rejectActionOnlyState(collection, validate(createSchemaOf(collection), body) as Validated<Body>);
}

export function validatePatch(collection: CollectionName, body: unknown): Validated<Body> {
  const result = rejectActionOnlyState(
    collection,
    validate(patchSchemaOf(collection), body) as Validated<Body>,
  );
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
