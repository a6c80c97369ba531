import { describe, expect, it } from 'vitest';
import { changeForPatch, handoffQuery, INDEXES, recordItem } from '../../shared/db/keys.js';
import { HANDOFF_STATUSES, type HandoffStatus } from '../../shared/domain/collections.js';
import {
  HANDOFF_MOVE_NAMES,
  HANDOFF_MOVES,
  type Handoff,
  type HandoffMove,
  handoffOf,
  isHandoffMove,
  nextStatus,
} from '../../shared/domain/handoffs.js';
import { newId } from '../../shared/domain/ids.js';
import { toChangeEvent } from '../../shared/events/change-events.js';
import type { Caller } from '../../shared/policy/caller.js';
import {
  canMoveHandoff,
  canReadHandoff,
  canRequestHandoff,
  handoffOrigin,
  receivingDepartmentOf,
} from '../../shared/policy/handoffs.js';
import { permissionsOf } from '../../shared/policy/policy.js';
import { admin, applyChange, aRecord, manager, member, roleless } from './fixtures.js';

/** A handoff from sales (requested by `sales-member`) to support. */
const handoff = (status: HandoffStatus = 'requested'): Handoff => ({
  ...aRecord({ ownerId: 'sales-member', ownerDept: 'sales' }),
  record: { collection: 'accounts', id: newId() },
  toDept: 'support',
  reason: 'Onboarding',
  status,
});

describe('the handoff state machine', () => {
  /** Every (status, move) pair: the contract's moves, and nothing else. */
  const LEGAL: Record<string, HandoffStatus> = {
    'requested accept': 'accepted',
    'requested decline': 'declined',
    'requested cancel': 'cancelled',
    'accepted complete': 'completed',
  };
  const PAIRS = HANDOFF_STATUSES.flatMap((status) =>
    HANDOFF_MOVE_NAMES.map((move): [HandoffStatus, HandoffMove, HandoffStatus | undefined] => [
      status,
      move,
      LEGAL[`${status} ${move}`],
    ]),
  );

  it.each(PAIRS)('from %s, %s leads to %s', (status, move, to) => {
    // Act
    const next = nextStatus(status, move);

    // Assess
    expect(next).toBe(to);
  });

  it('leaves completed, declined and cancelled final: no move starts there', () => {
    for (const status of ['completed', 'declined', 'cancelled'] as const)
      for (const move of HANDOFF_MOVE_NAMES)
        expect(nextStatus(status, move), `${status} ${move}`).toBeUndefined();
  });

  it('gives the receiving department accept, decline and complete, and the requester cancel', () => {
    expect(Object.fromEntries(HANDOFF_MOVE_NAMES.map((m) => [m, HANDOFF_MOVES[m].side]))).toEqual({
      accept: 'receiver',
      decline: 'receiver',
      complete: 'receiver',
      cancel: 'requester',
    });
  });

  it('knows its moves by name only', () => {
    expect(HANDOFF_MOVE_NAMES.every(isHandoffMove)).toBe(true);
    for (const name of [undefined, '', 'reopen', 'ACCEPT', 'toString', '__proto__'])
      expect(isHandoffMove(name), String(name)).toBe(false);
  });

  it('refuses a stored handoff without a known status', () => {
    expect(handoffOf(handoff('accepted')).status).toBe('accepted');
    const broken = { ...handoff(), status: 'open' };
    expect(() => handoffOf(broken)).toThrow(/no known status/);
  });
});

describe('the handoff policy', () => {
  const h = handoff();

  it.each<[string, Caller, boolean]>([
    ['a member of the requesting department', member('sales', 'someone-else'), true],
    ['a member of the receiving department', member('support'), true],
    ['a manager of the receiving department', manager('support'), true],
    ['a member of a third department', member('marketing'), false],
    ['a manager of a third department', manager('marketing'), false],
    ['an admin', admin(), true],
    ['a caller without a role', roleless(), false],
  ])('lets %s read it: %s', (_, caller, expected) => {
    expect(canReadHandoff(caller, h)).toBe(expected);
  });

  it.each<[string, Caller, boolean, boolean]>([
    // who, caller, may accept/decline/complete (receiver), may cancel (requester)
    ['the requester', member('sales', 'sales-member'), false, true],
    ['another member of the requesting department', member('sales', 'sales-2'), false, false],
    ['a manager of the requesting department', manager('sales'), false, true],
    ['a member of the receiving department', member('support'), true, false],
    ['a manager of the receiving department', manager('support'), true, false],
    ['a member of a third department', member('marketing'), false, false],
    ['an admin', admin(), true, true],
    ['a caller without a role', roleless(), false, false],
  ])('lets %s move it (receiver %s, requester %s)', (_, caller, receiver, requester) => {
    expect(canMoveHandoff(caller, h, 'receiver')).toBe(receiver);
    expect(canMoveHandoff(caller, h, 'requester')).toBe(requester);
  });

  it("knows a receiver's move targets the mover's department without a read; not an admin's, not a cancel", () => {
    expect(receivingDepartmentOf(member('support'), 'receiver')).toBe('support');
    expect(receivingDepartmentOf(manager('marketing'), 'receiver')).toBe('marketing');
    expect(receivingDepartmentOf(admin(), 'receiver')).toBeUndefined();
    expect(receivingDepartmentOf(member('support'), 'requester')).toBeUndefined();
    expect(receivingDepartmentOf(roleless(), 'receiver')).toBeUndefined();
  });

  it('lets every department and admins request handoffs, not a caller without a role', () => {
    for (const caller of [member('sales'), manager('marketing'), member('support'), admin()])
      expect(canRequestHandoff(caller)).toBe(true);
    expect(canRequestHandoff(roleless())).toBe(false);
  });

  it("sends from the caller's department; an admin without one on behalf of the record's department", () => {
    expect(handoffOrigin(member('marketing'), 'sales')).toBe('marketing');
    expect(handoffOrigin(admin(), 'support')).toBe('support');
    expect(handoffOrigin(admin(), 'finance')).toBeUndefined();
    expect(handoffOrigin(roleless(), 'sales')).toBeUndefined();
  });

  it('shows no update or delete of handoffs in /me: they move by their actions', () => {
    for (const caller of [member('sales'), manager('support'), admin()])
      expect(permissionsOf(caller).handoffs).toMatchObject({
        read: true,
        create: true,
        update: 'none',
        delete: 'none',
      });
  });
});

describe('handoff keys', () => {
  const pkOf = (item: Record<string, unknown>, index: keyof typeof INDEXES) => item[INDEXES[index].pk];

  it('puts a handoff in its inbox, inbox-by-status, status and record partitions', () => {
    // Prepare
    const h = handoff();
    const about = h.record as { collection: string; id: string };

    // Act
    const item = recordItem('handoffs', h);

    // Assess: each list's Query names the partition the item is in (a sharded list: one of its shards)
    const lists = [
      handoffQuery({ by: 'all' }),
      handoffQuery({ by: 'state', status: 'requested' }),
      handoffQuery({ by: 'to', toDept: 'support' }),
      handoffQuery({ by: 'to', toDept: 'support', status: 'requested' }),
      handoffQuery({ by: 'about', collection: 'accounts', id: about.id }),
    ];
    for (const q of lists) {
      expect(q.shards ?? [q.pkValue], q.pkValue).toContain(item[q.pkAttr]);
      expect(item[q.skAttr]).toBe(h.id);
    }
    expect(new Set(lists.map((q) => q.indexName)).size).toBe(lists.length);
  });

  it('moves a handoff between status partitions with a patch of its status alone', () => {
    // Prepare
    const h = handoff();
    const item = recordItem('handoffs', h);

    // Act
    const after = applyChange(item, changeForPatch('handoffs', h.id, { status: 'accepted' }, h));

    // Assess
    expect(handoffQuery({ by: 'state', status: 'accepted' }).shards).toContain(pkOf(after, 'byState'));
    expect(pkOf(after, 'byOwner')).toBe(
      handoffQuery({ by: 'to', toDept: 'support', status: 'accepted' }).pkValue,
    );
    for (const index of ['byCollection', 'byAccountCollection', 'byAccount'] as const)
      expect(pkOf(after, index), index).toBe(pkOf(item, index));
  });
});

describe('handoff events', () => {
  const change = (
    kind: 'INSERT' | 'MODIFY',
    before: Record<string, unknown> | undefined,
    after: Record<string, unknown>,
  ) =>
    toChangeEvent({
      eventId: newId(),
      kind,
      oldImage: before && recordItem('handoffs', { id: String(before.id), ...before }),
      newImage: recordItem('handoffs', { id: String(after.id), ...after }),
    });

  it('announces a create as handoff.requested, with the receiving department on detail.record', () => {
    const h = handoff();
    const event = change('INSERT', undefined, h);
    expect(event?.detailType).toBe('handoff.requested');
    expect(event?.detail).toMatchObject({
      entity: 'handoff',
      action: 'created',
      record: { toDept: 'support' },
    });
  });

  it.each(HANDOFF_MOVE_NAMES)('announces %s as handoff.<its new status>', (move) => {
    const { from, to } = HANDOFF_MOVES[move];
    const before = handoff(from);
    const event = change('MODIFY', before, { ...before, status: to, version: 2 });
    expect(event?.detailType).toBe(`handoff.${to}`);
    expect(event?.detail).toMatchObject({
      action: 'updated',
      changedFields: ['status'],
      record: { toDept: 'support' },
    });
  });
});
