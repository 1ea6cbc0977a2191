import { describe, expect, it } from 'vitest';
import { changeOf, figuresOf, isEmpty, signedAmount, tone } from './figures';
import { figures } from './test-fixtures';


describe('changes', () => {
  it('occupancy changes in percentage points, not relative to the previous', () => {
    expect(changeOf(62.5, 58.3, 'points')).toEqual({ direction: 'up', amount: 4.2, kind: 'points' });
    expect(changeOf(40, 50, 'points')).toEqual({ direction: 'down', amount: 10, kind: 'points' });
  });

  it('counts change by their difference', () => {
    expect(changeOf(9, 12, 'count')).toEqual({ direction: 'down', amount: 3, kind: 'count' });
    expect(signedAmount(changeOf(9, 12, 'count'))).toBe(-3);
  });

  it('other figures change relative to the previous, to one decimal', () => {
    expect(changeOf(125_050, 100_000, 'relative')).toEqual({ direction: 'up', amount: 25.1, kind: 'relative' });
    expect(changeOf(2, 3, 'relative')).toEqual({ direction: 'down', amount: 33.3, kind: 'relative' });
    expect(signedAmount(changeOf(2, 3, 'relative'))).toBe(-33.3);
  });

  it('says nothing against a previous of zero or none, and "same" when it rounds away', () => {
    expect(changeOf(5, 0, 'count')).toEqual({ direction: 'none', kind: 'count' });
    expect(changeOf(5, null, 'relative')).toEqual({ direction: 'none', kind: 'relative' });
    expect(changeOf(null, 4, 'points')).toEqual({ direction: 'none', kind: 'points' });
    expect(changeOf(50.01, 50.02, 'points')).toEqual({ direction: 'same', amount: 0, kind: 'points' });
    expect(changeOf(100_001, 100_000, 'relative').direction).toBe('same');
    expect(signedAmount(changeOf(5, 0, 'count'))).toBeNull();
  });

  it('colours by whether more is better (cancelations are not)', () => {
    expect(tone(changeOf(3, 1, 'count'), 'down')).toBe('bad');
    expect(tone(changeOf(3, 1, 'count'), 'up')).toBe('good');
    expect(tone(changeOf(3, 1, 'count'), 'neither')).toBe('neutral');
    expect(tone(changeOf(3, 0, 'count'), 'up')).toBe('neutral');
  });
});

describe('the cards', () => {
  it('pair each figure with the previous range’s', () => {
    const cards = figuresOf(figures(), figures({ occupancyPercent: 58.3, activeReservations: 15, revenue: { amount: 100_000, currency: 'CHF' } }));
    expect(cards.map((c) => c.key)).toEqual(['occupancy', 'reserved', 'revenue', 'active', 'canceled', 'absent', 'averageStay', 'leadTime']);
    const byKey = Object.fromEntries(cards.map((c) => [c.key, c]));
    expect(byKey.occupancy).toMatchObject({ current: 62.5, previous: 58.3, kind: 'points' });
    expect(byKey.active).toMatchObject({ current: 12, previous: 15, kind: 'count' });
    expect(byKey.revenue).toMatchObject({ current: 125_050, previous: 100_000, kind: 'relative', currency: 'CHF' });
    expect(byKey.reserved).toMatchObject({ current: 50, previous: 50 });
  });

  it('count hours for timeslot and interval tenants', () => {
    const hours = figures({ measure: 'SEAT_HOURS', nightsReserved: null, hoursReserved: 42.5 });
    expect(figuresOf(hours, null).find((c) => c.key === 'reserved')).toMatchObject({ current: 42.5, previous: null });
  });

  it('do not compare revenue in different currencies', () => {
    const cards = figuresOf(figures(), figures({ revenue: { amount: 1, currency: 'EUR' } }));
    expect(cards.find((c) => c.key === 'revenue')?.previous).toBeNull();
  });

  it('know an empty range', () => {
    expect(isEmpty(figures())).toBe(false);
    expect(isEmpty(figures({ activeReservations: 0, canceledReservations: 0, absentReservations: 0, occupied: 0 }))).toBe(true);
  });
});
