import { beforeEach, describe, expect, it, vi } from 'vitest';

type IdsModule = typeof import('../../shared/domain/ids.js');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const T0 = Date.UTC(2025, 2, 10, 9, 0, 0, 0);

/** The millisecond a ULID's first 10 characters encode. */
const timeOf = (id: string) => [...id.slice(0, 10)].reduce((ms, c) => ms * 32 + CROCKFORD.indexOf(c), 0);

/** ids.ts keeps the last time and random part between calls: each test gets a fresh module. */
let ids: IdsModule;
beforeEach(async () => {
  vi.resetModules();
  ids = await import('../../shared/domain/ids.js');
});

describe('newId', () => {
  it('is 26 characters of the Crockford base32 alphabet', () => {
    // Act
    const made = Array.from({ length: 200 }, (_, i) => ids.newId(T0 + i));

    // Assess
    for (const id of made) {
      expect(id).toHaveLength(26);
      expect([...id].every((c) => CROCKFORD.includes(c))).toBe(true);
      expect(id).toMatch(/^[^ILOU]+$/);
    }
  });

  it('encodes its creation time in the first 10 characters', () => {
    // Act
    const id = ids.newId(T0);

    // Assess
    expect(timeOf(id)).toBe(T0);
  });

  it('sorts by creation time', () => {
    // Prepare
    const times = [T0, T0 + 1, T0 + 999, T0 + 60_000, Date.UTC(2030, 0, 1)];

    // Act
    const made = times.map((t) => ids.newId(t));

    // Assess
    expect([...made].sort()).toEqual(made);
    expect(made.map(timeOf)).toEqual(times);
  });

  it('increases strictly within the same millisecond', () => {
    // Act
    const made = Array.from({ length: 1000 }, () => ids.newId(T0));

    // Assess
    expect(new Set(made).size).toBe(1000);
    for (let i = 1; i < made.length; i++) expect(made[i]! > made[i - 1]!).toBe(true);
    expect(new Set(made.map(timeOf))).toEqual(new Set([T0]));
  });

  it('keeps increasing when the clock steps back', () => {
    // Prepare
    const first = ids.newId(T0);

    // Act
    const second = ids.newId(T0 - 5_000);

    // Assess
    expect(second > first).toBe(true);
  });

  it('differs between two fresh generators in the same millisecond (random part)', async () => {
    // Prepare
    const a = ids.newId(T0);
    vi.resetModules();
    const other: IdsModule = await import('../../shared/domain/ids.js');

    // Act
    const b = other.newId(T0);

    // Assess
    expect(b.slice(0, 10)).toBe(a.slice(0, 10));
    expect(b).not.toBe(a);
  });

  it('defaults to the current time', () => {
    // Prepare
    const before = Date.now();

    // Act
    const id = ids.newId();

    // Assess
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(Date.now());
  });
});

describe('isId', () => {
  it('accepts what newId makes', () => {
    // Act
    const ok = ids.isId(ids.newId());

    // Assess
    expect(ok).toBe(true);
  });

  it.each([
    ['too short', '01JNXYZ0000000000000000000'.slice(0, 25)],
    ['too long', `${'0'.repeat(26)}0`],
    ['lower case', '01jnxyz0000000000000000000'],
    ['an I', `I${'0'.repeat(25)}`],
    ['an L', `L${'0'.repeat(25)}`],
    ['an O', `O${'0'.repeat(25)}`],
    ['a U', `U${'0'.repeat(25)}`],
    ['a dash', `${'0'.repeat(25)}-`],
    ['empty', ''],
    ['a path', '../../../etc/passwd0000000'],
  ])('refuses %s', (_, value) => {
    // Act
    const ok = ids.isId(value);

    // Assess
    expect(ok).toBe(false);
  });
});
