// The calendar's date arithmetic, on tenant-local dates (`2026-12-24`) and
// months (`2026-12`), which have no timezone: everything is done on UTC
// midnights, so the browser's own timezone never shifts a day.
import { addDays, parseDate } from '@/lib/format';

/** A month as `YYYY-MM`. */
export type Month = string;

/** A month parameter from the address bar, if it is a real month (`2026-12`). */
export function parseMonth(value: string | null | undefined): Month | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(value ?? '');
  if (!match) return undefined;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? `${match[1]}-${match[2]}` : undefined;
}

/** A date parameter from the address bar, if it is a real date (`2026-12-24`). */
export function parseDay(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    parseDate(value);
    return value;
  } catch {
    return undefined;
  }
}

/** The month of a date (`2026-12-24` → `2026-12`). */
export function monthOf(date: string): Month {
  return date.slice(0, 7);
}

function monthParts(month: Month): { year: number; month: number } {
  const parsed = parseMonth(month);
  if (!parsed) throw new RangeError(`not a YYYY-MM month: ${month}`);
  return { year: Number(parsed.slice(0, 4)), month: Number(parsed.slice(5, 7)) };
}

function isoDate(year: number, monthIndex: number, day: number): string {
  return new Date(Date.UTC(year, monthIndex, day)).toISOString().slice(0, 10);
}

/** The month `n` months after `month` (negative: before). */
export function addMonths(month: Month, n: number): Month {
  const { year, month: m } = monthParts(month);
  return isoDate(year, m - 1 + n, 1).slice(0, 7);
}

/** The number of days in a month. */
export function daysInMonth(month: Month): number {
  const { year, month: m } = monthParts(month);
  return new Date(Date.UTC(year, m, 0)).getUTCDate();
}

/** The first and last date of a month (`2026-12-01`, `2026-12-31`). */
export function monthRange(month: Month): { from: string; to: string } {
  return { from: `${month}-01`, to: `${month}-${String(daysInMonth(month)).padStart(2, '0')}` };
}

/** The ISO weekday of a date: 1 Monday … 7 Sunday. */
export function isoWeekday(date: string): number {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() || 7;
}

interface WeekInfo {
  firstDay?: number;
}

/**
 * The first day of the week where the business is (ISO: 1 Monday, 7 Sunday),
 * from the formatting locale's region (`en-CH` → Monday, `en-US` → Sunday);
 * Monday (ISO 8601) when the browser cannot say.
 */
export function firstDayOfWeek(locale: string): number {
  try {
    const tag = new Intl.Locale(locale) as Intl.Locale & {
      getWeekInfo?: () => WeekInfo;
      weekInfo?: WeekInfo;
    };
    const info = typeof tag.getWeekInfo === 'function' ? tag.getWeekInfo() : tag.weekInfo;
    const first = info?.firstDay;
    return typeof first === 'number' && first >= 1 && first <= 7 ? first : 1;
  } catch {
    return 1;
  }
}

/** The ISO weekdays in display order, from the first day of the week. */
export function weekdayOrder(firstDay: number): number[] {
  return Array.from({ length: 7 }, (_, i) => ((firstDay - 1 + i) % 7) + 1);
}

/** One cell of the month grid: a date, and whether it belongs to the month shown. */
export interface GridDay {
  date: string;
  inMonth: boolean;
}

/** The weeks that show a month: whole weeks from `firstDay`, 4 to 6 of them. */
export function monthWeeks(month: Month, firstDay: number): GridDay[][] {
  const { from, to } = monthRange(month);
  const lead = (isoWeekday(from) - firstDay + 7) % 7;
  const start = addDays(from, -lead);
  const weeks: GridDay[][] = [];
  for (let week = start; week <= to; week = addDays(week, 7)) {
    weeks.push(
      Array.from({ length: 7 }, (_, i) => {
        const date = addDays(week, i);
        return { date, inMonth: monthOf(date) === month };
      }),
    );
  }
  return weeks;
}

/** The same day of the month `n` months away, kept inside that month (31 Jan + 1 → 28 Feb). */
export function sameDayInMonth(date: string, n: number): string {
  const target = addMonths(monthOf(date), n);
  const day = Math.min(parseDate(date).day, daysInMonth(target));
  return `${target}-${String(day).padStart(2, '0')}`;
}

/** A key that moves the focus in the month grid. */
export interface GridKey {
  key: string;
  shiftKey?: boolean;
}

/**
 * Where a key moves the focus from `date` (the grid pattern of WAI-ARIA's
 * date picker): arrows a day or a week (into the next or previous month
 * when they cross its edge), Home and End to the start and end of the week
 * (kept inside the month, whose outside days are not buttons), Page Up and
 * Page Down a month (with Shift a year), to the same day or the month's last.
 * Undefined for any other key.
 */
export function moveFocus(date: string, { key, shiftKey = false }: GridKey, firstDay: number): string | undefined {
  const month = monthOf(date);
  const { from, to } = monthRange(month);
  const clamp = (d: string) => (d < from ? from : d > to ? to : d);
  const offset = (isoWeekday(date) - firstDay + 7) % 7;
  switch (key) {
    case 'ArrowLeft':
      return addDays(date, -1);
    case 'ArrowRight':
      return addDays(date, 1);
    case 'ArrowUp':
      return addDays(date, -7);
    case 'ArrowDown':
      return addDays(date, 7);
    case 'Home':
      return clamp(addDays(date, -offset));
    case 'End':
      return clamp(addDays(date, 6 - offset));
    case 'PageUp':
      return sameDayInMonth(date, shiftKey ? -12 : -1);
    case 'PageDown':
      return sameDayInMonth(date, shiftKey ? 12 : 1);
    default:
      return undefined;
  }
}
