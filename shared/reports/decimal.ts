/**
 * Exact money for the reports: amounts are decimal strings (up to 6 decimals, shared/domain/fields.ts),
 * summed as integers of micro-units (BigInt) and written back as decimal strings. No float ever
 * touches a sum; a chart's bar length is the only place a number is approximated.
 */

/** Micro-units per unit: the 6 decimals an amount may have. */
export const MICRO_SCALE = 6;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** A decimal string as an integer of 10^-scale units; throws on more decimals than the scale holds. */
export function toUnits(value: string, scale = MICRO_SCALE): bigint {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${value}`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > scale) throw new Error(`more than ${scale} decimals: ${value}`);
  const units = BigInt(whole!) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  return sign ? -units : units;
}

/** Integer units of 10^-scale as a decimal string: at least 2 decimals, trailing zeros beyond them dropped. */
export function fromUnits(units: bigint, scale = MICRO_SCALE): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits
    .slice(digits.length - scale)
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Sums decimal strings exactly. */
export function sumDecimals(values: readonly string[], scale = MICRO_SCALE): string {
  return fromUnits(
    values.reduce((sum, v) => sum + toUnits(v, scale), 0n),
    scale,
  );
}

/** amount × percent / 100, exact: the result has two more decimals than the amount. */
export function weighDecimal(amount: string, percent: number): string {
  if (!Number.isInteger(percent)) throw new Error(`a probability is a whole percent: ${percent}`);
  return fromUnits(toUnits(amount) * BigInt(percent), MICRO_SCALE + 2);
}
