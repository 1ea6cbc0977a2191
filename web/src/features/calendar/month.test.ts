import { describe, expect, it } from 'vitest';
import {
  addMonths,
  daysInMonth,
  firstDayOfWeek,
  isoWeekday,
  monthRange,
  monthWeeks,
  moveFocus,
  parseDay,
  parseMonth,
  sameDayInMonth,
  weekdayOrder,
} from './month';

describe('months and dates from the address', () => {
  it('accepts real months and dates only', () => {
    expect(parseMonth('2026-12')).toBe('2026-12');
    expect(parseMonth('2026-13')).toBeUndefined();
    expect(parseMonth('2026-1')).toBeUndefined();
    expect(parseMonth(null)).toBeUndefined();
    expect(parseDay('2026-12-24')).toBe('2026-12-24');
    expect(parseDay('2026-02-30')).toBeUndefined();
    expect(parseDay('tomorrow')).toBeUndefined();
  });

  it('steps months across years and knows their lengths', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-06', -18)).toBe('2024-12');
    expect(daysInMonth('2028-02')).toBe(29);
    expect(daysInMonth('2026-02')).toBe(28);
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(sameDayInMonth('2026-01-31', 1)).toBe('2026-02-28');
    expect(sameDayInMonth('2026-03-31', -1)).toBe('2026-02-28');
  });
});

describe('weeks', () => {
  it('starts weeks where the business’s region does', () => {
    expect(firstDayOfWeek('en-CH')).toBe(1);
    expect(firstDayOfWeek('es-ES')).toBe(1);
    expect(firstDayOfWeek('en-US')).toBe(7);
    expect(firstDayOfWeek('not a locale!')).toBe(1);
    expect(weekdayOrder(1)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(weekdayOrder(7)).toEqual([7, 1, 2, 3, 4, 5, 6]);
  });

  it('lays out whole weeks around the month', () => {
    // December 2026 starts on a Tuesday and ends on a Thursday.
    expect(isoWeekday('2026-12-01')).toBe(2);
    const monday = monthWeeks('2026-12', 1);
    expect(monday).toHaveLength(5);
    expect(monday[0]?.[0]).toEqual({ date: '2026-11-30', inMonth: false });
    expect(monday[0]?.[1]).toEqual({ date: '2026-12-01', inMonth: true });
    expect(monday[4]?.[6]).toEqual({ date: '2027-01-03', inMonth: false });
    const sunday = monthWeeks('2026-12', 7);
    expect(sunday[0]?.[0]?.date).toBe('2026-11-29');
    expect(sunday[0]?.[2]?.date).toBe('2026-12-01');
    // February 2027 starts on a Monday: exactly four weeks.
    expect(monthWeeks('2027-02', 1)).toHaveLength(4);
    expect(monthWeeks('2026-08', 1)).toHaveLength(6);
    expect(monthWeeks('2026-12', 1).flat().filter((d) => d.inMonth)).toHaveLength(31);
  });
});

describe('moveFocus', () => {
  const move = (date: string, key: string, shiftKey = false, firstDay = 1) => moveFocus(date, { key, shiftKey }, firstDay);

  it('moves a day or a week with the arrows, across the month’s edges', () => {
    expect(move('2026-12-24', 'ArrowRight')).toBe('2026-12-25');
    expect(move('2026-12-24', 'ArrowLeft')).toBe('2026-12-23');
    expect(move('2026-12-24', 'ArrowDown')).toBe('2026-12-31');
    expect(move('2026-12-24', 'ArrowUp')).toBe('2026-12-17');
    expect(move('2026-12-31', 'ArrowRight')).toBe('2027-01-01');
    expect(move('2026-12-03', 'ArrowUp')).toBe('2026-11-26');
  });

  it('goes to the week’s start and end with Home and End, inside the month', () => {
    // Thursday 24 December 2026; weeks from Monday.
    expect(move('2026-12-24', 'Home')).toBe('2026-12-21');
    expect(move('2026-12-24', 'End')).toBe('2026-12-27');
    // Weeks from Sunday.
    expect(move('2026-12-24', 'Home', false, 7)).toBe('2026-12-20');
    expect(move('2026-12-24', 'End', false, 7)).toBe('2026-12-26');
    // The first week begins in November, the last ends in January: clamped.
    expect(move('2026-12-03', 'Home')).toBe('2026-12-01');
    expect(move('2026-12-30', 'End')).toBe('2026-12-31');
  });

  it('changes the month with Page Up and Page Down, the year with Shift', () => {
    expect(move('2026-12-24', 'PageDown')).toBe('2027-01-24');
    expect(move('2026-12-24', 'PageUp')).toBe('2026-11-24');
    expect(move('2027-01-31', 'PageDown')).toBe('2027-02-28');
    expect(move('2026-12-24', 'PageUp', true)).toBe('2025-12-24');
    expect(move('2028-02-29', 'PageDown', true)).toBe('2029-02-28');
  });

  it('ignores other keys', () => {
    expect(move('2026-12-24', 'Enter')).toBeUndefined();
    expect(move('2026-12-24', 'a')).toBeUndefined();
  });
});
