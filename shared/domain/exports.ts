import * as z from 'zod/mini';
import { COLLECTIONS, type CollectionName, SERVER_FIELDS } from './collections.js';

/** Exports (docs/import-export.md): one collection as CSV, what the caller may read, as they may see it. */
export const EXPORTABLE_COLLECTIONS = [
  'accounts',
  'contacts',
  'leads',
  'opportunities',
  'cases',
  'activities',
] as const;
export type ExportableCollection = (typeof EXPORTABLE_COLLECTIONS)[number];
export const EXPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;

export const exportBody = z.strictObject({ collection: z.enum(EXPORTABLE_COLLECTIONS) });

export interface ExportJob {
  id: string;
  collection: ExportableCollection;
  status: (typeof EXPORT_STATUSES)[number];
  requestedBy: { userId: string; username: string; groups: string[] };
  createdAt: string;
  updatedAt: string;
  rows: number;
  error?: string | null;
}

/**
 * The columns of an export: the record's id and server fields, `ownerId`, then the collection's fields.
 * The same for every caller: what is hidden from one is an empty cell in their rows (redacted per
 * record, as a GET shows it), never a value.
 */
export function exportColumns(collection: CollectionName): string[] {
  const fields = Object.keys(COLLECTIONS[collection].fields).filter((f) => f !== 'ownerId');
  return [...SERVER_FIELDS, 'ownerId', ...fields];
}

/** A value as a CSV cell: lists joined with `;` (as imports read them), objects as JSON. */
export function cellOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(';');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
