import * as z from 'zod/mini';
import { COLLECTIONS, type CollectionName, fieldOf } from './collections.js';
import type { FieldError } from './validation.js';

/**
 * Imports (docs/import-export.md): a CSV per collection, one row per record, the header naming the
 * collection's fields. Rows are validated with the collection's own create (or patch) schema; cells
 * are text, so each is first read as the type its field takes.
 */
export const IMPORTABLE_COLLECTIONS = ['accounts', 'contacts', 'leads'] as const;
export type ImportableCollection = (typeof IMPORTABLE_COLLECTIONS)[number];
export const IMPORT_MODES = ['create', 'upsert'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const IMPORT_STATUSES = ['awaiting-upload', 'queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const importBody = z.strictObject({
  collection: z.enum(IMPORTABLE_COLLECTIONS),
  mode: z._default(z.enum(IMPORT_MODES), 'create'),
});

export interface ImportCounts {
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export const NO_COUNTS: ImportCounts = { rows: 0, created: 0, updated: 0, skipped: 0, failed: 0 };

/** A bad row as the errors CSV lists it: the data row (1 is the first row after the header). */
export interface RowError {
  row: number;
  field: string;
  message: string;
}

/** The job as stored: who asked (the job acts with their permissions), what, and how far it got. */
export interface ImportJob {
  id: string;
  collection: ImportableCollection;
  mode: ImportMode;
  status: ImportStatus;
  requestedBy: { userId: string; username: string; groups: string[] };
  createdAt: string;
  updatedAt: string;
  counts: ImportCounts;
  /** Why the whole file was refused (bad CSV, unknown column), when it was. */
  error?: string | null;
  /** Whether the errors CSV has lines. */
  hasErrors?: boolean;
}

const TRUE = /^(true|yes|1)$/i;
const FALSE = /^(false|no|0)$/i;

/** The readings of a cell to try, in order: as text, as a yes/no, as a number, as a `;` list. */
function readings(cell: string): unknown[] {
  const out: unknown[] = [cell];
  if (TRUE.test(cell)) out.push(true);
  if (FALSE.test(cell)) out.push(false);
  if (cell.trim() !== '' && Number.isFinite(Number(cell))) out.push(Number(cell));
  out.push(
    cell
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return out;
}

/** A cell as the value its field takes: the first reading the field's schema accepts, else the text. */
function cellValue(schema: z.ZodMiniType, cell: string): unknown {
  return readings(cell).find((v) => schema.safeParse(v).success) ?? cell;
}

/** Columns that name no field of the collection: the file is refused (row 0 is the header). */
export function headerProblems(collection: CollectionName, columns: readonly string[]): RowError[] {
  const fields = COLLECTIONS[collection].fields;
  const seen = new Set<string>();
  const errors: RowError[] = [];
  for (const column of columns) {
    if (!Object.hasOwn(fields, column))
      errors.push({ row: 0, field: column, message: `is not a field of ${collection}` });
    else if (seen.has(column)) errors.push({ row: 0, field: column, message: 'is named twice' });
    seen.add(column);
  }
  return errors;
}

/** A row's non-empty cells as a body (an empty cell sets nothing: it never erases in an upsert). */
export function rowBody(
  collection: CollectionName,
  row: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const fields = COLLECTIONS[collection].fields;
  const body: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(row)) {
    if (cell.trim() === '') continue;
    const schema = fields[column];
    if (schema) body[column] = cellValue(schema, cell);
  }
  return body;
}

/**
 * The fields of a merge that would change the stored record (the rest are left out). The natural key
 * matched already: another spelling of it (`ANN@…` for `ann@…`) is no change.
 */
export function changedFields(
  collection: CollectionName,
  stored: object,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const key = COLLECTIONS[collection].naturalKey;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch))
    if (field !== key && JSON.stringify(fieldOf(stored, field)) !== JSON.stringify(value)) out[field] = value;
  return out;
}

/** What a UTF-8 decoder puts where the bytes are no character. */
const NOT_UTF8 = '\uFFFD';

/**
 * Cells whose bytes were not UTF-8 (the decoder left U+FFFD in them): the row is refused with each such
 * field, never stored with the text mangled. (A file that means U+FFFD literally is refused too.)
 */
export function encodingProblems(row: number, cells: Readonly<Record<string, string>>): RowError[] {
  return Object.entries(cells)
    .filter(([, cell]) => cell.includes(NOT_UTF8))
    .map(([field]) => ({ row, field, message: 'is not valid UTF-8' }));
}

/** A row's field errors as errors CSV lines. */
export const rowErrors = (row: number, errors: readonly FieldError[]): RowError[] =>
  errors.map((e) => ({ row, field: e.path, message: e.message }));
