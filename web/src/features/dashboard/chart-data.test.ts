import { describe, expect, it } from 'vitest';
import { addDays } from '@/lib/format';
import { aggregate, bucketSize, summaryOf } from './chart-data';

function days(from: string, count: number, each: (i: number) => { occupied: number; capacity: number } = () => ({ occupied: 1, capacity: 4 })) {
  return Array.from({ length: count }, (_, i) => {
    const { occupied, capacity } = each(i);
    return { date: addDays(from, i), occupied, capacity, blocked: 0, ratio: capacity > 0 ? occupied / capacity : null };
  });
}

describe('occupancy bars', () => {
  it('are days for a month, weeks up to half a year, months beyond', () => {
    expect(bucketSize(31)).toBe('day');
    expect(bucketSize(62)).toBe('day');
    expect(bucketSize(92)).toBe('week');
    expect(bucketSize(186)).toBe('week');
    expect(bucketSize(366)).toBe('month');
  });

  it('keep one bar per day', () => {
    const bars = aggregate(days('2026-12-01', 31), 'day');
    expect(bars).toHaveLength(31);
    expect(bars[0]).toMatchObject({ from: '2026-12-01', to: '2026-12-01', ratio: 0.25 });
  });

  it('gather weeks of seven days from the start, the last one shorter', () => {
    const bars = aggregate(days('2026-10-01', 92), 'week');
    expect(bars).toHaveLength(14);
    expect(bars[0]).toMatchObject({ from: '2026-10-01', to: '2026-10-07', occupied: 7, capacity: 28 });
    expect(bars[13]).toMatchObject({ from: '2026-12-31', to: '2026-12-31', occupied: 1, capacity: 4 });
  });

  it('gather calendar months, weighting days by capacity (a closed day weighs nothing)', () => {
    const year = days('2026-01-01', 365, (i) => (i < 31 ? { occupied: i < 10 ? 4 : 0, capacity: i < 20 ? 4 : 0 } : { occupied: 2, capacity: 4 }));
    const bars = aggregate(year, 'month');
    expect(bars).toHaveLength(12);
    expect(bars[0]).toMatchObject({ from: '2026-01-01', to: '2026-01-31', occupied: 40, capacity: 80, ratio: 0.5 });
    expect(bars[1]).toMatchObject({ from: '2026-02-01', to: '2026-02-28', ratio: 0.5 });
  });

  it('mark a bar without capacity as closed and leave it out of the summary', () => {
    const bars = aggregate(days('2026-12-01', 3, (i) => [{ occupied: 0, capacity: 0 }, { occupied: 3, capacity: 4 }, { occupied: 1, capacity: 4 }][i]!), 'day');
    expect(bars[0]!.ratio).toBeNull();
    const summary = summaryOf(bars);
    expect(summary.high?.from).toBe('2026-12-02');
    expect(summary.low?.from).toBe('2026-12-03');
    expect(summary.ratio).toBe(0.5);
    expect(summaryOf(bars.slice(0, 1))).toEqual({ high: undefined, low: undefined, ratio: null });
  });
});
