// A heatmap day in words: its accessible name (the web contract:
// `2026-12-24: 3 of 5 occupied (60%)`, the date in ISO form, `of` and
// `occupied` translated) and the amounts in it.
import { percentOf } from './heatmap-scale';

/** One day's occupancy as `occupancy` and `day` give it. */
export interface DayFigures {
  date: string;
  occupied: number;
  capacity: number;
  ratio?: number | null;
}

/** Translates a key of the `calendar` namespace. */
export type CalendarT = (key: string, options?: Record<string, unknown>) => string;

/**
 * An amount of the occupancy measure: whole numbers as they are (3), others
 * to one decimal in the locale's way (12.5; 12,5 in Spanish).
 */
export function formatAmount(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
}

/** Whether a day has capacity to be occupied (closed days, all units archived: not). */
export function hasCapacity(day: DayFigures): boolean {
  return day.capacity > 0 && day.ratio !== null && day.ratio !== undefined;
}

/**
 * The accessible name of a heatmap day: `2026-12-24: 3 of 5 occupied (60%)`,
 * and the bare date while its figures are not known (loading, or the request
 * failed). A day without capacity (closed, or before the units existed) keeps
 * the contract's form with its true figures, `2026-12-26: 0 of 0 occupied
 * (0%)`, so that every day reads alike; the heatmap adds "No capacity" as the
 * day's description.
 */
export function dayLabel(date: string, figures: DayFigures | undefined, t: CalendarT, locale: string): string {
  if (!figures) return date;
  return t('day.label', {
    date,
    occupied: formatAmount(figures.occupied, locale),
    capacity: formatAmount(figures.capacity, locale),
    percent: hasCapacity(figures) ? percentOf(figures.ratio) : 0,
  });
}
