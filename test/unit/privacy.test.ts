import { describe, expect, it } from 'vitest';
import { erasureChange, recordItem } from '../../shared/db/keys.js';
import { ERASED_VALUE, erasedCopy, erasurePatch, needsErasure } from '../../shared/domain/privacy.js';
import { auditItemsOf } from '../../shared/events/audit-trail.js';
import { type StreamChange, toChangeEvent } from '../../shared/events/change-events.js';
import { applyChange, aRecord } from './fixtures.js';

const contact = aRecord({
  firstName: 'Ann',
  lastName: 'Lee',
  email: 'ann@example.com',
  phone: '+1 555 0100',
  title: 'CTO',
  marketingOptIn: true,
});

/** The stream's view of the erasure of the contact by `admin`. */
function erasure(): StreamChange {
  const stored = recordItem('contacts', contact);
  const change = erasureChange(
    'contacts',
    contact.id,
    erasurePatch('contacts', contact),
    'admin',
    '2026-01-01T00:00:00.000Z',
  );
  const after = applyChange(stored, change);
  return {
    eventId: 'ev-erase',
    kind: 'MODIFY',
    oldImage: stored,
    newImage: { ...after, version: contact.version + 1 },
  };
}

describe('erasurePatch', () => {
  it('sets required personal fields to the placeholder, removes optional ones, keeps business fields', () => {
    // Prepare / Act
    const patch = erasurePatch('contacts', contact);

    // Assess
    expect(patch).toEqual({
      firstName: ERASED_VALUE,
      lastName: ERASED_VALUE,
      email: null,
      phone: null,
      title: null,
    });
  });

  it('is empty for a record erased already (a re-run changes nothing)', () => {
    // Prepare
    const erased = erasedCopy('contacts', contact);

    // Act / Assess
    expect(erasurePatch('contacts', erased)).toEqual({});
    expect(needsErasure('contacts', erased)).toBe(false);
    expect(needsErasure('contacts', contact)).toBe(true);
  });

  it('keeps the keys of an audit entry’s value maps, as null', () => {
    // Act
    const values = erasedCopy('contacts', { email: 'ann@example.com', marketingOptIn: true }, true);

    // Assess
    expect(values).toEqual({ email: null, marketingOptIn: true });
  });
});

describe('the erasure as the stream tells it', () => {
  it('is announced as contact.erased, with the erased record', () => {
    // Act
    const event = toChangeEvent(erasure());

    // Assess
    expect(event?.detailType).toBe('contact.erased');
    expect(event?.detail.action).toBe('updated');
    expect(JSON.stringify(event)).not.toContain('ann@example.com');
    expect(event?.detail.record).not.toHaveProperty('_erasedAt');
  });

  it('leaves an audit entry without the values it erased', () => {
    // Prepare
    const change = erasure();
    const event = toChangeEvent(change);

    // Act
    const [item] = auditItemsOf({ change, event, sequence: '100' });

    // Assess
    expect(JSON.stringify(item)).not.toMatch(/ann@example\.com|Ann|Lee|555/);
    expect(item?.entry).toMatchObject({ type: 'contact.erased', actor: 'admin', before: null });
  });
});
