import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type CollectionName, SERVER_FIELDS } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import {
  type FieldError,
  type Validated,
  validate,
  validateCreate,
  validatePatch,
} from '../../shared/domain/validation.js';

const ACCOUNT_ID = newId();

/** A valid create body for each collection: its required fields only. */
const MINIMAL: Record<CollectionName, Record<string, unknown>> = {
  accounts: { name: 'Acme' },
  contacts: { firstName: 'Ada', lastName: 'Lovelace' },
  leads: { name: 'Grace' },
  opportunities: { accountId: ACCOUNT_ID, name: 'Renewal' },
  cases: { accountId: ACCOUNT_ID, subject: 'Cannot log in' },
  activities: { type: 'call', subject: 'Intro', relatedTo: { collection: 'accounts', id: ACCOUNT_ID } },
  handoffs: { record: { collection: 'accounts', id: ACCOUNT_ID }, toDept: 'support', reason: 'Onboarding' },
  comments: { parent: { collection: 'accounts', id: ACCOUNT_ID }, body: 'Hello @sally' },
};

const REQUIRED: [CollectionName, string][] = [
  ['accounts', 'name'],
  ['contacts', 'firstName'],
  ['contacts', 'lastName'],
  ['leads', 'name'],
  ['opportunities', 'accountId'],
  ['opportunities', 'name'],
  ['cases', 'accountId'],
  ['cases', 'subject'],
  ['activities', 'type'],
  ['activities', 'subject'],
  ['activities', 'relatedTo'],
  ['handoffs', 'record'],
  ['handoffs', 'toDept'],
  ['handoffs', 'reason'],
  ['comments', 'parent'],
  ['comments', 'body'],
];

const errorsOf = (result: Validated<object>): FieldError[] => (result.ok ? [] : result.errors);
const pathsOf = (result: Validated<object>) => errorsOf(result).map((e) => e.path);

describe('validateCreate', () => {
  it.each(Object.entries(MINIMAL))('accepts the required fields of %s alone', (collection, body) => {
    // Act
    const result = validateCreate(collection as CollectionName, body);

    // Assess
    expect(result).toEqual({ ok: true, value: body });
  });

  it.each(REQUIRED)('requires %s.%s', (collection, field) => {
    // Prepare
    const { [field]: _, ...body } = MINIMAL[collection];

    // Act
    const result = validateCreate(collection, body);

    // Assess
    expect(errorsOf(result)).toEqual([{ path: field, message: 'is required' }]);
  });

  it('refuses a body that is not an object', () => {
    // Act
    const results = [validateCreate('accounts', undefined), validateCreate('accounts', ['Acme'])];

    // Assess
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(pathsOf(results[0]!)).toEqual(['(body)']);
  });

  it('refuses unknown fields and never keeps them', () => {
    // Act
    const result = validateCreate('accounts', { name: 'Acme', revenue: 10, __proto__x: 1 });

    // Assess
    expect(errorsOf(result)).toEqual([
      { path: 'revenue', message: 'is not a known field' },
      { path: '__proto__x', message: 'is not a known field' },
    ]);
  });

  it.each(SERVER_FIELDS.map((f) => [f]))('refuses the server field %s (no mass assignment)', (field) => {
    // Prepare
    const body = { ...MINIMAL.opportunities, [field]: field === 'version' ? 7 : 'x' };

    // Act
    const result = validateCreate('opportunities', body);

    // Assess
    expect(errorsOf(result)).toEqual([{ path: field, message: 'is set by the server and may not be sent' }]);
  });

  it('lets a creator name another owner', () => {
    // Act
    const result = validateCreate('accounts', { name: 'Acme', ownerId: 'u-2' });

    // Assess
    expect(result.ok).toBe(true);
  });

  it('refuses a lead created as converted (conversion is its own action)', () => {
    // Act
    const result = validateCreate('leads', { name: 'Grace', status: 'converted' });

    // Assess
    expect(pathsOf(result)).toEqual(['status']);
  });

  it.each(['new', 'working', 'qualified', 'disqualified'])('accepts a lead created as %s', (status) => {
    // Act
    const result = validateCreate('leads', { name: 'Grace', status });

    // Assess
    expect(result.ok).toBe(true);
  });

  it('trims text and refuses text that is only blanks', () => {
    // Act
    const trimmed = validateCreate('accounts', { name: '  Acme  ' });
    const blank = validateCreate('accounts', { name: '   ' });

    // Assess
    expect(trimmed).toEqual({ ok: true, value: { name: 'Acme' } });
    expect(pathsOf(blank)).toEqual(['name']);
  });

  it('reports every invalid field at once', () => {
    // Act
    const result = validateCreate('leads', { email: 'nope', score: 101 });

    // Assess
    expect(pathsOf(result).sort()).toEqual(['email', 'name', 'score']);
  });
});

describe('amount', () => {
  const create = (amount: unknown) => validateCreate('opportunities', { ...MINIMAL.opportunities, amount });

  it.each<[unknown, string]>([
    ['12.50', '12.50'],
    [12.5, '12.5'],
    [0, '0'],
    ['0', '0'],
    [1_000_000, '1000000'],
    ['123456789012345.123456', '123456789012345.123456'],
  ])('accepts %o as the decimal string %s', (amount, expected) => {
    // Act
    const result = create(amount);

    // Assess
    expect(result).toEqual({ ok: true, value: { ...MINIMAL.opportunities, amount: expected } });
  });

  it.each<[unknown]>([
    [-1],
    ['-1'],
    ['1e5'],
    ['abc'],
    [''],
    ['12.'],
    ['.5'],
    ['1,000'],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [true],
    [null],
  ])('refuses %o', (amount) => {
    // Act
    const result = create(amount);

    // Assess
    expect(pathsOf(result)).toEqual(['amount']);
  });

  it.each<[number]>([[1e-7], [12.3456789], [1e15]])(
    'holds a number %o to the same rule as a decimal string (never exponent notation or more than 6 decimals)',
    (amount) => {
      // Prepare
      const asString = create(amount.toFixed(7).replace(/0+$/, '').replace(/\.$/, ''));

      // Act
      const asNumber = create(amount);

      // Assess: a string refused for its precision/size must not slip in as a number.
      expect(asString.ok).toBe(false);
      expect(asNumber.ok).toBe(false);
    },
  );
});

describe('formats', () => {
  it.each<[CollectionName, string, unknown, boolean]>([
    ['contacts', 'email', 'ada@example.com', true],
    ['contacts', 'email', 'ada@', false],
    ['contacts', 'email', 'not an email', false],
    ['contacts', 'phone', '+44 20 7946 0000', true],
    ['contacts', 'phone', 'call me', false],
    ['contacts', 'accountId', 'not-an-id', false],
    ['contacts', 'marketingOptIn', 'yes', false],
    ['opportunities', 'currency', 'EUR', true],
    ['opportunities', 'currency', 'eur', false],
    ['opportunities', 'currency', 'EURO', false],
    ['opportunities', 'closeDate', '2025-12-31', true],
    ['opportunities', 'closeDate', '2025-13-01', false],
    ['opportunities', 'closeDate', '2025-12-31T00:00:00Z', false],
    ['opportunities', 'stage', 'won', true],
    ['opportunities', 'stage', 'closed-won', false],
    ['cases', 'dueAt', '2025-03-10T09:00:00Z', true],
    ['cases', 'dueAt', '2025-03-10T09:00:00+02:00', true],
    ['cases', 'dueAt', '2025-03-10', false],
    ['cases', 'dueAt', 'tomorrow', false],
    ['cases', 'priority', 'urgent', true],
    ['cases', 'priority', 'critical', false],
    ['leads', 'score', 100, true],
    ['leads', 'score', 0, true],
    ['leads', 'score', 101, false],
    ['leads', 'score', 5.5, false],
    ['accounts', 'domain', 'acme.com', true],
    ['accounts', 'domain', 'https://acme.com', false],
    ['accounts', 'lifecycleStage', 'customer', true],
    ['accounts', 'tags', ['vip', 'emea'], true],
    ['accounts', 'tags', 'vip', false],
  ])('%s.%s = %o → valid: %s', (collection, field, value, valid) => {
    // Act
    const result = validateCreate(collection, { ...MINIMAL[collection], [field]: value });

    // Assess
    expect(result.ok).toBe(valid);
    expect(pathsOf(result)).toEqual(valid ? [] : [field]);
  });

  it('names nested fields by dotted paths', () => {
    // Act
    const result = validateCreate('activities', {
      ...MINIMAL.activities,
      relatedTo: { collection: 'accounts', id: 'nope' },
    });

    // Assess
    expect(errorsOf(result)).toEqual([{ path: 'relatedTo.id', message: 'must be a record id' }]);
  });

  it('names unknown nested fields by dotted paths', () => {
    // Act
    const result = validateCreate('activities', {
      ...MINIMAL.activities,
      relatedTo: { collection: 'accounts', id: ACCOUNT_ID, extra: 1 },
    });

    // Assess
    expect(errorsOf(result)).toEqual([{ path: 'relatedTo.extra', message: 'is not a known field' }]);
  });

  it('refuses an activity related to a collection it cannot point at', () => {
    // Act
    const result = validateCreate('activities', {
      ...MINIMAL.activities,
      relatedTo: { collection: 'activities', id: ACCOUNT_ID },
    });

    // Assess
    expect(pathsOf(result)).toEqual(['relatedTo.collection']);
  });
});

describe('validatePatch', () => {
  it('accepts a change of one field', () => {
    // Act
    const result = validatePatch('cases', { priority: 'high' });

    // Assess
    expect(result).toEqual({ ok: true, value: { priority: 'high' } });
  });

  it('lets null remove an optional field (JSON merge patch)', () => {
    // Act
    const result = validatePatch('contacts', { email: null, phone: null });

    // Assess
    expect(result).toEqual({ ok: true, value: { email: null, phone: null } });
  });

  it.each(REQUIRED.filter(([c, f]) => !(c === 'activities' && f === 'relatedTo')))(
    'refuses null on the required field %s.%s',
    (collection, field) => {
      // Act
      const result = validatePatch(collection, { [field]: null });

      // Assess
      expect(pathsOf(result)).toEqual([field]);
    },
  );

  it('refuses to remove the owner: every record has an ownerId', () => {
    // Act
    const result = validatePatch('accounts', { ownerId: null });

    // Assess
    expect(pathsOf(result)).toEqual(['ownerId']);
  });

  it.each<[unknown]>([[{}], [undefined]])('refuses an empty patch (%o)', (body) => {
    // Act
    const result = validatePatch('accounts', body);

    // Assess
    expect(result.ok).toBe(false);
    expect(pathsOf(result)).toEqual(['(body)']);
  });

  it('refuses to move a lead to converted by a patch', () => {
    // Act
    const result = validatePatch('leads', { status: 'converted' });

    // Assess
    expect(pathsOf(result)).toEqual(['status']);
  });

  it('lets a patch qualify a lead', () => {
    // Act
    const result = validatePatch('leads', { status: 'qualified' });

    // Assess
    expect(result.ok).toBe(true);
  });

  it('refuses to re-point an activity (relatedTo is fixed at create)', () => {
    // Act
    const result = validatePatch('activities', { relatedTo: { collection: 'cases', id: ACCOUNT_ID } });

    // Assess
    expect(pathsOf(result)).toEqual(['relatedTo']);
  });

  it.each(SERVER_FIELDS.map((f) => [f]))('refuses the server field %s', (field) => {
    // Act
    const result = validatePatch('cases', { subject: 'x', [field]: 'x' });

    // Assess
    expect(errorsOf(result)).toEqual([{ path: field, message: 'is set by the server and may not be sent' }]);
  });

  it('refuses unknown fields', () => {
    // Act
    const result = validatePatch('cases', { severity: 1 });

    // Assess
    expect(errorsOf(result)).toEqual([{ path: 'severity', message: 'is not a known field' }]);
  });

  it('normalizes a number amount to a string in a patch too', () => {
    // Act
    const result = validatePatch('opportunities', { amount: 12.5 });

    // Assess
    expect(result).toEqual({ ok: true, value: { amount: '12.5' } });
  });
});

describe('messages: a wrong value says what is wrong', () => {
  const create = (collection: CollectionName, fields: Record<string, unknown>) =>
    errorsOf(validateCreate(collection, { ...MINIMAL[collection], ...fields }));
  const SIZES = '"1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"';

  it.each<[string, CollectionName, Record<string, unknown>, FieldError]>([
    // invalid_type, one per type our schemas expect
    ['a number for a string', 'accounts', { name: 5 }, { path: 'name', message: 'must be a string' }],
    ['null for a required string', 'accounts', { name: null }, { path: 'name', message: 'must be a string' }],
    ['a string for a number', 'leads', { score: '5' }, { path: 'score', message: 'must be a number' }],
    ['a fraction for an int', 'leads', { score: 5.5 }, { path: 'score', message: 'must be a whole number' }],
    [
      'a string for a boolean',
      'contacts',
      { marketingOptIn: 'yes' },
      { path: 'marketingOptIn', message: 'must be a boolean' },
    ],
    ['a string for an array', 'accounts', { tags: 'vip' }, { path: 'tags', message: 'must be an array' }],
    [
      'a string for an object',
      'activities',
      { relatedTo: 'accounts' },
      { path: 'relatedTo', message: 'must be an object' },
    ],
    [
      'a number in an array of strings',
      'accounts',
      { tags: [7] },
      { path: 'tags.0', message: 'must be a string' },
    ],
    // invalid_value (enums), top level and nested
    [
      'an unknown enum value',
      'accounts',
      { size: 'big' },
      { path: 'size', message: `must be one of: ${SIZES}` },
    ],
    ['a number for an enum', 'accounts', { size: 10 }, { path: 'size', message: `must be one of: ${SIZES}` }],
    [
      'an unknown nested enum value',
      'activities',
      { relatedTo: { collection: 'planets', id: ACCOUNT_ID } },
      {
        path: 'relatedTo.collection',
        message: 'must be one of: "accounts", "contacts", "leads", "opportunities", "cases"',
      },
    ],
    // too_small / too_big for strings, numbers and arrays
    [
      'an empty string',
      'accounts',
      { name: '' },
      { path: 'name', message: 'must have at least 1 character(s)' },
    ],
    [
      'blanks only (trimmed)',
      'accounts',
      { name: '   ' },
      { path: 'name', message: 'must have at least 1 character(s)' },
    ],
    [
      'a string too long',
      'accounts',
      { name: 'x'.repeat(201) },
      { path: 'name', message: 'must have at most 200 character(s)' },
    ],
    [
      'a string too long in an array',
      'accounts',
      { tags: ['x'.repeat(51)] },
      { path: 'tags.0', message: 'must have at most 50 character(s)' },
    ],
    [
      'an array too long',
      'accounts',
      { tags: Array(51).fill('a') },
      { path: 'tags', message: 'must have at most 50 item(s)' },
    ],
    ['a number too small', 'leads', { score: -1 }, { path: 'score', message: 'must be ≥ 0' }],
    ['a number too big', 'leads', { score: 101 }, { path: 'score', message: 'must be ≤ 100' }],
    // invalid_format: email, regex (with its own message), iso date and datetime
    ['a bad email', 'contacts', { email: 'ada@' }, { path: 'email', message: 'must be an email address' }],
    ['a bad phone', 'contacts', { phone: 'call me' }, { path: 'phone', message: 'must be a phone number' }],
    [
      'a bad currency',
      'opportunities',
      { currency: 'eur' },
      { path: 'currency', message: 'must be an ISO 4217 code like EUR' },
    ],
    ['a bad id', 'contacts', { accountId: 'nope' }, { path: 'accountId', message: 'must be a record id' }],
    [
      'a bad nested id',
      'activities',
      { relatedTo: { collection: 'accounts', id: 'x' } },
      { path: 'relatedTo.id', message: 'must be a record id' },
    ],
    [
      'a bad date',
      'opportunities',
      { closeDate: '2025-13-01' },
      { path: 'closeDate', message: 'must be a date like 2025-12-31' },
    ],
    [
      'a date for a date-time',
      'cases',
      { dueAt: '2025-03-10' },
      { path: 'dueAt', message: 'must be a date-time with a time zone, like 2025-03-10T09:00:00Z' },
    ],
    [
      'a bad decimal',
      'opportunities',
      { amount: '1e5' },
      { path: 'amount', message: 'must be a non-negative decimal (up to 15 digits, 6 decimals)' },
    ],
    // invalid_union: amount takes a number or a string
    [
      'a boolean for an amount',
      'opportunities',
      { amount: true },
      { path: 'amount', message: 'must be a number or a string' },
    ],
    [
      'an object for an amount',
      'opportunities',
      { amount: {} },
      { path: 'amount', message: 'must be a number or a string' },
    ],
  ])('%s', (_, collection, fields, expected) => {
    // Act
    const errors = create(collection, fields);

    // Assess
    expect(errors).toEqual([expected]);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'must be an object'],
    ['an array', ['Acme'], 'must be an object'],
    ['a string', 'Acme', 'must be an object'],
    ['nothing', undefined, 'is required'],
  ])('names a body that is %s', (_, body, message) => {
    // Act
    const errors = errorsOf(validateCreate('accounts', body));

    // Assess
    expect(errors).toEqual([{ path: '(body)', message }]);
  });

  it('says "is required" for missing fields only, nested ones too', () => {
    // Act
    const errors = create('activities', { relatedTo: {}, subject: undefined });

    // Assess
    expect(errors).toEqual([
      { path: 'subject', message: 'is required' },
      { path: 'relatedTo.collection', message: 'is required' },
      { path: 'relatedTo.id', message: 'is required' },
    ]);
  });

  it('says what is wrong in a patch, where null removes only optional fields', () => {
    // Act
    const errors = errorsOf(validatePatch('accounts', { name: null, size: 5, tags: 5, ownerId: null }));

    // Assess
    expect(errors).toEqual([
      { path: 'name', message: 'must be a string' },
      { path: 'size', message: `must be one of: ${SIZES}` },
      { path: 'tags', message: 'must be an array' },
      { path: 'ownerId', message: 'must be a string' },
    ]);
  });

  it.each<[string, z.ZodMiniType, unknown, string]>([
    [
      'a custom check with its own message',
      z.string().check(z.refine((s) => s.length > 3, 'is too short')),
      'ab',
      'is too short',
    ],
    ['a custom check without a message', z.string().check(z.refine((s) => s.length > 3)), 'ab', 'is invalid'],
    ['a single allowed value', z.literal('yes'), 'no', 'must be "yes"'],
    ['an exclusive minimum', z.number().check(z.gt(5)), 5, 'must be > 5'],
    ['an exclusive maximum', z.number().check(z.lt(5)), 5, 'must be < 5'],
    ['a multiple', z.number().check(z.multipleOf(5)), 3, 'must be a multiple of 5'],
    ['an array too short', z.array(z.string()).check(z.minLength(1)), [], 'must have at least 1 item(s)'],
  ])('words %s', (_, schema, value, message) => {
    // Act
    const result = validate(z.strictObject({ field: schema }), { field: value });

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'field', message }] });
  });

  it('puts a prefix before nested paths and still reads presence from the input', () => {
    // Act
    const result = validate(
      z.strictObject({ a: z.strictObject({ b: z.boolean() }) }),
      { a: {} },
      'opportunity',
    );

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'opportunity.a.b', message: 'is required' }] });
  });
});
