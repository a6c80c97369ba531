import { convertLead } from '../../db/conversion-repo.js';
import { getRecord } from '../../db/records-repo.js';
import type { Caller } from '../../policy/caller.js';
import { canConvertLead, canRead, redact } from '../../policy/policy.js';
import { convertLeadBody } from '../action-bodies.js';
import type { FieldsOf, RecordOf } from '../collections.js';
import { fail } from '../errors.js';
import { type FieldError, validate, validateCreate } from '../validation.js';
import { newRecord } from './create-record.js';
import { checkOwnerAssignments } from './write-checks.js';

export interface ConversionResult {
  lead: RecordOf<'leads'>;
  accountId: string;
  account: RecordOf<'accounts'> | null;
  contact: RecordOf<'contacts'>;
  opportunity: RecordOf<'opportunities'> | null;
}

function splitName(name: string): { firstName: string; lastName: string } {
  const parts = name.trim().split(/\s+/);
  return parts.length > 1
    ? { firstName: parts.slice(0, -1).join(' '), lastName: parts.at(-1)! }
    : { firstName: parts[0]!, lastName: parts[0]! };
}

/** Validates one part of the conversion with the collection's own create schema, errors under its path. */
function validPart<C extends 'accounts' | 'contacts' | 'opportunities'>(
  collection: C,
  path: string,
  fields: unknown,
  errors: FieldError[],
): FieldsOf<C> | undefined {
  const valid = validateCreate(collection, fields);
  if (valid.ok) return valid.value;
  errors.push(...valid.errors.map((e) => ({ ...e, path: `${path}.${e.path}` })));
  return undefined;
}

/**
 * Marketing → sales hand-over: read the lead, then one transaction that creates (or links) the
 * account, creates the contact and optional opportunity, all owned by the caller (or by the users the
 * parts' `ownerId` name, within the caller's reach), and marks the lead converted. Two round trips
 * (plus a user lookup per other owner named); all or nothing.
 */
export async function convertLeadUseCase(
  caller: Caller,
  leadId: string,
  body: unknown,
): Promise<ConversionResult> {
  if (!canRead(caller, 'leads')) throw fail.notFound();
  if (!canConvertLead(caller)) throw fail.forbidden('Only sales (or admins) convert leads.');
  const parsed = validate(convertLeadBody, body === undefined ? {} : body);
  if (!parsed.ok) throw fail.invalid(parsed.errors, 'The request body is invalid.');
  const input = parsed.value;
  if (input.accountId && input.account) {
    throw fail.invalid([
      { path: 'account', message: 'give either accountId (to link) or account (to create)' },
    ]);
  }

  const lead = await getRecord('leads', leadId);
  if (!lead) throw fail.notFound();
  if (lead.status !== 'qualified')
    throw fail.conflict(`Only a qualified lead can be converted; this one is ${String(lead.status)}.`);

  const errors: FieldError[] = [];
  const leadName = lead.name;
  const accountFields = input.accountId
    ? undefined
    : validPart('accounts', 'account', { name: lead.company ?? leadName, ...input.account }, errors);
  const now = new Date();
  const account = accountFields ? newRecord(caller, 'accounts', accountFields, now) : undefined;
  const accountId = input.accountId ?? account?.id ?? '';
  const contactFields = validPart(
    'contacts',
    'contact',
    { ...splitName(leadName), ...(lead.email ? { email: lead.email } : {}), ...input.contact, accountId },
    errors,
  );
  const opportunityFields = input.opportunity
    ? validPart('opportunities', 'opportunity', { name: leadName, ...input.opportunity, accountId }, errors)
    : undefined;
  if (errors.length || !contactFields) throw fail.invalid(errors, 'The request body is invalid.');
  await checkOwnerAssignments(caller, [
    { collection: 'accounts', ownerId: accountFields?.ownerId, path: 'account.ownerId' },
    { collection: 'contacts', ownerId: contactFields.ownerId, path: 'contact.ownerId' },
    { collection: 'opportunities', ownerId: opportunityFields?.ownerId, path: 'opportunity.ownerId' },
  ]);

  const contact = newRecord(caller, 'contacts', contactFields, now);
  const opportunity = opportunityFields
    ? newRecord(caller, 'opportunities', opportunityFields, now)
    : undefined;
  const patch = {
    status: 'converted' as const,
    convertedAt: now.toISOString(),
    convertedBy: caller.userId,
    convertedAccountId: accountId,
    convertedContactId: contact.id,
    ...(opportunity ? { convertedOpportunityId: opportunity.id } : {}),
    updatedAt: now.toISOString(),
    updatedBy: caller.userId,
  };
  const outcome = await convertLead({
    // Only a lead still at the version read, and still qualified, converts: nothing changed it meanwhile.
    lead: { id: leadId, version: lead.version, patch, expect: { status: 'qualified' } },
    account: account ? { create: account } : { link: accountId },
    contact,
    opportunity,
  });
  if (!outcome.ok && outcome.reason === 'missing-account') {
    throw fail.invalid([{ path: 'accountId', message: 'names no existing account' }]);
  }
  if (!outcome.ok) throw fail.conflict('The lead changed or was converted meanwhile; nothing was written.');
  return {
    lead: redact(caller, 'leads', { ...lead, ...patch, version: lead.version + 1 }),
    accountId,
    account: account ? redact(caller, 'accounts', account) : null,
    contact: redact(caller, 'contacts', contact),
    opportunity: opportunity ? redact(caller, 'opportunities', opportunity) : null,
  };
}
