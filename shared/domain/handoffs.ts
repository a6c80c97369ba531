import { HANDOFF_STATUSES, type HandoffStatus, type RecordOf } from './collections.js';

/**
 * A handoff's state machine: `requested → accepted | declined`, `accepted → completed`, and the
 * requester's `requested → cancelled`. `completed`, `declined` and `cancelled` are final. Each move
 * names the side that may make it; the policy (shared/policy/handoffs.ts) says who is on that side.
 */
export type HandoffSide = 'receiver' | 'requester';

export interface HandoffMoveRule {
  from: HandoffStatus;
  to: HandoffStatus;
  side: HandoffSide;
}

export const HANDOFF_MOVES = {
  accept: { from: 'requested', to: 'accepted', side: 'receiver' },
  decline: { from: 'requested', to: 'declined', side: 'receiver' },
  complete: { from: 'accepted', to: 'completed', side: 'receiver' },
  cancel: { from: 'requested', to: 'cancelled', side: 'requester' },
} as const satisfies Record<string, HandoffMoveRule>;

export type HandoffMove = keyof typeof HANDOFF_MOVES;
export const HANDOFF_MOVE_NAMES = Object.keys(HANDOFF_MOVES) as HandoffMove[];

export function isHandoffMove(value: string | undefined): value is HandoffMove {
  return value !== undefined && Object.hasOwn(HANDOFF_MOVES, value);
}

/** The status a move leads to from `current`, or undefined when the move is illegal there (409). */
export function nextStatus(current: HandoffStatus, move: HandoffMove): HandoffStatus | undefined {
  const rule: HandoffMoveRule = HANDOFF_MOVES[move];
  return rule.from === current ? rule.to : undefined;
}

/** A stored handoff, its status typed (only its moves write it). */
export type Handoff = RecordOf<'handoffs'> & { status: HandoffStatus };

const isStatus = (value: unknown): value is HandoffStatus => HANDOFF_STATUSES.some((s) => s === value);

/** A stored handoff holds one of the states: anything else is a broken item (a 500, not data). */
export function handoffOf(record: RecordOf<'handoffs'>): Handoff {
  const status = 'status' in record ? record.status : undefined;
  if (!isStatus(status)) throw new Error('a stored handoff holds no known status');
  return { ...record, status };
}
