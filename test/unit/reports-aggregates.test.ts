import { describe, expect, it } from 'vitest';
import { REPORT_SETTINGS } from '../../shared/config/reports.js';
import { counterKey, deletionChange, type Item, recordItem } from '../../shared/db/keys.js';
import type { CollectionName } from '../../shared/domain/collections.js';
import type { StreamChange } from '../../shared/events/change-events.js';
import { type CounterUpdate, shardOf, updatesOf, updatesOfChange } from '../../shared/reports/aggregates.js';
import { applyChange, aRecord } from './fixtures.js';

/**
 * What one committed change does to the report counters: the record before it leaves its bucket, the
 * record after it enters its own. Images are built as the table stores them (keys, index attributes).
 */
const item = (collection: CollectionName, fields: Record<string, unknown>): Item =>
  recordItem(collection, aRecord(fields));

const opportunity = (fields: Record<string, unknown> = {}) =>
  item('opportunities', {
    accountId: '01J00000000000000000000000',
    name: 'Deal',
    amount: '1000.00',
    currency: 'EUR',
    stage: 'proposal',
    closeDate: '2025-06-30',
    ...fields,
  });

let sequence = 0;
const change = (oldImage?: Item, newImage?: Item): StreamChange => ({
  eventId: `event-${++sequence}`,
  kind: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
  ...(oldImage ? { oldImage } : {}),
  ...(newImage ? { newImage } : {}),
});

/** The updates of one report, for compact assertions. */
const of = (updates: CounterUpdate[], report: string) => updates.filter((u) => u.report === report);

describe('a create, an update, a delete', () => {
  it('counts a new opportunity once in its pipeline and forecast buckets, in its shard', () => {
    // Prepare
    const created = opportunity();

    // Act
    const updates = updatesOfChange(change(undefined, created));

    // Assess
    const shard = shardOf(String(created.id));
    expect(updates).toEqual([
      {
        report: 'pipeline-by-stage',
        day: undefined,
        shard,
        deltas: [{ dims: ['sales', 'proposal', 'EUR'], count: 1n, amount: 1_000_000_000n }],
      },
      {
        report: 'pipeline-forecast',
        day: undefined,
        shard,
        deltas: [{ dims: ['2025-06', 'sales', 'proposal', 'EUR'], count: 1n, amount: 1_000_000_000n }],
      },
    ]);
  });

  it('moves a record between buckets when its stage changes: out of the old, into the new, one item each', () => {
    // Prepare
    const before = opportunity();
    const after = { ...before, stage: 'negotiation', version: 2 };

    // Act
    const updates = updatesOfChange(change(before, after));

    // Assess
    expect(of(updates, 'pipeline-by-stage')).toEqual([
      {
        report: 'pipeline-by-stage',
        day: undefined,
        shard: shardOf(String(before.id)),
        deltas: [
          { dims: ['sales', 'proposal', 'EUR'], count: -1n, amount: -1_000_000_000n },
          { dims: ['sales', 'negotiation', 'EUR'], count: 1n, amount: 1_000_000_000n },
        ],
      },
    ]);
    expect(of(updates, 'pipeline-forecast')[0]!.deltas.map((d) => [d.dims[2], d.count])).toEqual([
      ['proposal', -1n],
      ['negotiation', 1n],
    ]);
  });

  it('moves the amount with the record when stage, currency and amount change at once', () => {
    // Prepare
    const before = opportunity({ amount: '10.50', currency: 'USD', stage: 'prospecting' });
    const after = { ...before, amount: '99.999999', currency: 'EUR', stage: 'qualification' };

    // Act
    const [pipeline] = of(updatesOfChange(change(before, after)), 'pipeline-by-stage');

    // Assess
    expect(pipeline!.deltas).toEqual([
      { dims: ['sales', 'prospecting', 'USD'], count: -1n, amount: -10_500_000n },
      { dims: ['sales', 'qualification', 'EUR'], count: 1n, amount: 99_999_999n },
    ]);
  });

  it('changes only the amount of a bucket when only the amount changes', () => {
    // Prepare
    const before = opportunity({ amount: '1000.00' });
    const after = { ...before, amount: '1250.25' };

    // Act
    const updates = updatesOfChange(change(before, after));

    // Assess
    expect(updates.map((u) => [u.report, u.deltas])).toEqual([
      ['pipeline-by-stage', [{ dims: ['sales', 'proposal', 'EUR'], count: 0n, amount: 250_250_000n }]],
      [
        'pipeline-forecast',
        [{ dims: ['2025-06', 'sales', 'proposal', 'EUR'], count: 0n, amount: 250_250_000n }],
      ],
    ]);
  });

  it('writes nothing when a change leaves every bucket and amount as it was', () => {
    // Prepare
    const before = opportunity();
    const after = { ...before, name: 'Renamed deal', version: 2 };

    // Act
    const updates = updatesOfChange(change(before, after));

    // Assess
    expect(updates).toEqual([]);
  });

  it('takes a won opportunity out of the open pipeline and the forecast', () => {
    // Prepare
    const before = opportunity({ stage: 'negotiation' });
    const after = { ...before, stage: 'won' };

    // Act
    const updates = updatesOfChange(change(before, after));

    // Assess
    expect(updates.map((u) => [u.report, u.deltas.map((d) => d.count)])).toEqual([
      ['pipeline-by-stage', [-1n]],
      ['pipeline-forecast', [-1n]],
    ]);
  });

  it('moves an opportunity between forecast months when its close date moves, and drops it without one', () => {
    // Prepare
    const before = opportunity({ closeDate: '2025-06-30' });
    const moved: Item = { ...before, closeDate: '2025-07-01' };
    const { closeDate: _, ...undated } = moved;

    // Act
    const move = of(updatesOfChange(change(before, moved)), 'pipeline-forecast');
    const drop = updatesOfChange(change(moved, undated));

    // Assess
    expect(move[0]!.deltas.map((d) => [d.dims[0], d.count])).toEqual([
      ['2025-06', -1n],
      ['2025-07', 1n],
    ]);
    expect(drop.map((u) => [u.report, u.deltas.map((d) => d.count)])).toEqual([['pipeline-forecast', [-1n]]]);
  });

  it('takes a (soft) deleted record out of every bucket, and its later purge touches nothing', () => {
    // Prepare
    const live = opportunity();
    const deleted = applyChange(live, deletionChange('max', new Date('2025-03-11T00:00:00Z')));

    // Act
    const onDelete = updatesOfChange(change(live, deleted));
    const onPurge = updatesOfChange(change(deleted, undefined));

    // Assess
    expect(onDelete.map((u) => [u.report, u.deltas])).toEqual([
      ['pipeline-by-stage', [{ dims: ['sales', 'proposal', 'EUR'], count: -1n, amount: -1_000_000_000n }]],
      [
        'pipeline-forecast',
        [{ dims: ['2025-06', 'sales', 'proposal', 'EUR'], count: -1n, amount: -1_000_000_000n }],
      ],
    ]);
    expect(onPurge).toEqual([]);
  });

  it('ignores items that are not records: counters, markers', () => {
    // Prepare
    const counter = { ...counterKey('pipeline-by-stage', undefined, 0), 'n|sales|proposal|EUR': 3 };

    // Act
    const updates = updatesOfChange(change(undefined, counter));

    // Assess
    expect(updates).toEqual([]);
  });
});

describe('each report reads its own collection', () => {
  it('counts an account in its owning department', () => {
    // Act
    const updates = updatesOfChange(
      change(undefined, item('accounts', { name: 'Acme', ownerDept: 'support' })),
    );

    // Assess
    expect(updates.map((u) => [u.report, u.deltas])).toEqual([
      ['customers-by-department', [{ dims: ['support'], count: 1n, amount: 0n }]],
    ]);
  });

  it('moves a case between statuses, and counts one with no status as open', () => {
    // Prepare
    const before = item('cases', { accountId: 'a', subject: 'Broken', ownerDept: 'support' });
    const after = { ...before, status: 'resolved' };

    // Act
    const created = updatesOfChange(change(undefined, before));
    const resolved = updatesOfChange(change(before, after));

    // Assess
    expect(created[0]).toMatchObject({ report: 'cases-by-status', deltas: [{ dims: ['support', 'open'] }] });
    expect(resolved[0]!.deltas.map((d) => [d.dims, d.count])).toEqual([
      [['support', 'open'], -1n],
      [['support', 'resolved'], 1n],
    ]);
  });

  it('counts a handoff in the receiving department, by status', () => {
    // Prepare: sales hands a record to support
    const requested = item('handoffs', { toDept: 'support', status: 'requested', ownerDept: 'sales' });
    const accepted = { ...requested, status: 'accepted' };

    // Act
    const updates = updatesOfChange(change(requested, accepted));

    // Assess
    expect(updates.map((u) => [u.report, u.deltas.map((d) => [d.dims, d.count])])).toEqual([
      [
        'handoffs-by-department',
        [
          [['support', 'requested'], -1n],
          [['support', 'accepted'], 1n],
        ],
      ],
    ]);
  });

  it('counts an activity on the day it was created (UTC), by type', () => {
    // Prepare
    const call = item('activities', {
      type: 'call',
      subject: 'Intro',
      createdAt: '2025-03-10T23:59:59.999Z',
    });

    // Act
    const updates = updatesOfChange(change(undefined, call));

    // Assess
    expect(updates).toEqual([
      {
        report: 'activity-by-department',
        day: '2025-03-10',
        shard: shardOf(String(call.id)),
        deltas: [{ dims: ['sales', 'call'], count: 1n, amount: 0n }],
      },
    ]);
  });

  it('counts nothing for a collection no report reads', () => {
    // Act
    const updates = updatesOfChange(change(undefined, item('leads', { name: 'Wanda', status: 'new' })));

    // Assess
    expect(updates).toEqual([]);
  });
});

describe('counters follow the records', () => {
  /** The counters as a sum of every update applied: bucket → [count, amount]. */
  function fold(updates: readonly CounterUpdate[], into = new Map<string, [bigint, bigint]>()) {
    for (const u of updates)
      for (const d of u.deltas) {
        const key = JSON.stringify([u.report, u.day ?? null, d.dims]);
        const [n, a] = into.get(key) ?? [0n, 0n];
        into.set(key, [n + d.count, a + d.amount]);
      }
    for (const [key, [n, a]] of into) if (n === 0n && a === 0n) into.delete(key);
    return into;
  }

  it('hold, after any sequence of changes, what a recount of the final records holds', () => {
    // Prepare: three opportunities through creates, moves, amount changes, a win and a delete
    const a = opportunity({ amount: '100.00' });
    const b = opportunity({ amount: '0.10', currency: 'USD', stage: 'prospecting', ownerDept: 'marketing' });
    const c = opportunity({ amount: '7.77', closeDate: '2025-12-01' });
    const a2: Item = { ...a, stage: 'negotiation', amount: '120.00' };
    const b2: Item = { ...b, amount: '0.20' };
    const b3: Item = { ...b2, stage: 'qualification', closeDate: '2026-01-15' };
    const c2: Item = { ...c, stage: 'won' };
    const a3 = applyChange(a2, deletionChange('max', new Date()));
    const steps: [Item | undefined, Item | undefined][] = [
      [undefined, a],
      [undefined, b],
      [a, a2],
      [undefined, c],
      [b, b2],
      [b2, b3],
      [c, c2],
      [a2, a3],
    ];

    // Act
    const live = fold(steps.flatMap(([before, after]) => updatesOfChange(change(before, after))));

    // Assess
    const recount = fold([b3, c2].flatMap((r) => updatesOf('opportunities', String(r.id), undefined, r)));
    expect(live).toEqual(recount);
    expect([...live.keys()].map((k) => JSON.parse(k))).toEqual([
      ['pipeline-by-stage', null, ['marketing', 'qualification', 'USD']],
      ['pipeline-forecast', null, ['2026-01', 'marketing', 'qualification', 'USD']],
    ]);
    expect([...live.values()][0]).toEqual([1n, 200_000n]);
  });
});

describe('shards', () => {
  it('puts every change of one record in one shard, and spreads records over all shards', () => {
    // Prepare
    const ids = Array.from({ length: 400 }, (_, i) => `01J${String(i).padStart(23, '0')}`);

    // Act
    const shards = ids.map((id) => shardOf(id));

    // Assess
    expect(shards.every((s) => Number.isInteger(s) && s >= 0 && s < REPORT_SETTINGS.counterShards)).toBe(
      true,
    );
    expect(ids.map((id) => shardOf(id))).toEqual(shards);
    expect(new Set(shards).size).toBe(REPORT_SETTINGS.counterShards);
    const { counterShards } = REPORT_SETTINGS;
    const sizes = Array.from({ length: counterShards }, (_, s) => shards.filter((x) => x === s).length);
    expect(Math.max(...sizes)).toBeLessThan(ids.length / counterShards + 40);
  });
});
