import { describe, expect, it } from 'vitest';
import { tenantDate } from '@/lib/format';
import { addressSearch, previousRange, rangeDays, rangeProblem, readChoice, readRankBy, resolveRange } from './range';

describe('presets → dates', () => {
  it('this month is the whole month, February of a leap year included', () => {
    expect(resolveRange({ preset: 'this-month' }, '2026-12-06')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(resolveRange({ preset: 'this-month' }, '2028-02-29')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(resolveRange({ preset: 'this-month' }, '2027-02-01')).toEqual({ from: '2027-02-01', to: '2027-02-28' });
    expect(resolveRange({ preset: 'this-month' }, '2026-04-30')).toEqual({ from: '2026-04-01', to: '2026-04-30' });
  });

  it('the last 30 days end today, across a month and a year', () => {
    expect(resolveRange({ preset: 'last-30-days' }, '2026-12-06')).toEqual({ from: '2026-11-07', to: '2026-12-06' });
    expect(resolveRange({ preset: 'last-30-days' }, '2027-01-10')).toEqual({ from: '2026-12-12', to: '2027-01-10' });
    expect(rangeDays(resolveRange({ preset: 'last-30-days' }, '2028-03-01'))).toBe(30);
  });

  it('this year is 1 January to 31 December (366 days in a leap year)', () => {
    expect(resolveRange({ preset: 'this-year' }, '2026-12-31')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(rangeDays(resolveRange({ preset: 'this-year' }, '2028-06-01'))).toBe(366);
  });

  it('starts from today at the business, not in the browser', () => {
    // 23:30 UTC on 31 December is already 1 January in Zurich, still 31 December in Denver.
    const instant = new Date('2026-12-31T23:30:00Z');
    expect(resolveRange({ preset: 'this-year' }, tenantDate('Europe/Zurich', instant))).toEqual({ from: '2027-01-01', to: '2027-12-31' });
    expect(resolveRange({ preset: 'this-month' }, tenantDate('America/Denver', instant))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });
});

describe('the previous range', () => {
  it('has the same length and ends the day before', () => {
    expect(previousRange({ from: '2026-12-01', to: '2026-12-31' })).toEqual({ from: '2026-10-31', to: '2026-11-30' });
    expect(previousRange({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-01-29', to: '2026-02-28' });
    expect(previousRange({ from: '2027-01-01', to: '2027-12-31' })).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    // A leap year's 366 days reach back into the year before last (as `stats` counts).
    expect(previousRange({ from: '2028-01-01', to: '2028-12-31' })).toEqual({ from: '2026-12-31', to: '2027-12-31' });
    expect(previousRange({ from: '2026-12-06', to: '2026-12-06' })).toEqual({ from: '2026-12-05', to: '2026-12-05' });
  });
});

describe('the address', () => {
  it('reads presets, custom dates and the ranking; this month by default', () => {
    expect(readChoice('')).toEqual({ preset: 'this-month' });
    expect(readChoice('?range=this-year')).toEqual({ preset: 'this-year' });
    expect(readChoice('?range=last-30-days&by=nights')).toEqual({ preset: 'last-30-days' });
    expect(readChoice('?from=2026-11-03&to=2026-12-02')).toEqual({ preset: 'custom', from: '2026-11-03', to: '2026-12-02' });
    expect(readRankBy('?by=nights')).toBe('nights');
    expect(readRankBy('?by=whatever')).toBe('revenue');
  });

  it('ignores nonsense: bad dates, reversed or too long ranges, unknown presets', () => {
    expect(readChoice('?range=forever')).toEqual({ preset: 'this-month' });
    expect(readChoice('?from=2026-02-30&to=2026-03-02')).toEqual({ preset: 'this-month' });
    expect(readChoice('?from=2026-12-02&to=2026-11-03&range=this-year')).toEqual({ preset: 'this-year' });
    expect(readChoice('?from=2026-01-01&to=2027-01-02')).toEqual({ preset: 'this-month' });
  });

  it('writes what it reads', () => {
    expect(addressSearch({ preset: 'this-month' }, 'revenue')).toBe('?range=this-month');
    expect(addressSearch({ preset: 'custom', from: '2026-11-03', to: '2026-12-02' }, 'nights')).toBe('?from=2026-11-03&to=2026-12-02&by=nights');
    const search = addressSearch({ preset: 'custom', from: '2026-01-01', to: '2026-12-31' }, 'nights');
    expect(readChoice(search)).toEqual({ preset: 'custom', from: '2026-01-01', to: '2026-12-31' });
    expect(readRankBy(search)).toBe('nights');
  });

  it('allows at most 366 days, in order', () => {
    expect(rangeProblem('2028-01-01', '2028-12-31')).toBeUndefined();
    expect(rangeProblem('2026-01-01', '2027-01-01')).toBeUndefined();
    expect(rangeProblem('2026-01-01', '2027-01-02')).toBe('tooLong');
    expect(rangeProblem('2026-12-02', '2026-12-01')).toBe('order');
    expect(rangeProblem('2026-12-02', '2026-12-02')).toBeUndefined();
  });
});
