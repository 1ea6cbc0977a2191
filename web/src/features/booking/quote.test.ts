// Quote verdicts and who is offered "Book anyway".
import { describe, expect, it } from 'vitest';
import { itemsFor } from './booking-form';
import { mayBook, offersBookAnyway, quoteVerdict } from './quote';

const violation = { code: 'min_nights', message: 'at least 2 nights' };

describe('quoteVerdict', () => {
  it('tells bookable, refused by the rules and taken apart', () => {
    expect(quoteVerdict({ available: true, violations: [] })).toBe('bookable');
    expect(quoteVerdict({ available: false, violations: [violation] })).toBe('refused');
    expect(quoteVerdict({ available: false, violations: [] })).toBe('unavailable');
  });
});

describe('offersBookAnyway', () => {
  const refused = { available: false, violations: [violation], overridable: true };
  it('only for admins and owners, only when the quote is overridable', () => {
    expect(offersBookAnyway(refused, 'ADMIN')).toBe(true);
    expect(offersBookAnyway(refused, 'OWNER')).toBe(true);
    expect(offersBookAnyway(refused, 'STAFF')).toBe(false);
    expect(offersBookAnyway(refused, 'VIEWER')).toBe(false);
    expect(offersBookAnyway(refused, null)).toBe(false);
    expect(offersBookAnyway({ ...refused, overridable: false }, 'ADMIN')).toBe(false);
    expect(offersBookAnyway({ available: false, violations: [], overridable: true }, 'ADMIN')).toBe(false);
    expect(offersBookAnyway({ available: true, violations: [], overridable: true }, 'OWNER')).toBe(false);
  });

  it('staff and up may book; viewers read', () => {
    expect(['OWNER', 'ADMIN', 'STAFF', 'VIEWER'].map((r) => mayBook(r as never))).toEqual([true, true, true, false]);
  });
});

describe('itemsFor', () => {
  it('the rooms or seats the guests need, within the inventory', () => {
    expect(itemsFor(3, 1, 20)).toBe(3);
    expect(itemsFor(5, 2, 10)).toBe(3);
    expect(itemsFor(40, 1, 20)).toBe(20);
    expect(itemsFor(0, 2, 10)).toBe(1);
    expect(itemsFor(2.5, 2, 10)).toBe(1);
  });
});
