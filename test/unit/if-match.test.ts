import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../shared/http/problems.js';
import { etagOf, parseIfMatch } from '../../shared/http/request-parsing.js';

describe('parseIfMatch (RFC 9110 §13.1.1, strong comparison)', () => {
  it.each<[string | undefined, number[] | undefined]>([
    [undefined, undefined],
    ['*', undefined],
    [' * ', undefined],
    ['"3"', [3]],
    ['"0"', [0]],
    ['"7", "1"', [7, 1]],
    ['"7","1"', [7, 1]],
    ['\t"7" ,\t"8" ', [7, 8]],
    ['"3", "3"', [3]],
    [', "3",, "4",', [3, 4]],
    ['W/"3"', []],
    ['W/"3", "4"', [4]],
    [
      Array.from({ length: 20 }, (_, i) => `"${i + 1}"`).join(', '),
      Array.from({ length: 20 }, (_, i) => i + 1),
    ],
  ])('%j → the versions a write may replace: %j', (header, versions) => {
    // Act + Assess
    expect(parseIfMatch(header)).toEqual(versions);
  });

  it.each([
    '',
    ' ',
    ',',
    '"abc"',
    '"-1"',
    '"1.5"',
    '"007"',
    '"9999999999999"',
    '3',
    '"3',
    "'3'",
    'w/"3"',
    'W/3',
    '"3" "4"',
    '"3";"4"',
    '"3", *',
    '*, "3"',
    '*,*',
    '"3"\u00a0',
    Array.from({ length: 21 }, (_, i) => `"${i + 1}"`).join(', '),
  ])('%j is malformed: 400 naming If-Match', (header) => {
    // Act
    let thrown: unknown;
    try {
      parseIfMatch(header);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(HttpProblem);
    expect(thrown).toMatchObject({ statusCode: 400, errors: [{ path: 'If-Match' }] });
  });

  it('reads back every ETag etagOf writes', () => {
    for (const version of [1, 2, 10, 999_999_999_999])
      expect(parseIfMatch(etagOf(version))).toEqual([version]);
  });
});
