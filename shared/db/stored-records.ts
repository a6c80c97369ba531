import { type CollectionName, type CrmRecord, type RecordOf, recordMeta } from '../domain/collections.js';
import { collectionOfItem, type Item, isInternalAttribute } from './keys.js';

const hasRecordMeta = (fields: Item): fields is CrmRecord => recordMeta.safeParse(fields).success;

/** The field values were validated when written: what is checked here is that the item holds a record. */
const isRecordOf = <C extends CollectionName>(
  record: CrmRecord,
  collection: C,
  stored: CollectionName | undefined,
): record is RecordOf<C> => stored === undefined || stored === collection;

/**
 * The one place a stored item becomes a record: keys and internal attributes left out, the server's
 * fields checked. Throws for an item that holds no record (a key or an index gone wrong: a 500, not data).
 */
export function toRecord(item: Item): CrmRecord {
  const fields: Item = {};
  for (const [k, v] of Object.entries(item)) if (!isInternalAttribute(k)) fields[k] = v;
  if (!hasRecordMeta(fields)) throw new Error('a stored item holds no record');
  return fields;
}

/** As toRecord, typed by collection: the item (or the stored answer of a create) names no other one. */
export function recordOf<C extends CollectionName>(collection: C, item: Item): RecordOf<C> {
  const record = toRecord(item);
  if (!isRecordOf(record, collection, collectionOfItem(item)))
    throw new Error(`a stored item holds no record of ${collection}`);
  return record;
}
