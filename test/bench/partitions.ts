import { LIST_SHARDS } from '../../shared/config/partitions.js';
import {
  INDEXES,
  type IndexName,
  type Item,
  type ListFilter,
  listQuery,
  recordItem,
} from '../../shared/db/keys.js';
import type { CollectionName } from '../../shared/domain/collections.js';
import { newId } from '../../shared/domain/ids.js';
import { heading, table } from './stats.js';

/**
 * BENCH_ONLY=partitions: where a bulk write of 100k records lands, keys only (computed with the real
 * key functions, no I/O). For every index, and the table, the writes per partition key: the busiest key
 * caps the write rate (a DynamoDB partition takes about 1,000 WCU/s). "Before" is the same write with
 * the lists unsharded: each sharded entry counted on its list's own partition (listQuery's pkValue).
 */

/** The busiest key may take at most this share of an index's writes. */
export const BUSIEST_SHARE_GOAL = 1 / 10;
const PARTITION_WCU = 1_000;

interface Scenario {
  name: string;
  collection: CollectionName;
  /** The fields of the i-th record written. */
  fields: (i: number) => Item;
}

const IMPORTER = 'importing-user';
const ACCOUNTS = Array.from({ length: 1_000 }, () => newId());

/** A CSV import as the import job writes it: one caller (the owner of every row), default states. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'leads import (one owner, all status new)',
    collection: 'leads',
    fields: (i) => ({ name: `Lead ${i}`, email: `lead${i}@example.com`, status: 'new', ownerId: IMPORTER }),
  },
  {
    name: 'contacts import (one owner, 1,000 accounts)',
    collection: 'contacts',
    fields: (i) => ({
      firstName: 'C',
      lastName: `${i}`,
      email: `contact${i}@example.com`,
      accountId: ACCOUNTS[i % ACCOUNTS.length],
      ownerId: IMPORTER,
    }),
  },
  {
    name: 'opportunities import (one owner, one stage, 1,000 accounts)',
    collection: 'opportunities',
    fields: (i) => ({
      name: `Deal ${i}`,
      stage: 'prospecting',
      accountId: ACCOUNTS[i % ACCOUNTS.length],
      ownerId: IMPORTER,
    }),
  },
];

export interface IndexDistribution {
  index: string;
  writes: number;
  keys: number;
  busiest: number;
  busiestShare: number;
  /** The same writes with the lists unsharded. */
  beforeKeys: number;
  beforeBusiestShare: number;
}

export interface ScenarioResult {
  scenario: string;
  records: number;
  indexes: IndexDistribution[];
  /** The busiest key of any index, as a share of that index's writes. */
  busiestShare: number;
  beforeBusiestShare: number;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** The list a sharded entry belongs to, unsharded: what the index key was before sharding. */
function listOf(collection: CollectionName, index: IndexName, fields: Item): string | undefined {
  const value = (field: string) => (typeof fields[field] === 'string' ? String(fields[field]) : undefined);
  const filter: ListFilter | undefined =
    index === 'byCollection'
      ? { by: 'all' }
      : index === 'byOwner' && value('ownerId')
        ? { by: 'owner', value: String(value('ownerId')) }
        : index === 'byState'
          ? stateFilter(collection, fields)
          : undefined;
  if (!filter) return undefined;
  const q = listQuery(collection, filter);
  return q.shards ? q.pkValue : undefined;
}

function stateFilter(collection: CollectionName, fields: Item): ListFilter | undefined {
  const state = fields.status ?? fields.stage ?? fields.lifecycleStage;
  return typeof state === 'string' && collection !== 'contacts' ? { by: 'state', value: state } : undefined;
}

export function simulate(scenario: Scenario, records: number): ScenarioResult {
  const after = new Map<string, Map<string, number>>();
  const before = new Map<string, Map<string, number>>();
  const tally = (to: Map<string, Map<string, number>>, index: string, key: string) =>
    count(to.get(index) ?? to.set(index, new Map()).get(index)!, key);
  for (let i = 0; i < records; i++) {
    const fields = scenario.fields(i);
    const item = recordItem(scenario.collection, { id: newId(), ...fields });
    tally(after, 'table', String(item.PK));
    tally(before, 'table', String(item.PK));
    for (const [name, attrs] of Object.entries(INDEXES) as [IndexName, { pk: string }][]) {
      const key = item[attrs.pk];
      if (typeof key !== 'string') continue;
      tally(after, name, key);
      tally(before, name, listOf(scenario.collection, name, fields) ?? key);
    }
  }
  const indexes = [...after.entries()].map(([index, keys]): IndexDistribution => {
    const writes = [...keys.values()].reduce((a, b) => a + b, 0);
    const busiest = Math.max(...keys.values());
    const old = before.get(index)!;
    return {
      index,
      writes,
      keys: keys.size,
      busiest,
      busiestShare: busiest / writes,
      beforeKeys: old.size,
      beforeBusiestShare: Math.max(...old.values()) / writes,
    };
  });
  return {
    scenario: scenario.name,
    records,
    indexes,
    busiestShare: Math.max(...indexes.map((d) => d.busiestShare)),
    beforeBusiestShare: Math.max(...indexes.map((d) => d.beforeBusiestShare)),
  };
}

const pct = (share: number) => `${(share * 100).toFixed(2)}%`;

export function benchPartitions(records = 100_000): ScenarioResult[] {
  heading(
    `Partitions: a bulk write of ${records.toLocaleString('en')} records, keys only (${LIST_SHARDS} list shards)`,
  );
  const results = SCENARIOS.map((s) => simulate(s, records));
  for (const r of results) {
    console.log(`\n${r.scenario}: writes per partition key, by index`);
    console.log(
      table(
        ['index', 'writes', 'keys', 'busiest key', 'busiest share', 'before: keys', 'before: busiest share'],
        r.indexes.map((d) => [
          d.index,
          String(d.writes),
          String(d.keys),
          String(d.busiest),
          pct(d.busiestShare),
          String(d.beforeKeys),
          pct(d.beforeBusiestShare),
        ]),
      ),
    );
    const ok = r.busiestShare <= BUSIEST_SHARE_GOAL;
    console.log(
      `  busiest key of any index: ${pct(r.busiestShare)} of its writes (before ${pct(r.beforeBusiestShare)}); ` +
        `goal ≤ ${pct(BUSIEST_SHARE_GOAL)}: ${ok ? 'met' : 'NOT met'}`,
    );
  }
  const worst = Math.max(...results.map((r) => r.busiestShare));
  const worstBefore = Math.max(...results.map((r) => r.beforeBusiestShare));
  console.log(
    `\nWrite ceiling of a bulk import into one collection (the busiest key bounds it, ~${PARTITION_WCU.toLocaleString('en')} WCU/s a key):` +
      `\n  before: ~${Math.round(PARTITION_WCU / worstBefore).toLocaleString('en')} writes/s` +
      `  after: ~${Math.round(PARTITION_WCU / worst).toLocaleString('en')} writes/s` +
      ` (${(worstBefore / worst).toFixed(1)}×; ${LIST_SHARDS} shards × ${PARTITION_WCU.toLocaleString('en')} = ${(LIST_SHARDS * PARTITION_WCU).toLocaleString('en')} at best)`,
  );
  return results;
}
