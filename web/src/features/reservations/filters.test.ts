// The list's filters ↔ the address ↔ the API's filter.
import { describe, expect, it } from 'vitest';
import { apiFilter, filtersFromSearch, hasFilters, noFilters, searchFromFilters } from './filters';

describe('filters and the address', () => {
  it('reads every filter from the query string', () => {
    const search = new URLSearchParams('state=CONFIRMED&state=held&unit=u1&from=2026-12-01&to=2026-12-31&guest=%20keller%20');
    expect(filtersFromSearch(search)).toEqual({
      states: ['HELD', 'CONFIRMED'],
      unitId: 'u1',
      from: '2026-12-01',
      to: '2026-12-31',
      guest: 'keller',
    });
  });

  it('leaves out what it does not understand', () => {
    const search = new URLSearchParams('state=PAID&state=CONFIRMED&state=CONFIRMED&from=2026-02-30&to=tomorrow&unit=');
    expect(filtersFromSearch(search)).toEqual({ ...noFilters, states: ['CONFIRMED'] });
  });

  it('writes only the filters that are set, and reads them back the same', () => {
    const filters = { states: ['CHECKED_IN' as const, 'CANCELED' as const], unitId: 'u2', from: '2026-12-01', to: null, guest: 'Zürcher' };
    const search = searchFromFilters(filters);
    expect(search.toString()).toBe('state=CHECKED_IN&state=CANCELED&unit=u2&from=2026-12-01&guest=Z%C3%BCrcher');
    expect(filtersFromSearch(search)).toEqual(filters);
    expect(searchFromFilters(noFilters).toString()).toBe('');
    expect(hasFilters(noFilters)).toBe(false);
    expect(hasFilters({ ...noFilters, guest: '  ' })).toBe(false);
    expect(hasFilters({ ...noFilters, to: '2026-12-31' })).toBe(true);
  });

  it('turns the business’s dates into instants bounding whole days', () => {
    expect(
      apiFilter({ states: ['HELD'], unitId: 'u1', from: '2026-12-01', to: '2026-12-31', guest: 'keller' }, 'Europe/Zurich'),
    ).toEqual({
      states: ['HELD'],
      unitId: 'u1',
      clientSearch: 'keller',
      from: '2026-11-30T23:00:00Z',
      to: '2026-12-31T23:00:00Z',
    });
    expect(apiFilter(noFilters, 'UTC')).toEqual({ states: [] });
  });
});
