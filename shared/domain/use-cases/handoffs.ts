import type { Department } from '../../config/departments.js';
import { moveHandoff, moveReceivedHandoff } from '../../db/handoffs-repo.js';
import type { HandoffFilter } from '../../db/keys.js';
import { handoffIndex, type RecordIndex } from '../../db/record-pages.js';
import { createRecord, getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import {
  canMoveHandoff,
  canReadHandoff,
  canRequestHandoff,
  handoffOrigin,
  receivingDepartmentOf,
} from '../../policy/handoffs.js';
import { canRead } from '../../policy/policy.js';
import type { CollectionName, HandoffStatus, RecordOf } from '../collections.js';
import { fail } from '../errors.js';
import { HANDOFF_MOVES, type Handoff, type HandoffMove, handoffOf, nextStatus } from '../handoffs.js';
import { validateCreate } from '../validation.js';
import { newRecord, requestHash } from './create-record.js';
import { type PageQuery, type PageResult, startOf } from './read-records.js';

/**
 * Handoffs, the cross-department request: a record of its own (collection `handoffs`), so that its
 * events, the change feed and the audit come from the stream like any record's. Requested with a
 * check of the record it is about, read by the two departments it is between, moved by its actions.
 */

const NO_SUCH_HANDOFF = 'No such handoff.';

export interface HandoffRequest {
  handoff: Handoff;
  /** True when an idempotency key's replay returned the first result. */
  replayed: boolean;
}

/**
 * `POST /v1/handoffs`: the record it is about must be one the caller can read (404 otherwise), and
 * `toDept` another department than the one handing over (400). The handoff and a check that the record
 * still exists are one transaction.
 */
export async function requestHandoffUseCase(
  caller: Caller,
  body: unknown,
  idempotencyKey?: string,
): Promise<HandoffRequest> {
  if (!canRequestHandoff(caller)) throw fail.forbidden('You may not request handoffs.');
  const valid = validateCreate('handoffs', body);
  if (!valid.ok) throw fail.invalid(valid.errors, 'The request body is invalid.');
  const fields = valid.value;
  const about = fields.record;
  const subject = canRead(caller, about.collection) ? await getRecord(about.collection, about.id) : undefined;
  if (!subject)
    throw fail.notFound('The record this handoff is about does not exist or is not visible to you.');
  const from = handoffOrigin(caller, subject.ownerDept);
  if (!from || from === fields.toDept)
    throw fail.invalid(
      [
        {
          path: 'toDept',
          message: `must be another department than the one handing over (${from ?? 'none'})`,
        },
      ],
      'The request body is invalid.',
    );
  const record = { ...newRecord(caller, 'handoffs', fields), ownerDept: from };
  const hash = requestHash('handoffs', body);
  const outcome = await createRecord('handoffs', record, {
    idempotency: idempotencyKey
      ? { userId: caller.userId, key: idempotencyKey, requestHash: hash }
      : undefined,
    references: [{ collection: about.collection, id: about.id }],
  });
  if (outcome.ok) return { handoff: handoffOf(record), replayed: false };
  if (outcome.reason === 'bad-reference')
    throw fail.notFound('The record this handoff is about does not exist or is not visible to you.');
  if (outcome.requestHash !== hash)
    throw fail.conflict('This Idempotency-Key was already used with a different request body.');
  return { handoff: handoffOf(outcome.response), replayed: true };
}

/** A handoff the caller may not read is absent to them: 404, never 403. */
export async function getHandoffUseCase(caller: Caller, id: string): Promise<Handoff> {
  const handoff = await getRecord('handoffs', id);
  if (!handoff || !canReadHandoff(caller, handoff)) throw fail.notFound(NO_SUCH_HANDOFF);
  return handoffOf(handoff);
}

/**
 * `POST /v1/handoffs/{id}/<move>`: read (404 when the caller may not read it), the policy (403 for a
 * caller on the wrong side), the state machine (409 for an illegal move), then ONE conditional write.
 */
export async function moveHandoffUseCase(caller: Caller, id: string, move: HandoffMove): Promise<Handoff> {
  const rule = HANDOFF_MOVES[move];
  const patch = { status: rule.to, updatedAt: new Date().toISOString(), updatedBy: caller.userId };
  const toDept = receivingDepartmentOf(caller, rule.side);
  if (toDept) {
    // The receiving department's moves (the common ones) are one write; a refusal is explained after.
    const outcome = await moveReceivedHandoff(id, { status: rule.from, toDept }, patch);
    if (outcome.ok) return handoffOf(outcome.record);
    if (!outcome.stored || !canReadHandoff(caller, outcome.stored)) throw fail.notFound(NO_SUCH_HANDOFF);
    refuseMove(caller, handoffOf(outcome.stored), move);
    throw fail.conflict('The handoff moved while this request ran; nothing was written. Read it again.');
  }
  const before = await getHandoffUseCase(caller, id);
  refuseMove(caller, before, move);
  const outcome = await moveHandoff(before, patch);
  if (outcome.ok) return handoffOf(outcome.record);
  if (outcome.reason === 'absent') throw fail.notFound(NO_SUCH_HANDOFF);
  throw fail.conflict('The handoff moved while this request ran; nothing was written. Read it again.');
}

/** Throws why the caller may not make this move on the handoff as it is (403, 409); returns when they may. */
function refuseMove(caller: Caller, handoff: Handoff, move: HandoffMove): void {
  const { side } = HANDOFF_MOVES[move];
  if (!canMoveHandoff(caller, handoff, side))
    throw fail.forbidden(
      side === 'receiver'
        ? `Only the receiving department (${handoff.toDept}) may ${move} this handoff.`
        : 'Only the requester (or a manager of the requesting department) may cancel this handoff.',
    );
  if (!nextStatus(handoff.status, move))
    throw fail.conflict(`A ${handoff.status} handoff cannot ${move}: ${movesFrom(handoff.status)}.`);
}

function movesFrom(status: HandoffStatus): string {
  const legal = Object.entries(HANDOFF_MOVES)
    .filter(([, rule]) => rule.from === status)
    .map(([name]) => name);
  return legal.length ? `it can only ${legal.join(' or ')}` : 'it is final';
}

export interface HandoffListQuery extends PageQuery {
  toDept?: Department;
  status?: HandoffStatus;
}

/**
 * One Query per page; the handoffs the caller may not read are left out of it, so a page may hold fewer
 * than `limit` items. The cursor resumes after the last item read, sealed when that one was not shown.
 */
async function visiblePage(
  caller: Caller,
  index: RecordIndex<RecordOf<'handoffs'>>,
  query: PageQuery,
): Promise<PageResult<Handoff>> {
  const page = await index.read(query.limit, await startOf(index, query.cursor));
  const shown = page.items.filter((h) => canReadHandoff(caller, h));
  const last = page.items.at(-1);
  return {
    items: shown.map(handoffOf),
    nextCursor: page.lastKey && last ? await index.cursorAfter(last, shown.includes(last)) : null,
  };
}

/** `GET /v1/handoffs?toDept=&status=`: each combination is a partition of its own (keys.ts). */
export async function listHandoffsUseCase(
  caller: Caller,
  query: HandoffListQuery,
): Promise<PageResult<Handoff>> {
  const { toDept, status } = query;
  const filter: HandoffFilter = toDept
    ? { by: 'to', toDept, status }
    : status
      ? { by: 'state', status }
      : { by: 'all' };
  return visiblePage(caller, handoffIndex(filter), query);
}

/** `GET /v1/{collection}/{id}/handoffs`: the record must be one the caller can read (404 otherwise). */
export async function recordHandoffsUseCase(
  caller: Caller,
  collection: CollectionName,
  id: string,
  query: PageQuery,
): Promise<PageResult<Handoff>> {
  if (!canRead(caller, collection) || !(await getRecord(collection, id))) throw fail.notFound();
  return visiblePage(caller, handoffIndex({ by: 'about', collection, id }), query);
}
