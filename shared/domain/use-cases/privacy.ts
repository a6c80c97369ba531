import { createHash } from 'node:crypto';
import { type HeldRecord, type Item, isEveryChangeFeedKey } from '../../db/keys.js';
import {
  activitiesAbout,
  auditEntries,
  commentsOn,
  eraseRecord,
  getErasure,
  handoffsAbout,
  heldCopies,
  putErasure,
  recordsByNaturalKey,
  rewriteEntry,
} from '../../db/privacy-repo.js';
import { getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canAdminister } from '../../policy/policy.js';
import { COLLECTIONS, type CollectionName, type CrmRecord } from '../collections.js';
import { fail } from '../errors.js';
import { newId } from '../ids.js';
import {
  collectionOfEntity,
  erasedCopy,
  erasurePatch,
  needsErasure,
  privacyBody,
  SUBJECT_COLLECTIONS,
} from '../privacy.js';
import { validate } from '../validation.js';

/**
 * Privacy (docs/import-export.md, "Privacy"): a subject export (everything held about a person, found
 * by email) and an erasure of their personal fields everywhere a read path shows them. Admins only.
 */

type Ref = { collection: CollectionName; id: string };
type Found = { collection: CollectionName; record: CrmRecord };

function admitted(caller: Caller, body: unknown): string {
  if (!canAdminister(caller)) throw fail.forbidden('Only admins may export or erase a person’s data.');
  const valid = validate(privacyBody, body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  return valid.value.email.trim().toLowerCase();
}

const holdsOf = (f: Ref): HeldRecord => ({ entity: COLLECTIONS[f.collection].entity, id: f.id });

/**
 * The subject's contacts and leads (by the natural-key index, plus those an earlier erasure recorded),
 * and the records about them: their activities, the comments on all of these, the handoffs about them.
 */
async function subjectRecords(email: string, known: readonly Ref[] = []): Promise<Found[]> {
  const people: Found[] = [];
  for (const collection of SUBJECT_COLLECTIONS) {
    for (const record of await recordsByNaturalKey(collection, email)) people.push({ collection, record });
  }
  for (const ref of known) {
    if (people.some((p) => p.record.id === ref.id)) continue;
    const record = await getRecord(ref.collection, ref.id);
    if (record) people.push({ collection: ref.collection, record });
  }
  const activities: Found[] = [];
  const handoffs: Found[] = [];
  for (const p of people) {
    for (const record of await activitiesAbout(p.collection, p.record.id))
      activities.push({ collection: 'activities', record });
  }
  const commented = [...people, ...activities];
  const comments: Found[] = [];
  for (const p of commented) {
    for (const record of await commentsOn(p.collection, p.record.id))
      comments.push({ collection: 'comments', record });
    for (const record of await handoffsAbout(p.collection, p.record.id))
      handoffs.push({ collection: 'handoffs', record });
  }
  return [...people, ...activities, ...comments, ...handoffs];
}

export interface SubjectExport {
  email: string;
  generatedAt: string;
  contacts: CrmRecord[];
  leads: CrmRecord[];
  activities: CrmRecord[];
  comments: CrmRecord[];
  handoffs: CrmRecord[];
  changes: Item[];
  audit: Item[];
  notifications: Item[];
}

/** `POST /v1/privacy/exports`: one JSON document of everything held about the person. */
export async function exportSubjectUseCase(caller: Caller, body: unknown): Promise<SubjectExport> {
  const email = admitted(caller, body);
  const found = await subjectRecords(email);
  const of = (collection: CollectionName) =>
    found.filter((f) => f.collection === collection).map((f) => f.record);
  const changes: Item[] = [];
  const notifications: Item[] = [];
  const audit: Item[] = [];
  for (const f of found) {
    const ref = { collection: f.collection, id: f.record.id };
    for (const copy of await heldCopies(holdsOf(ref))) {
      // The admins' feed holds every change once, whole; the departments' feeds hold the same, redacted.
      if (copy.kind === 'change' && isEveryChangeFeedKey(copy.key)) changes.push(copy.entry);
      if (copy.kind === 'notification') notifications.push(copy.entry);
    }
    for (const e of await auditEntries(holdsOf(ref))) audit.push(e.entry);
  }
  return {
    email,
    generatedAt: new Date().toISOString(),
    contacts: of('contacts'),
    leads: of('leads'),
    activities: of('activities'),
    comments: of('comments'),
    handoffs: of('handoffs'),
    changes,
    audit,
    notifications,
  };
}

export interface ErasureCounts {
  contacts: number;
  leads: number;
  activities: number;
  comments: number;
  handoffs: number;
  changes: number;
  audit: number;
  notifications: number;
}

export interface ErasureView {
  id: string;
  status: 'running' | 'done';
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  counts: ErasureCounts;
}

const NO_COUNTS: ErasureCounts = {
  contacts: 0,
  leads: 0,
  activities: 0,
  comments: 0,
  handoffs: 0,
  changes: 0,
  audit: 0,
  notifications: 0,
};

/** A SHA-256 of the lowercased email: the erasure item's key, so that it keeps no email. */
const subjectHash = (email: string) => createHash('sha256').update(email).digest('hex');

/** Erases one record (again, if it changed in between); false when it was erased or gone already. */
async function eraseOne(f: Found, actor: string, at: string): Promise<boolean> {
  let record: CrmRecord | undefined = f.record;
  for (let attempt = 0; attempt < 5 && record; attempt++) {
    const patch = erasurePatch(f.collection, record);
    if (Object.keys(patch).length === 0) return false;
    if (await eraseRecord(f.collection, record, patch, actor, at)) return true;
    record = await getRecord(f.collection, record.id);
  }
  if (record) throw new Error(`record ${f.record.id} kept changing during its erasure`);
  return false;
}

/** Rewrites the copies of a record (feed items, notifications, audit entries) with its personal fields erased. */
async function eraseCopies(f: Found, counts: ErasureCounts): Promise<void> {
  const holds = holdsOf({ collection: f.collection, id: f.record.id });
  for (const copy of await heldCopies(holds)) {
    const record = copy.entry.record;
    if (typeof record !== 'object' || record === null) continue;
    const values = record as Item;
    if (!needsErasure(f.collection, values)) continue;
    const entry = { ...copy.entry, record: erasedCopy(f.collection, values) };
    if (await rewriteEntry(copy.key, copy.entryAttribute, entry)) counts[`${copy.kind}s` as 'changes']++;
  }
  for (const { key, entry } of await auditEntries(holds)) {
    const collection = collectionOfEntity(String(entry.entity)) ?? f.collection;
    const side = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Item) : null);
    const before = side(entry.before);
    const after = side(entry.after);
    const dirty = [before, after].some((s) => s && needsErasure(collection, s, true));
    if (!dirty) continue;
    const erased = {
      ...entry,
      before: before && erasedCopy(collection, before, true),
      after: after && erasedCopy(collection, after, true),
    };
    if (await rewriteEntry(key, 'entry', erased)) counts.audit++;
  }
}

/**
 * `POST /v1/privacy/erasures`: the subject's records keep their ids, links and business fields; their
 * personal fields are erased, then every copy of them. The erasure item is written first (with the
 * records it is about) and marked done last: a run that fails half-way is finished by running it again,
 * and a run after a finished one changes nothing and finds nothing left (docs/import-export.md).
 */
export async function eraseSubjectUseCase(caller: Caller, body: unknown): Promise<ErasureView> {
  const email = admitted(caller, body);
  const hash = subjectHash(email);
  const earlier = await getErasure(hash);
  const known = Array.isArray(earlier?.subjects) ? (earlier.subjects as Ref[]) : [];
  const found = await subjectRecords(email, known);
  const subjects = found
    .filter((f) => (SUBJECT_COLLECTIONS as readonly string[]).includes(f.collection))
    .map((f) => ({ collection: f.collection, id: f.record.id }));
  const startedAt = new Date().toISOString();
  const id = typeof earlier?.id === 'string' ? earlier.id : newId();
  const view: ErasureView = {
    id,
    status: 'running',
    requestedBy: caller.userId,
    startedAt,
    finishedAt: null,
    counts: { ...NO_COUNTS },
  };
  await putErasure(hash, { ...view, subjects });
  // Records first: a copy written by a change still in the stream then holds erased values already.
  for (const f of found) {
    if (await eraseOne(f, caller.userId, startedAt)) view.counts[f.collection as keyof ErasureCounts]++;
  }
  for (const f of found) await eraseCopies(f, view.counts);
  const done: ErasureView = { ...view, status: 'done', finishedAt: new Date().toISOString() };
  await putErasure(hash, { ...done, subjects });
  return done;
}
