// Instants and the tenant's wall clock. berth's instants are UTC; the board
// places them by the tenant's local date and time of day, so a stay, a slot or
// a rental sits on the day the business lives it, wherever the browser is and
// across daylight-saving changes.
import { addDays, parseDate } from '@/lib/format';

/** An instant as the API sends it, or milliseconds since the epoch. */
export type Instant = string | number;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsFormats.set(timeZone, format);
  }
  return format;
}

export function toMs(instant: Instant): number {
  return typeof instant === 'number' ? instant : Date.parse(instant);
}

/** The wall clock at an instant in `timeZone`: its date and minutes since midnight. */
export interface WallClock {
  date: string;
  /** Minutes since local midnight (seconds as a fraction). */
  minutes: number;
}

/** The tenant's wall clock at an instant. */
export function wallClock(instant: Instant, timeZone: string): WallClock {
  const parts = partsFormat(timeZone).formatToParts(new Date(toMs(instant)));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const year = String(get('year')).padStart(4, '0');
  const month = String(get('month')).padStart(2, '0');
  const day = String(get('day')).padStart(2, '0');
  return { date: `${year}-${month}-${day}`, minutes: get('hour') * 60 + get('minute') + get('second') / 60 };
}

/** The tenant-local date of an instant. */
export function localDate(instant: Instant, timeZone: string): string {
  return wallClock(instant, timeZone).date;
}

/** How far `timeZone`'s wall clock is ahead of UTC at an instant, in ms. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const { date, minutes } = wallClock(ms, timeZone);
  const { year, month, day } = parseDate(date);
  const wall = Date.UTC(year, month - 1, day) + Math.round(minutes * 60_000);
  // The wall clock has whole seconds; compare at whole seconds.
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the tenant's wall clock reads `minutes` after midnight
 * on `date`. A wall time skipped by a daylight-saving change (02:30 on a
 * spring-forward night) gives the instant the same distance after the change;
 * a repeated one (autumn), the first of the two.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): number {
  const { year, month, day } = parseDate(date);
  const wall = Date.UTC(year, month - 1, day) + Math.round(minutes * 60_000);
  // Two corrections settle every zone (the offset at the guess, then at the result).
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  const earlier = guess - 3_600_000;
  // Autumn: the same wall time an hour earlier is the first of the two.
  if (wall - zoneOffsetMs(earlier, timeZone) === earlier) return earlier;
  return guess;
}

/** Local midnight starting `date` as an instant. */
export function startOfDay(date: string, timeZone: string): number {
  return zonedInstant(date, 0, timeZone);
}

/** The `count` dates from `from`. */
export function datesFrom(from: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(from, i));
}

/** ISO weekday of a date (1 Monday … 7 Sunday). */
export function isoWeekday(date: string): number {
  const { year, month, day } = parseDate(date);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}
