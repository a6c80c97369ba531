import type { RecordOf } from '../domain/collections.js';
import type { RecordPatch } from '../domain/validation.js';
import { changeForPatch } from './keys.js';
import {
  newRecordPut,
  recordUpdate,
  referenceCheckItem,
  type TransactItem,
  transact,
} from './transactions.js';

export interface Conversion {
  /** The lead's change, made only while it is at the version read and holds the expected values. */
  lead: { id: string; version: number; patch: RecordPatch; expect: Readonly<Record<string, string>> };
  /** A new account to create, or the id of an existing one to link. */
  account: { create: RecordOf<'accounts'> } | { link: string };
  contact: RecordOf<'contacts'>;
  opportunity?: RecordOf<'opportunities'>;
}

export type ConversionOutcome = { ok: true } | { ok: false; reason: 'lead-changed' | 'missing-account' };

/**
 * Lead conversion as ONE TransactWriteItems: account (or a check that the linked one exists),
 * contact, optional opportunity, and last the lead itself, conditional on the version that was read
 * and on the values it must still hold. Any failure writes nothing.
 */
export async function convertLead(c: Conversion): Promise<ConversionOutcome> {
  const { lead } = c;
  const items: TransactItem[] = [
    'create' in c.account
      ? newRecordPut('accounts', c.account.create)
      : referenceCheckItem({ collection: 'accounts', id: c.account.link }),
    newRecordPut('contacts', c.contact),
    ...(c.opportunity ? [newRecordPut('opportunities', c.opportunity)] : []),
    {
      Update: recordUpdate('leads', lead.id, changeForPatch('leads', lead.id, lead.patch), {
        versions: [lead.version],
        expect: lead.expect,
      }),
    },
  ];
  const reasons = await transact(items);
  if (!reasons) return { ok: true };
  if (reasons.at(-1)?.Code === 'ConditionalCheckFailed') return { ok: false, reason: 'lead-changed' };
  if (reasons[0]?.Code === 'ConditionalCheckFailed') return { ok: false, reason: 'missing-account' };
  throw new Error(`conversion cancelled: ${reasons.map((r) => r.Code).join(',')}`);
}
