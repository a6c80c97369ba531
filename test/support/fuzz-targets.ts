import { expect } from 'vitest';
import { COLLECTION_NAMES, type CollectionName, type CrmRecord } from '../../shared/domain/collections.js';
import { adminRead, fuzzTotals, snapshots, snapshotTargets, users, type Who } from './fuzz-harness.js';
import { PATCH_FIELD } from './record-fixtures.js';
import { signIn } from './role-users.js';
import { countItems, stableCount } from './table-count.js';

/**
 * The real records the bad-input fuzz tests aim at (each test file makes its own in `beforeAll`),
 * the users who may write each collection, and a valid body for each, which the generators spoil.
 */
export const targets = {} as Record<CollectionName, string>;
/** Qualified leads for the conversion property (a pool, so one bad conversion cannot hide the rest). */
export const qualifiedLeads: string[] = [];
export const cursors: { source: string; cursor: string }[] = [];

export const WRITER: Record<CollectionName, Who> = {
  accounts: 'sally',
  contacts: 'sally',
  leads: 'mark',
  opportunities: 'sally',
  cases: 'sue',
  activities: 'sally',
  handoffs: 'sally',
  comments: 'sally',
};

export function validCreateBody(c: CollectionName): Record<string, unknown> {
  const accountId = targets.accounts;
  switch (c) {
    case 'accounts':
      return { name: 'Fuzz target', domain: 'fuzz.example', tags: ['fuzz'] };
    case 'contacts':
      return {
        accountId,
        firstName: 'Fuzz',
        lastName: 'Target',
        email: 'f@fuzz.example',
        marketingOptIn: false,
      };
    case 'leads':
      return { name: 'Fuzz Lead', company: 'Fuzz Co', status: 'qualified', score: 70 };
    case 'opportunities':
      return { accountId, name: 'Fuzz deal', amount: '100.00', currency: 'EUR' };
    case 'cases':
      return { accountId, subject: 'Fuzz case' };
    case 'activities':
      return { type: 'note', subject: 'Fuzz note', relatedTo: { collection: 'accounts', id: accountId } };
    case 'handoffs':
      return { record: { collection: 'accounts', id: accountId }, toDept: 'support', reason: 'Fuzz handoff' };
    case 'comments':
      // What the comment routes take (the record it is on comes from the path: commentsPath).
      return { body: 'Fuzz comment for @mark' };
  }
}

/** The comments of the target account: where the comment target lives and comment bodies are sent. */
export const commentsPath = () => `/v1/accounts/${targets.accounts}/comments`;

export const validPatchBody = (c: CollectionName) => ({ [PATCH_FIELD[c]]: 'fuzz says hello' });

let tableAtStart = 0;

/** Signs the users in, makes the targets, collects real cursors and snapshots what must not change. */
export async function createFuzzTargets() {
  for (const who of ['ada', 'sally', 'mark', 'sue'] as const) users.set(who, await signIn(who));
  const create = async (who: Who, c: CollectionName, body: Record<string, unknown>) => {
    const res = await users.get(who)!.client.post<CrmRecord>(`/v1/${c}`, body);
    if (res.status !== 201) throw new Error(`target ${c}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  targets.accounts = await create('sally', 'accounts', validCreateBody('accounts'));
  for (const c of COLLECTION_NAMES) {
    if (c !== 'accounts' && c !== 'comments') targets[c] = await create(WRITER[c], c, validCreateBody(c));
  }
  const comment = await users
    .get('sally')!
    .client.post<CrmRecord>(commentsPath(), validCreateBody('comments'));
  if (comment.status !== 201)
    throw new Error(`target comment: ${comment.status} ${JSON.stringify(comment.body)}`);
  targets.comments = comment.body.id;
  for (let i = 0; i < 3; i++) qualifiedLeads.push(await create('mark', 'leads', validCreateBody('leads')));
  // More than one account, so that lists and the target's timeline hand out real cursors.
  await create('sally', 'accounts', { name: 'Fuzz cursor one' });
  await create('sally', 'accounts', { name: 'Fuzz cursor two' });
  const ada = users.get('ada')!.client;
  for (const source of [
    '/v1/accounts?limit=1',
    `/v1/accounts?ownerId=${encodeURIComponent(users.get('sally')!.caller.userId)}&limit=1`,
    '/v1/contacts?limit=1',
    `/v1/accounts/${targets.accounts}/timeline?limit=1`,
  ]) {
    const res = await ada.get<{ nextCursor: string | null }>(source);
    if (res.body.nextCursor) cursors.push({ source, cursor: res.body.nextCursor });
  }
  expect(cursors.length).toBeGreaterThanOrEqual(3);
  // A comment is read through its record's list (no route of its own): the table count covers it.
  for (const c of COLLECTION_NAMES.filter((name) => name !== 'comments'))
    snapshots.set(`${c}:${targets[c]}`, (await adminRead(c, targets[c]))!);
  for (const id of qualifiedLeads) snapshots.set(`leads:${id}`, (await adminRead('leads', id))!);
  await snapshotTargets();
  tableAtStart = await stableCount();
}

/** Prints the file's totals, then checks that the table holds what it held before the fuzzing. */
export async function reportTotalsAndCheckTable() {
  console.info(fuzzTotals());
  if (tableAtStart)
    expect(await countItems(), 'the table holds what it held before the fuzzing').toBe(tableAtStart);
}
