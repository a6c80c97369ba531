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
/** Money stays a decimal string so that no float rounding ever touches an amount. */
export const amount = () =>
  z.pipe(
    z.union([z.pipe(z.number(), z.transform(String)), z.string()]),
    z
      .string()
      .check(
        z.regex(/^\d{1,15}(\.\d{1,6})?$/, 'must be a non-negative decimal (up to 15 digits, 6 decimals)'),
      ),
  );
export const tags = () => z.array(text(50)).check(z.maxLength(50));
export const userId = () => z.string().check(z.minLength(1), z.maxLength(128));
