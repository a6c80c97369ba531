import { describe, expect, it } from 'vitest';
import { fromUnits, MICRO_SCALE, sumDecimals, toUnits, weighDecimal } from '../../shared/reports/decimal.js';

/** The reports' money: decimal strings summed as BigInt micro-units, never as floats. */
describe('decimal strings and micro-units', () => {
  it.each([
    ['0', 0n],
    ['7', 7_000_000n],
    ['48000.00', 48_000_000_000n],
    ['0.000001', 1n],
    ['12.5', 12_500_000n],
    ['999999999999999.999999', 999_999_999_999_999_999_999n],
    ['-3.25', -3_250_000n],
    [' 1.5 ', 1_500_000n],
  ])('%s is %s micro-units', (text, units) => {
    // Act
    const converted = toUnits(text);

    // Assess
    expect(converted).toBe(units);
  });

  it.each(['', 'abc', '1.', '.5', '1e3', '1,5', '0x10', '1.0000001'])('refuses %j', (text) => {
    // Act
    const convert = () => toUnits(text);

    // Assess
    expect(convert).toThrow();
  });

  it.each([
    [0n, '0.00'],
    [1n, '0.000001'],
    [12_500_000n, '12.50'],
    [48_000_000_000n, '48000.00'],
    [1_234_567n, '1.234567'],
    [-5n, '-0.000005'],
    [-3_250_000n, '-3.25'],
  ])('%s micro-units read %s: two decimals at least, no trailing zero beyond', (units, text) => {
    // Act
    const written = fromUnits(units);

    // Assess
    expect(written).toBe(text);
  });

  it('goes round trip for amounts of every size the fields allow', () => {
    // Prepare
    const amounts = ['0.01', '1.10', '123456789012345.123456', '0.999999', '100'];

    // Act
    const back = amounts.map((a) => toUnits(fromUnits(toUnits(a))));

    // Assess
    expect(back).toEqual(amounts.map((a) => toUnits(a)));
  });

  it('reads and writes other scales: 10^-8 for weighted amounts', () => {
    // Act
    const units = toUnits('0.00000005', MICRO_SCALE + 2);

    // Assess
    expect(units).toBe(5n);
    expect(fromUnits(units, MICRO_SCALE + 2)).toBe('0.00000005');
  });
});

describe('sums and weights', () => {
  it('sums exactly where floats do not', () => {
    // Prepare
    const tenths = Array.from({ length: 10 }, () => '0.1');

    // Act
    const sum = sumDecimals(tenths);

    // Assess
    expect(tenths.reduce((s, v) => s + Number(v), 0)).not.toBe(1);
    expect(sum).toBe('1.00');
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.30');
  });

  it('sums amounts beyond a double’s 15–17 digits without losing a micro-unit', () => {
    // Prepare: 1,000 of the largest amount the fields allow
    const values = Array.from({ length: 1000 }, () => '999999999999999.999999');

    // Act
    const sum = sumDecimals(values);

    // Assess
    expect(sum).toBe('999999999999999999.999');
    expect(sumDecimals([])).toBe('0.00');
    expect(sumDecimals(['5.00', '-5.00'])).toBe('0.00');
  });

  it.each([
    ['1000.00', 50, '500.00'],
    ['333.333333', 80, '266.6666664'],
    ['0.000001', 10, '0.0000001'],
    ['0.05', 10, '0.005'],
    ['48000', 0, '0.00'],
    ['48000', 100, '48000.00'],
  ])('weighs %s by %s%% as %s, exactly', (amount, percent, weighted) => {
    // Act
    const result = weighDecimal(amount, percent);

    // Assess
    expect(result).toBe(weighted);
  });

  it('takes whole percent only', () => {
    // Act
    const weigh = () => weighDecimal('10.00', 12.5);

    // Assess
    expect(weigh).toThrow(/whole percent/);
  });
});
