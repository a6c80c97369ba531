import fc from 'fast-check';
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  type CollectionName,
  hasRecordRoute,
  SERVER_FIELDS,
} from '../../shared/domain/collections.js';
import { ROUTES } from '../../shared/http/routes.js';
import type { Who } from './fuzz-harness.js';
import { validCreateBody, validPatchBody, WRITER } from './fuzz-targets.js';

/** fast-check generators of bad input for the bad-input fuzz tests: keys, values, bodies, ids. */
type Kind = 'string' | 'bool' | 'amount' | 'int' | 'object' | 'array';
const KIND: Record<string, Kind> = {
  marketingOptIn: 'bool',
  done: 'bool',
  amount: 'amount',
  score: 'int',
  relatedTo: 'object',
  tags: 'array',
};
const kindOf = (field: string): Kind => KIND[field] ?? 'string';
export const fieldsOf = (c: CollectionName) => Object.keys(COLLECTIONS[c].fields);

const TRICKY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'PK',
  'SK',
  'GSI1PK',
  '_collection',
  '_deletedAt',
  '_expiresAt',
  '$where',
  '',
  ' ',
  'name ',
  'Name',
  'OWNERID',
  'owner_id',
  'a.b',
  'relatedTo.id',
  'ünïcødé',
  '🙂',
];

export const anyKey = fc.oneof(
  fc.constantFrom(...TRICKY_KEYS),
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
);
export const unknownKeyOf = (known: readonly string[]) => anyKey.filter((k) => !known.includes(k));

export const json = fc.jsonValue({ maxDepth: 3 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
export const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const nonEmptyArray = fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 4 });
/** An object with a key no field schema (not even relatedTo's {collection,id}) knows. */
const strangeObject = fc.dictionary(unknownKeyOf(['collection', 'id']), fc.jsonValue({ maxDepth: 2 }), {
  minKeys: 1,
  maxKeys: 3,
});
export const badIdString = fc.oneof(
  anyString.filter((s) => !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(s)),
  fc.ulid().map((u) => u.toLowerCase()),
);
/** Over every field's limit (the longest, longText, takes 10 000), sometimes over the 256 KB body limit. */
const hugeString = fc
  .oneof(
    { weight: 9, arbitrary: fc.integer({ min: 10_001, max: 40_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 270_000, max: 300_000 }) },
  )
  .map((n) => 'x'.repeat(n));

/** A value the field's schema refuses, by type or range, whatever the rest of the body. */
function wrongValue(c: CollectionName, field: string, mode: 'create' | 'patch'): fc.Arbitrary<unknown> {
  const def = COLLECTIONS[c];
  // JSON merge patch: null removes an optional field, so null is only wrong where it cannot.
  const nullIsWrong = mode === 'create' || def.required.includes(field) || def.immutable?.includes(field);
  const common: fc.Arbitrary<unknown>[] = [strangeObject];
  if (nullIsWrong) common.push(fc.constant(null));
  switch (kindOf(field)) {
    case 'string':
      return fc.oneof(fc.integer(), finite, fc.boolean(), fc.array(json, { maxLength: 3 }), ...common);
    case 'bool':
      return fc.oneof(anyString, fc.integer(), nonEmptyArray, ...common);
    case 'amount':
      return fc.oneof(
        fc.boolean(),
        nonEmptyArray,
        fc.integer({ max: -1 }),
        fc.double({ min: -1e12, max: -0.0001, noNaN: true }),
        fc.double({ min: 1.0001e15, max: 1e300, noNaN: true }),
        fc.constantFrom('abc', '-1', '1.2345678', '1e3', '', ' 1', '1,000', '0x10', 'NaN', '١٢', '1.', '.5'),
        fc.constant('1234567890123456'),
        ...common,
      );
    case 'int':
      return fc.oneof(
        anyString,
        fc.boolean(),
        nonEmptyArray,
        fc.integer({ min: 101 }),
        fc.integer({ max: -1 }),
        fc.double({ min: 0.001, max: 99.999, noNaN: true }).filter((x) => !Number.isInteger(x)),
        ...common,
      );
    case 'object':
      return fc.oneof(
        anyString,
        fc.integer(),
        fc.boolean(),
        nonEmptyArray,
        fc.constant({}),
        fc.record({ collection: fc.constantFrom('activities', 'users', '', 'ACCOUNTS'), id: fc.ulid() }),
        fc.record({ collection: fc.constantFrom('accounts', 'contacts'), id: badIdString }),
        ...common,
      );
    case 'array':
      return fc.oneof(
        anyString,
        fc.integer(),
        fc.boolean(),
        fc.array(fc.oneof(fc.integer(), fc.boolean(), strangeObject), { minLength: 1, maxLength: 3 }),
        fc.constant(Array.from({ length: 51 }, (_, i) => `t${i}`)),
        fc.constant(['x'.repeat(51)]),
        fc.constant(['   ']),
        ...common,
      );
  }
}

type Entry = [string, unknown];

/** One change that alone makes a body invalid for the collection: unknown, server-owned or ill-typed. */
export function badEntry(
  c: CollectionName,
  mode: 'create' | 'patch',
  fields = fieldsOf(c),
): fc.Arbitrary<Entry> {
  const options: fc.Arbitrary<Entry>[] = [
    fc.tuple(unknownKeyOf(fieldsOf(c)), json),
    fc.tuple(
      fc.constantFrom(...SERVER_FIELDS),
      fc.oneof(json, fc.constantFrom('sales', 1, 2, '2020-01-01T00:00:00.000Z', 'x')),
    ),
    fc.constantFrom(...fields).chain((f) => wrongValue(c, f, mode).map((v): Entry => [f, v])),
    fc.constantFrom(...fields).chain((f) => hugeString.map((v): Entry => [f, v])),
  ];
  if (mode === 'patch' && COLLECTIONS[c].immutable?.length) {
    options.push(fc.constantFrom(...COLLECTIONS[c].immutable!).map((f): Entry => [f, validCreateBody(c)[f]]));
  }
  if (mode === 'patch' && c === 'leads') options.push(fc.constant<Entry>(['status', 'converted']));
  return fc.oneof(...options);
}

/** A valid base (or none) with 1–3 bad entries on top: the last word on a key is always a bad one. */
function badObject(c: CollectionName, mode: 'create' | 'patch', base: () => Record<string, unknown>) {
  return fc
    .record({ keepBase: fc.boolean(), bad: fc.array(badEntry(c, mode), { minLength: 1, maxLength: 3 }) })
    .map(({ keepBase, bad }) =>
      JSON.stringify(Object.fromEntries([...(keepBase ? Object.entries(base()) : []), ...bad])),
    );
}

/** A JSON body that is no object at all. */
export const notAnObject = fc
  .oneof(fc.constant(null), fc.boolean(), fc.integer(), finite, anyString, fc.array(json, { maxLength: 4 }))
  .map((v) => JSON.stringify(v));

/** Deeply nested arrays or objects, as text (JSON.stringify would recurse), in a field or as the body. */
export const deepNesting = fc
  .record({
    depth: fc.integer({ min: 50, max: 40_000 }),
    kind: fc.constantFrom('array', 'object'),
    wrap: fc.boolean(),
  })
  .map(({ depth, kind, wrap }) => {
    const inner =
      kind === 'array'
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return wrap ? `{"nested":${inner}}` : inner;
  });

/** Random objects made only of unknown keys. */
const unknownOnly = (c: CollectionName) =>
  fc.dictionary(unknownKeyOf(fieldsOf(c)), json, { minKeys: 1, maxKeys: 5 }).map((o) => JSON.stringify(o));

export function badCreateBody(c: CollectionName): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: badObject(c, 'create', () => validCreateBody(c)) },
    { weight: 2, arbitrary: notAnObject },
    { weight: 2, arbitrary: unknownOnly(c) },
    { weight: 1, arbitrary: deepNesting },
  );
}

export function badPatchBody(c: CollectionName): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: badObject(c, 'patch', () => validPatchBody(c)) },
    { weight: 2, arbitrary: notAnObject },
    { weight: 1, arbitrary: fc.constant('{}') },
    { weight: 2, arbitrary: unknownOnly(c) },
    { weight: 1, arbitrary: deepNesting },
  );
}

/** The collections served at `/v1/{collection}` (comments live under their record: their own cases). */
export const collection = fc.constantFrom(
  ...COLLECTION_NAMES.filter((c) => ROUTES.some((r) => r.path === `/v1/${c}`)),
);
/** The collections a PATCH and a DELETE serve (handoffs move by their actions instead). */
export const changeable = fc.constantFrom(
  ...COLLECTION_NAMES.filter((c) => hasRecordRoute(c, 'patch') && hasRecordRoute(c, 'delete')),
);
export const writerOrAdmin = (c: CollectionName) => fc.constantFrom<Who>('ada', WRITER[c]);

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD, as in UTF-8). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
