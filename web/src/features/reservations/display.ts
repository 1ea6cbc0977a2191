// How a reservation's period reads: a nightly stay by its dates (and nights),
// a slot or a rental by its instants in the business's timezone.
import { daysBetween } from '@/lib/format';
import type { useFormat } from '@/lib/use-format';

type Format = ReturnType<typeof useFormat>;

export interface PeriodLike {
  start: string;
  end: string;
  checkIn?: string | null;
  checkOut?: string | null;
}

/** `15–17 Dec 2026` for a stay, `15 Dec 2026, 09:00–12:00` otherwise. */
export function periodText(period: PeriodLike, format: Format): string {
  if (period.checkIn && period.checkOut) return format.dateRange(period.checkIn, period.checkOut);
  return format.instantRange(period.start, period.end);
}

/** Nights of a stay, or null for periods that are not nightly. */
export function nightsOf(period: PeriodLike): number | null {
  return period.checkIn && period.checkOut ? daysBetween(period.checkIn, period.checkOut) : null;
}

/** Whole hours and minutes of a period that is not nightly (`{ hours: 2, minutes: 30 }`). */
export function durationOf(period: PeriodLike): { hours: number; minutes: number } {
  const minutes = Math.round((Date.parse(period.end) - Date.parse(period.start)) / 60_000);
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}
