import { describe, expect, it } from 'vitest';
import { changedFields, encodingProblems, headerProblems, rowBody } from '../../shared/domain/imports.js';
import { rowRecordId } from '../../shared/transfers/run-import.js';

describe('import rows', () => {
  it('reads each cell as its field takes it and leaves empty cells out', () => {
    // Act
    const contact = rowBody('contacts', {
      firstName: 'Ann',
      email: 'ann@x.example',
      marketingOptIn: 'yes',
      title: ' ',
    });
    const lead = rowBody('leads', { name: 'Dana', score: '40' });
    const account = rowBody('accounts', { name: 'Acme', tags: 'vip; emea' });

    // Assess
    expect(contact).toEqual({ firstName: 'Ann', email: 'ann@x.example', marketingOptIn: true });
    expect(lead).toEqual({ name: 'Dana', score: 40 });
    expect(account).toEqual({ name: 'Acme', tags: ['vip', 'emea'] });
  });

  it('keeps a cell its field does not take as text, for the schema to refuse', () => {
    // Act
    const body = rowBody('contacts', { marketingOptIn: 'maybe' });

    // Assess
    expect(body).toEqual({ marketingOptIn: 'maybe' });
  });

  it('names each column that is not a field, or is named twice', () => {
    // Act
    const problems = headerProblems('contacts', ['firstName', 'shoeSize', 'firstName']);

    // Assess
    expect(problems).toEqual([
      { row: 0, field: 'shoeSize', message: 'is not a field of contacts' },
      { row: 0, field: 'firstName', message: 'is named twice' },
    ]);
  });

  it('merges only what differs, and never another spelling of the natural key', () => {
    // Act
    const patch = changedFields(
      'contacts',
      { email: 'ann@x.example', title: 'CTO', marketingOptIn: false },
      { email: 'ANN@x.example', title: 'CTO', marketingOptIn: true },
    );

    // Assess
    expect(patch).toEqual({ marketingOptIn: true });
  });

  it('gives a row the same id on every run, and each row its own', () => {
    // Prepare
    const job = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', createdAt: '2026-12-04T10:00:00.000Z' };

    // Act / Assess
    expect(rowRecordId(job, 7)).toBe(rowRecordId(job, 7));
    expect(rowRecordId(job, 7)).not.toBe(rowRecordId(job, 8));
    expect(rowRecordId({ ...job, id: '01JABCDEFGHJKMNPQRSTVWXYZ1' }, 7)).not.toBe(rowRecordId(job, 7));
  });
});

describe('cells that were not UTF-8', () => {
  it('refuse their row, naming each such field', () => {
    // Prepare: what the decoder makes of 0xFF in a cell
    const row = { firstName: 'J\uFFFDo', lastName: 'Lee', email: 'jo@example.com' };

    // Act / Assess
    expect(encodingProblems(7, row)).toEqual([{ row: 7, field: 'firstName', message: 'is not valid UTF-8' }]);
    expect(encodingProblems(7, { firstName: 'José', lastName: '李' })).toEqual([]);
  });
});
