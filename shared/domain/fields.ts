import * as z from 'zod/mini';
import { ID_PATTERN } from './ids.js';

/** Reusable field types, so that every collection validates the same kind of value the same way. */
export const text = (max = 200) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
export const longText = () => z.string().check(z.maxLength(10_000));
export const id = () => z.string().check(z.regex(ID_PATTERN, 'must be a record id'));
export const email = () => z.email().check(z.maxLength(254));
export const phone = () => z.string().check(z.regex(/^\+?[0-9 ()./-]{3,32}$/, 'must be a phone number'));
export const isoDateTime = () => z.iso.datetime({ offset: true });
export const isoDate = () => z.iso.date();
export const currency = () => z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR'));
/**
 * A JSON number is money only when it is exactly what the client wrote: at most 2 decimals and 15
 * significant digits. Any decimal of ≤ 15 significant digits survives the trip through a double
 * (DBL_DIG), so its shortest form, String(n), gives the client's digits back; beyond that (0.1 + 0.2,
 * 12345678901234567, 1e21) a float has already rounded it, and the client must send a string.
 */
export function isExactAmount(n: number): boolean {
  const parts = /^-?(\d+)(?:\.(\d+))?$/.exec(String(n)); // exponent forms (1e+21, 1e-7) never match
  if (!parts) return false;
  const [, whole = '', decimals = ''] = parts;
  return decimals.length <= 2 && `${whole}${decimals}`.replace(/^0+/, '').length <= 15;
}

const EXACT_NUMBER =
  'as a JSON number must be exact (at most 2 decimals and 15 significant digits); send larger or finer amounts as a string';

/** Money stays a decimal string so that no float rounding ever touches an amount. */
export const amount = () =>
  z.pipe(
    z.pipe(
      z
        .union([z.number(), z.string()])
        .check(z.refine((v) => typeof v === 'string' || isExactAmount(v), EXACT_NUMBER)),
      z.transform(String),
    ),
    z
      .string()
      .check(
        z.regex(/^\d{1,15}(\.\d{1,6})?$/, 'must be a non-negative decimal (up to 15 digits, 6 decimals)'),
      ),
  );
export const tags = () => z.array(text(50)).check(z.maxLength(50));
export const userId = () => z.string().check(z.minLength(1), z.maxLength(128));
