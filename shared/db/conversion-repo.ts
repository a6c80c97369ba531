import type { CrmRecord } from '../domain/collections.js';
import { tableName } from './client.js';
import { expression } from './expressions.js';
import { DELETED_MARK, type Item, indexChangesForPatch, recordKey } from './keys.js';
import { liveRecordCheck, newRecordPut, type TransactItem, transact } from './records-repo.js';

export interface Conversion {
  lead: { id: string; version: number; set: Item };
  /** A new account to create, or the id of an existing one to link. */
  account: { create: CrmRecord } | { link: string };
  contact: CrmRecord;
  opportunity?: CrmRecord;
}

export type ConversionOutcome = { ok: true } | { ok: false; reason: 'lead-changed' | 'missing-account' };

/**
 * Lead conversion as ONE TransactWriteItems: account (or a check that the linked one exists),
 * contact, optional opportunity, and last the lead itself, conditional on the version that was read
 * and on still being qualified. Any failure writes nothing.
 */
export async function convertLead(c: Conversion): Promise<ConversionOutcome> {
  const TableName = tableName();
  const accountItem =
    'create' in c.account
      ? newRecordPut('accounts', c.account.create)
      : liveRecordCheck(recordKey('accounts', c.account.link));
  const indexes = indexChangesForPatch('leads', c.lead.id, c.lead.set);
  const update = expression.update({ ...c.lead.set, ...indexes.set }, indexes.remove, {
    add: { version: 1 },
  });
  const leadUpdate = {
    Update: {
      TableName,
      Key: recordKey('leads', c.lead.id),
      UpdateExpression: update.UpdateExpression,
      ConditionExpression: '#v = :read AND #s = :qualified AND attribute_not_exists(#deleted)',
      ExpressionAttributeNames: {
        ...update.ExpressionAttributeNames,
        '#v': 'version',
        '#s': 'status',
        '#deleted': DELETED_MARK,
      },
      ExpressionAttributeValues: {
        ...update.ExpressionAttributeValues,
        ':read': c.lead.version,
        ':qualified': 'qualified',
      },
    },
  };
  const items: TransactItem[] = [
    accountItem,
    newRecordPut('contacts', c.contact),
    ...(c.opportunity ? [newRecordPut('opportunities', c.opportunity)] : []),
    leadUpdate,
  ];
  const reasons = await transact(items);
  if (!reasons) return { ok: true };
  if (reasons.at(-1)?.Code === 'ConditionalCheckFailed') return { ok: false, reason: 'lead-changed' };
  if (reasons[0]?.Code === 'ConditionalCheckFailed') return { ok: false, reason: 'missing-account' };
  throw new Error(`conversion cancelled: ${reasons.map((r) => r.Code).join(',')}`);
}
