import { randomBytes } from 'node:crypto';

/** Crockford base32: URL-safe, and lexical order equals time order (a ULID). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LEN = 10;
const RANDOM_LEN = 16;
export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Increments the random part so that ids made in the same millisecond still sort in creation order. */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = [...randomBytes(RANDOM_LEN)].map((b) => b % 32);
  }
  return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join('');
}

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * A deterministic id of the same shape (a ULID): the time part from `timeMs`, the rest from `seed`'s
 * first 10 bytes (16 base32 digits). The same time and seed give the same id: what makes a stream
 * consumer's item (a notification) the same on a replay.
 */
export function idFrom(timeMs: number, seed: Uint8Array): string {
  if (seed.length < 10) throw new Error('idFrom: the seed needs at least 10 bytes');
  let bits = 0n;
  for (const byte of seed.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let rest = '';
  for (let i = 0; i < RANDOM_LEN; i++) {
    rest = ALPHABET[Number(bits & 31n)] + rest;
    bits >>= 5n;
  }
  return encodeTime(Math.max(0, Math.floor(timeMs))) + rest;
}
