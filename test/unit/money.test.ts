import { describe, expect, it } from 'vitest';
import { isExactAmount } from '../../shared/domain/fields.js';
import { validateCreate, validatePatch } from '../../shared/domain/validation.js';

/** docs/api.md "Record rules": a JSON number is money only when exact (≤ 2 decimals, ≤ 15 significant digits). */
const ACCOUNT_ID = '01JZZZZZZZZZZZZZZZZZZZZZZ1';
const create = (amount: unknown) =>
  validateCreate('opportunities', { accountId: ACCOUNT_ID, name: 'Deal', amount });
/** What the client would send on the wire: the number's JSON text, parsed as the API parses it. */
const wire = (json: string): unknown => JSON.parse(json);

describe('amount as a JSON number', () => {
  it.each<[string, string]>([
    ['0', '0'],
    ['12.5', '12.5'],
    ['12.50', '12.5'],
    ['0.01', '0.01'],
    ['1200.99', '1200.99'],
    ['123456789012345', '123456789012345'],
    ['9999999999999.99', '9999999999999.99'],
    ['1234567890123.45', '1234567890123.45'],
    ['-0', '0'],
  ])('accepts the exact number %s as the decimal string %s', (json, stored) => {
    // Act
    const result = create(wire(json));
    // Assess
    expect(result).toEqual({ ok: true, value: { accountId: ACCOUNT_ID, name: 'Deal', amount: stored } });
  });

  it.each<[string, string]>([
    ['0.30000000000000004', 'the float sum 0.1 + 0.2'],
    ['1.005', 'three decimals'],
    ['0.001', 'three decimals, one significant digit'],
    ['1e21', 'exponent form'],
    ['1e-7', 'a tiny exponent form'],
    ['12345678901234567', '17 digits, which a double rounds to …568'],
    ['1234567890123456', '16 significant digits (exact in a double, still over the limit)'],
    ['1e15', '16 digits'],
    ['99999999999999.99', '16 significant digits with decimals'],
    ['9007199254740993', 'beyond 2^53'],
  ])('refuses %s (%s) with a message that says to send a string', (json) => {
    // Act
    const result = create(wire(json));
    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ path: 'amount', message: expect.stringContaining('send') }]);
    expect(result.errors[0]?.message).toContain('exact');
  });

  it('refuses a negative number as money (exact or not)', () => {
    for (const n of [-1, -0.5, -1.005]) {
      const result = create(n);
      expect(result.ok, String(n)).toBe(false);
    }
  });

  it('refuses what JSON cannot carry but a caller could pass (NaN, ±Infinity)', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(create(n).ok, String(n)).toBe(false);
    }
  });

  it('holds a PATCH to the same rule as a create', () => {
    expect(validatePatch('opportunities', { amount: 0.1 + 0.2 }).ok).toBe(false);
    expect(validatePatch('opportunities', { amount: 19.99 })).toEqual({
      ok: true,
      value: { amount: '19.99' },
    });
  });
});

describe('amount as a string keeps the decimal rule (up to 15 digits and 6 decimals)', () => {
  it.each<[string]>([['1.005'], ['0.300000'], ['123456789012345.123456'], ['0.000001']])(
    'accepts %s exactly as sent',
    (amount) => {
      expect(create(amount)).toEqual({ ok: true, value: { accountId: ACCOUNT_ID, name: 'Deal', amount } });
    },
  );

  it.each<[string]>([['0.30000000000000004'], ['1e21'], ['12345678901234567'], ['-1'], ['1.0000001']])(
    'refuses %s',
    (amount) => {
      expect(create(amount).ok).toBe(false);
    },
  );
});

describe('isExactAmount', () => {
  it.each<[number, boolean]>([
    [0, true],
    [0.1, true],
    [0.1 + 0.2, false],
    [1.005, false],
    [100, true],
    [1e21, false],
    [Number('12345678901234567'), false], // a double rounds it to …568
    [123456789012345, true],
    [999999999999999, true],
    [1e15, false],
    [0.07, true],
    [1.1 * 3, false],
  ])('%d → %s', (n, exact) => {
    expect(isExactAmount(n)).toBe(exact);
  });
});
