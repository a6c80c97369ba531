import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../infra/local/api-client.js';
import { idsByNaturalKey } from '../../shared/db/jobs-repo.js';
import type { ImportView } from '../../shared/domain/use-cases/imports.js';
import { useStackEnv } from '../support/direct.js';
import { FUZZ_RUNS } from '../support/fuzz-harness.js';
import { as, EVENT_PATIENCE_MS, stack } from '../support/stack.js';

/**
 * Malformed CSV, generated (docs/import-export.md, "How an import runs" and "Rows"): bad quoting, wrong,
 * missing or duplicate headers, huge fields, rows of the wrong length, invalid UTF-8, empty files and
 * binary, with or without a BOM, with LF or CRLF. Every file is uploaded and its job run by the local
 * stack. Every row of a file is bad in some way (a malformed row, or a value its field refuses), except
 * under a bad header, where the good rows must not be created either. So each job must end `failed`
 * (with its reason and an errors CSV) or `done` with every row refused, with its row and field; and no
 * record may be created.
 */
const TAG = randomBytes(4).toString('hex');
const HEADER = ['firstName', 'lastName', 'email'];
const enc = new TextEncoder();
/** Bytes that are no UTF-8: a lone continuation byte, a truncated sequence, an overlong form, 0xFF. */
const NOT_UTF8 = [[0x80], [0xc3], [0xc0, 0xaf], [0xff], [0xed, 0xa0, 0x80]];

let sally: ApiClient;
let serial = 0;

beforeAll(async () => {
  sally = await as('sally');
  useStackEnv({ AWS_ENDPOINT_URL_S3: stack().s3Endpoint });
});

/** Text, or raw bytes. */
type Piece = string | number[];
/** One generated file: its lines (each of pieces), and the valid emails it names (to check none exists after). */
interface BadFile {
  kind: string;
  lines: Piece[][];
  emails: string[];
}

const newEmail = () => `r${++serial}.${TAG}@csvfuzz.example`;
const csvLine = (cells: readonly string[]) => cells.join(',');

/** A row that is well-formed CSV but refused by the schema, each with a field to blame. */
const badValueRow = fc.constantFrom('bad-email', 'no-last-name', 'long-first-name').map((how) => {
  const email = newEmail();
  if (how === 'bad-email')
    return { line: csvLine(['Ann', 'Lee', email.replace('@', ' at ')]), email: undefined };
  if (how === 'no-last-name') return { line: csvLine(['Ann', '', email]), email };
  return { line: csvLine(['A'.repeat(101), 'Lee', email]), email };
});
const goodRow = fc.constant(null).map(() => {
  const email = newEmail();
  return { line: csvLine(['Good', 'Row', email]), email };
});

/** Malformed rows that stop the parser (the file fails where it stands). */
const brokenRow = fc.oneof(
  fc.constant(null).map(() => `Ann,"Lee,${newEmail()}`), // quote never closed
  fc.constant(null).map(() => `An"n,Lee,${newEmail()}`), // quote inside an unquoted cell
  fc.constant(null).map(() => `"Ann"x,Lee,${newEmail()}`), // text after a closing quote
  fc.constant(null).map(() => `Ann,Lee,${newEmail()},extra`), // one cell too many
  fc.constant(null).map(() => `Ann,${newEmail()}`), // one cell short
  fc.integer({ min: 65 * 1024, max: 200 * 1024 }).map((n) => `Ann,${'L'.repeat(n)},${newEmail()}`), // over 64 KB
);

const rowsThen = (rows: { line: string; email?: string }[], kind: string): BadFile => ({
  kind,
  lines: [[csvLine(HEADER)], ...rows.map((r) => [r.line])],
  emails: rows.flatMap((r) => (r.email ? [r.email] : [])),
});

const badFile: fc.Arbitrary<BadFile> = fc.oneof(
  // A malformed row among rows refused by value.
  fc
    .tuple(fc.array(badValueRow, { maxLength: 3 }), brokenRow, fc.array(badValueRow, { maxLength: 3 }))
    .map(([before, broken, after]) => rowsThen([...before, { line: broken }, ...after], 'broken row')),
  // Rows refused by value only.
  fc.array(badValueRow, { minLength: 1, maxLength: 5 }).map((rows) => rowsThen(rows, 'bad values')),
  // Good rows under a bad header: unknown, misspelt, named twice, empty, or no header at all.
  fc
    .tuple(
      fc.constantFrom(
        ['firstName', 'lastName', 'email', 'fristName'],
        ['firstName', 'lastName', 'Email'],
        ['firstName', 'lastName', 'email', 'email'],
        ['firstName', '', 'email'],
        ['id', 'firstName', 'lastName', 'email'],
        null,
      ),
      fc.array(goodRow, { minLength: 1, maxLength: 3 }),
    )
    .map(([header, rows]) => ({
      kind: header ? 'bad header' : 'no header',
      lines: [...(header ? [[csvLine(header)]] : []), ...rows.map((r) => [r.line])],
      emails: rows.map((r) => r.email),
    })),
  // A cell whose bytes are not UTF-8, in an otherwise good row.
  fc.tuple(fc.constantFrom(...NOT_UTF8), fc.constantFrom(0, 1)).map(([bytes, cell]) => {
    const email = newEmail();
    const row: Piece[] = cell === 0 ? ['J', bytes, `o,Lee,${email}`] : ['Jo,L', bytes, `e,${email}`];
    return { kind: 'invalid UTF-8', lines: [[csvLine(HEADER)], row], emails: [email] };
  }),
  // Nothing, or nothing but line breaks.
  fc
    .integer({ min: 0, max: 3 })
    .map((n): BadFile => ({ kind: 'empty', lines: Array(n).fill(['']), emails: [] })),
  // Binary.
  fc
    .uint8Array({ minLength: 1, maxLength: 4096 })
    .map((bytes): BadFile => ({ kind: 'binary', lines: [[[...bytes]]], emails: [] })),
);

/** The file's bytes: a BOM or not, then each line and its line ending (binary as it came). */
function bytesOf(file: BadFile, eol: string, bom: boolean): Uint8Array {
  // Concatenated, never spread into push(): a huge field has more bytes than a call takes arguments.
  const chunks: Uint8Array[] = bom ? [Uint8Array.of(0xef, 0xbb, 0xbf)] : [];
  for (const line of file.lines) {
    for (const piece of line)
      chunks.push(typeof piece === 'string' ? enc.encode(piece) : Uint8Array.from(piece));
    if (file.kind !== 'binary') chunks.push(enc.encode(eol));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function finished(id: string): Promise<ImportView> {
  const deadline = Date.now() + EVENT_PATIENCE_MS;
  for (;;) {
    const res = await sally.get<ImportView>(`/v1/imports/${id}`);
    expect(res.status).toBe(200);
    if (res.body.status === 'done' || res.body.status === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${res.body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type ErrorLine = { row: string; field: string; message: string };

async function errorLines(view: ImportView): Promise<ErrorLine[]> {
  expect(view.errorsUrl, 'an errors CSV').toBeTruthy();
  const res = await fetch(view.errorsUrl!);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text.split(/\r?\n/)[0]).toBe('row,field,message');
  return parse(text, { columns: true }) as ErrorLine[];
}

describe('malformed CSV never gets past an import', () => {
  it(`${FUZZ_RUNS.importFiles} bad files: each job ends failed, or done with every row refused by row and field; nothing created`, async () => {
    const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        badFile,
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.constantFrom('create', 'upsert'),
        async (file, eol, bom, mode) => {
          // Prepare
          const body = bytesOf(file, eol, bom);
          kinds.set(file.kind, (kinds.get(file.kind) ?? 0) + 1);
          const made = await sally.post<ImportView>('/v1/imports', { collection: 'contacts', mode });
          expect(made.status).toBe(201);
          expect((await fetch(made.body.uploadUrl!, { method: 'PUT', body })).status).toBe(200);

          // Act
          expect((await sally.post(`/v1/imports/${made.body.id}/start`)).status).toBe(202);
          const view = await finished(made.body.id);

          // Assess
          const why = `${file.kind} (${body.length} bytes): ${JSON.stringify(view)}`;
          expect(view.counts.created, why).toBe(0);
          expect(view.counts.updated, why).toBe(0);
          const lines = await errorLines(view);
          if (view.status === 'failed') {
            expect(view.error, why).toEqual(expect.any(String));
            expect(lines.length, why).toBeGreaterThan(0);
          } else {
            expect(view.counts.failed, why).toBe(view.counts.rows);
            expect(view.counts.rows, why).toBeGreaterThan(0);
            for (let row = 1; row <= view.counts.rows; row++) {
              const mine = lines.filter((l) => Number(l.row) === row);
              expect(mine.length, `row ${row} of ${why}`).toBeGreaterThan(0);
              for (const l of mine) expect(HEADER, `row ${row} of ${why}`).toContain(l.field);
            }
          }
          for (const email of file.emails) expect(await idsByNaturalKey('contacts', email), why).toEqual([]);
        },
      ),
      { numRuns: FUZZ_RUNS.importFiles, seed, endOnFailure: true },
    );
    console.info(`import fuzz: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  });
});
