import { describe, expect, it } from 'vitest';
import { finalStatesOf } from '../../shared/domain/collections.js';
import { referencesOf } from '../../shared/domain/use-cases/preconditions.js';
import { referenceCheck, referenceProblem } from '../../shared/domain/use-cases/write-checks.js';

const A1 = '01JA0000000000000000000001';
const A2 = '01JA0000000000000000000002';
const C1 = '01JC0000000000000000000001';

/** What a write must check inside itself: the records it points at, and a case's contact's account. */
describe('referencesOf', () => {
  it('on create, checks the account and the case contact, which must be of the case account', () => {
    // Act
    const refs = referencesOf('cases', { accountId: A1, contactId: C1, subject: 's' });
    // Assess
    expect(refs).toEqual([
      { path: 'accountId', collection: 'accounts', id: A1 },
      { path: 'contactId', collection: 'contacts', id: C1, accountId: A1, mismatch: expect.any(String) },
    ]);
  });

  it('on a case PATCH of contactId only, binds the contact to the stored account', () => {
    // Prepare: the stored case, with the patch merged over it
    const stored = { accountId: A1, subject: 's' };
    const patch = { contactId: C1 };
    // Act
    const refs = referencesOf('cases', { ...stored, ...patch }, patch);
    // Assess: no account check (unchanged), the contact bound to A1 and blamed on contactId
    expect(refs).toEqual([
      { path: 'contactId', collection: 'contacts', id: C1, accountId: A1, mismatch: expect.any(String) },
    ]);
  });

  it('on a case PATCH of accountId only, checks the stored contact against the new account, blamed on accountId', () => {
    const stored = { accountId: A1, contactId: C1, subject: 's' };
    const patch = { accountId: A2 };
    const refs = referencesOf('cases', { ...stored, ...patch }, patch);
    expect(refs.map((r) => [r.path, r.collection, r.id, r.accountId])).toEqual([
      ['accountId', 'accounts', A2, undefined],
      ['accountId', 'contacts', C1, A2],
    ]);
  });

  it('checks nothing for a patch that touches no reference, or removes the contact', () => {
    const stored = { accountId: A1, contactId: C1, subject: 's' };
    expect(referencesOf('cases', { ...stored, subject: 'x' }, { subject: 'x' })).toEqual([]);
    expect(referencesOf('cases', { ...stored, contactId: null }, { contactId: null })).toEqual([]);
  });

  it('a contact (no contact field of its own) checks only its account', () => {
    expect(referencesOf('contacts', { firstName: 'a', lastName: 'b', accountId: A1 })).toEqual([
      { path: 'accountId', collection: 'accounts', id: A1 },
    ]);
  });

  it('turns a contact reference into a check of the contact’s accountId, and a failure into a 400 on its path', () => {
    // Prepare
    const [, contactRef] = referencesOf('cases', { accountId: A1, contactId: C1 });
    // Act
    const check = referenceCheck(contactRef!);
    const missing = referenceProblem(contactRef!, false);
    const elsewhere = referenceProblem(contactRef!, true);
    // Assess
    expect(check.expect).toEqual({ accountId: A1 });
    expect(missing.kind).toBe('invalid');
    expect(missing.errors).toEqual([{ path: 'contactId', message: 'names no existing record of contacts' }]);
    expect(elsewhere.errors).toEqual([
      { path: 'contactId', message: expect.stringContaining('another account') },
    ]);
  });
});

describe('finalStatesOf', () => {
  it('declares a converted lead final, and nothing else so far', () => {
    expect(finalStatesOf('leads')).toEqual({ field: 'status', states: ['converted'] });
    expect(finalStatesOf('cases')).toBeUndefined();
    expect(finalStatesOf('opportunities')).toBeUndefined();
  });
});
