// The dashboard's range: a preset (this month, the last 30 days, this year)
// or custom dates, read from and written to the address
// (`?range=this-month`, `?from=2026-11-03&to=2026-12-02`), turned into
// tenant-local dates from the business's today (`useFormat().today()`).
import { addDays, daysBetween, parseDate } from '@/lib/format';

export const presets = ['this-month', 'last-30-days', 'this-year'] as const;

/** A named range. */
export type Preset = (typeof presets)[number];

/** What the address asks for: a preset, or custom dates. */
export type RangeChoice = { preset: Preset } | { preset: 'custom'; from: string; to: string };

/** Both ends included (tenant-local `YYYY-MM-DD`). */
export interface DateRange {
  from: string;
  to: string;
}

/** The longest range `stats`, `occupancy` and `topUnits` accept, in days. */
export const maxRangeDays = 366;

/** How the top units are ranked (the API's `TopUnitsBy`, lower case in the address). */
export type RankBy = 'revenue' | 'nights';

function isDate(value: string | null): value is string {
  if (!value) return false;
  try {
    parseDate(value);
    return true;
  } catch {
    return false;
  }
}

/** Why custom dates cannot be shown, if they cannot. */
export function rangeProblem(from: string, to: string): 'order' | 'tooLong' | undefined {
  const days = daysBetween(from, to) + 1;
  if (days < 1) return 'order';
  if (days > maxRangeDays) return 'tooLong';
  return undefined;
}

/** The range of the address's query; this month when it says nothing sensible. */
export function readChoice(search: string | URLSearchParams): RangeChoice {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const from = params.get('from');
  const to = params.get('to');
  if (isDate(from) && isDate(to) && !rangeProblem(from, to)) return { preset: 'custom', from, to };
  const range = params.get('range');
  if ((presets as readonly string[]).includes(range ?? '')) return { preset: range as Preset };
  return { preset: 'this-month' };
}

/** The ranking of the address (`?by=nights`); revenue by default. */
export function readRankBy(search: string | URLSearchParams): RankBy {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  return params.get('by') === 'nights' ? 'nights' : 'revenue';
}

/** The address's query for a range and a ranking (revenue, the default, is left out). */
export function addressSearch(choice: RangeChoice, by: RankBy): string {
  const params = new URLSearchParams();
  if (choice.preset === 'custom') {
    params.set('from', choice.from);
    params.set('to', choice.to);
  } else {
    params.set('range', choice.preset);
  }
  if (by !== 'revenue') params.set('by', by);
  return `?${params.toString()}`;
}

/** The last date of `today`'s month. */
function monthEnd(date: string): string {
  const { year, month } = parseDate(date);
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/**
 * The dates of a choice, from the business's today: this month and this year
 * whole (first to last day: reservations ahead count too), the last 30 days
 * ending today.
 */
export function resolveRange(choice: RangeChoice, today: string): DateRange {
  switch (choice.preset) {
    case 'custom':
      return { from: choice.from, to: choice.to };
    case 'this-month':
      return { from: `${today.slice(0, 7)}-01`, to: monthEnd(today) };
    case 'last-30-days':
      return { from: addDays(today, -29), to: today };
    case 'this-year':
      return { from: `${today.slice(0, 4)}-01-01`, to: `${today.slice(0, 4)}-12-31` };
  }
}

/** Days in a range, both ends included. */
export function rangeDays(range: DateRange): number {
  return daysBetween(range.from, range.to) + 1;
}

/**
 * The range of equal length just before (as `stats.previous` counts it): the
 * 31 days before 1–31 Dec are 31 Oct–30 Nov.
 */
export function previousRange(range: DateRange): DateRange {
  const days = rangeDays(range);
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}
