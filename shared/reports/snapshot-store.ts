import * as z from 'zod/mini';
import { REPORT_SETTINGS } from '../config/reports.js';
import { getObjectText, objectLink, putObject } from '../storage/bucket.js';
import type { Snapshot } from './snapshot.js';

/**
 * Snapshots in the reports bucket (docs/reports.md, "Files"):
 *   reports/<name>/<yyyy-mm-dd>/<hh-mm>.{json,csv,svg}      every department's rows (admins)
 *   reports/<name>/<yyyy-mm-dd>/<hh-mm>.<department>.{csv,svg}   one department's rows (its managers)
 *   reports/<name>/latest.json                              where the newest snapshot is
 * A run in the same minute writes the same keys: it overwrites, never duplicates. The pointer saves
 * listing the report's folders (which grow by a day each day) to find the newest one.
 */
const PREFIX = 'reports';
export type FileKind = 'json' | 'csv' | 'svg';

/** Where a snapshot made at `at` goes: `reports/<name>/<yyyy-mm-dd>/<hh-mm>` (UTC). */
export function snapshotBase(name: string, at: Date): string {
  const iso = at.toISOString();
  return `${PREFIX}/${name}/${iso.slice(0, 10)}/${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
}

/** A file of a snapshot: all rows, or one department's (CSV and SVG only). */
export const snapshotFile = (base: string, kind: FileKind, department?: string) =>
  `${base}${department ? `.${department}` : ''}.${kind}`;

const latestKey = (name: string) => `${PREFIX}/${name}/latest.json`;

/** The files are ours, but read back from a bucket: parsed, so a damaged file fails here, not later. */
const pointerFile = z.object({ generatedAt: z.string(), base: z.string() });
type Pointer = z.infer<typeof pointerFile>;

const money = z.optional(z.record(z.string(), z.string()));
const snapshotFileSchema: z.ZodMiniType<Snapshot> = z.object({
  name: z.string(),
  generatedAt: z.string(),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
  totals: z.object({ count: z.number(), amount: money, weighted: money }),
});

const CONTENT_TYPES: Record<FileKind, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  svg: 'image/svg+xml',
};

export async function putFile(key: string, kind: FileKind, body: string): Promise<void> {
  await putObject(key, body, CONTENT_TYPES[kind]);
}

/** Points the report's `latest.json` at a snapshot just written. */
export async function putLatest(name: string, pointer: Pointer): Promise<void> {
  await putFile(latestKey(name), 'json', JSON.stringify(pointer));
}

export async function readLatestPointer(name: string): Promise<Pointer | undefined> {
  const text = await getObjectText(latestKey(name));
  return text ? pointerFile.parse(JSON.parse(text)) : undefined;
}

export async function readSnapshot(base: string): Promise<Snapshot | undefined> {
  const text = await getObjectText(snapshotFile(base, 'json'));
  return text ? snapshotFileSchema.parse(JSON.parse(text)) : undefined;
}

/** A link to a file that works without a token for a short while: presigned (in AWS and locally alike). */
export async function fileLink(key: string): Promise<string> {
  return objectLink(key, 'GET', REPORT_SETTINGS.linkTtlSeconds);
}
