import { type CollectionName, fieldOf } from '../domain/collections.js';
import { meetsGuard, type WriteGuard } from '../policy/policy.js';
import { DELETED_MARK, deletionOf, type Item, TABLE_DEFINITION } from './keys.js';
import { recordOf } from './stored-records.js';

/**
 * The conditions of every write to a record, built in one place: each write states what must hold
 * of the stored item, and when DynamoDB refuses it, `classify` tells why from the item it returns.
 */
export interface RecordCondition {
  /** Whose record it must be (the policy's guard for the caller). */
  guard?: WriteGuard;
  /** The versions the write may replace (If-Match lists, any may match); none: any version. */
  versions?: number[];
  /** Refuse the write while the stored state is one of these (a converted lead is settled). */
  final?: { field: string; states: readonly string[] };
  /** Fields that must hold exactly these values (a reference's account, a lead still qualified). */
  expect?: Readonly<Record<string, string>>;
}

export interface ConditionExpression {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

/** Placeholders start with `c`, apart from those of UpdateExpressions (`#a…`, `:v…`). */
function render(parts: string[], names: Record<string, string>, values: Item): ConditionExpression {
  return {
    ConditionExpression: parts.join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/** A new item goes only where none is: no record, or idempotency entry, is ever overwritten. */
export function absent(): ConditionExpression {
  return render(['attribute_not_exists(#cpk)'], { '#cpk': TABLE_DEFINITION.partitionKey }, {});
}

/**
 * The record exists and is not soft-deleted (a deleted record is absent to every write), and it meets
 * the given condition.
 */
export function live(c: RecordCondition = {}): ConditionExpression {
  const names: Record<string, string> = { '#cpk': TABLE_DEFINITION.partitionKey, '#cdeleted': DELETED_MARK };
  const values: Item = {};
  const parts = ['attribute_exists(#cpk)', 'attribute_not_exists(#cdeleted)'];
  if (c.guard?.field) {
    parts.push('#cguard = :cguard');
    names['#cguard'] = c.guard.field;
    values[':cguard'] = c.guard.equals;
  }
  Object.entries(c.expect ?? {}).forEach(([field, value], i) => {
    parts.push(`#cexpect${i} = :cexpect${i}`);
    names[`#cexpect${i}`] = field;
    values[`:cexpect${i}`] = value;
  });
  if (c.final) {
    const placeholders = c.final.states.map((state, i) => {
      values[`:cfinal${i}`] = state;
      return `:cfinal${i}`;
    });
    parts.push(`(attribute_not_exists(#cfinal) OR NOT (#cfinal IN (${placeholders.join(', ')})))`);
    names['#cfinal'] = c.final.field;
  }
  if (c.versions !== undefined) {
    // An empty list (only weak tags) matches nothing: version 0 never exists, and the failed
    // write still tells absent, denied and stale apart.
    const versions = c.versions.length ? c.versions : [0];
    const placeholders = versions.map((v, i) => {
      values[`:cversion${i}`] = v;
      return `:cversion${i}`;
    });
    parts.push(`#cversion IN (${placeholders.join(', ')})`);
    names['#cversion'] = 'version';
  }
  return render(parts, names, values);
}

/** Why a write was refused: the record is gone, not the caller's, settled, or of another version. */
export type Refusal = { reason: 'absent' | 'denied' | 'stale' } | { reason: 'final'; state: string };

/**
 * Why a conditional write to a record failed, told from the item DynamoDB returned with the failure
 * (`expect` is not told apart: a conversion's lead that changed is a conflict whatever changed).
 */
export function classify(collection: CollectionName, old: Item | undefined, c: RecordCondition): Refusal {
  if (!old || deletionOf(old)) return { reason: 'absent' };
  const current = recordOf(collection, old);
  if (c.guard && !meetsGuard(c.guard, current)) return { reason: 'denied' };
  const state = c.final && fieldOf(current, c.final.field);
  if (typeof state === 'string' && c.final?.states.includes(state)) return { reason: 'final', state };
  return { reason: 'stale' };
}
