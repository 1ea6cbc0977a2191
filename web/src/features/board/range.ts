// The board's range and view, kept in the address
// (`/admin/board?from=2026-12-22&days=14&canceled=1`), so a reload or a
// shared link shows the same board. Without one, the range starts a little
// before today (today is the second or third column): 7 days on phones; on
// wider screens 14 for nightly tenants, 7 for timeslot ones and today's hour
// grid (a day) for interval ones.
import { addDays, parseDate } from '@/lib/format';
import type { Model } from './layout';

/** Days shown at once; a single day is for interval tenants (an hour grid). */
export type View = 1 | 7 | 14 | 30;

export const views: readonly View[] = [7, 14, 30];

/** The views a tenant's model offers, in the order the switch lists them. */
export function viewsFor(model: Model): View[] {
  return model === 'interval' ? [1, 7, 14, 30] : [7, 14, 30];
}

export interface BoardAddress {
  from: string;
  days: View;
  /** Show canceled (and no-show) reservations too. */
  canceled: boolean;
}

/** How many days before the anchor date (today, a date jumped to) a range starts. */
export function leadDays(days: View): number {
  return days === 1 ? 0 : days === 7 ? 1 : days === 14 ? 2 : 3;
}

/** The view shown when the address names none. */
export function defaultView(model: Model, narrow: boolean): View {
  if (narrow) return 7;
  return model === 'nightly' ? 14 : model === 'interval' ? 1 : 7;
}

function validDate(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    parseDate(value);
    return value;
  } catch {
    return undefined;
  }
}

/** The range of an address's query; nonsense falls back to the defaults. */
export function readBoardAddress(search: string, context: { today: string; model: Model; narrow: boolean }): BoardAddress {
  const params = new URLSearchParams(search);
  const asked = Number(params.get('days'));
  const days = (viewsFor(context.model) as number[]).includes(asked) ? (asked as View) : defaultView(context.model, context.narrow);
  const from = validDate(params.get('from')) ?? addDays(context.today, -leadDays(days));
  return { from, days, canceled: params.get('canceled') === '1' };
}

/** The query of an address. */
export function boardSearch({ from, days, canceled }: BoardAddress): string {
  const params = new URLSearchParams({ from, days: String(days) });
  if (canceled) params.set('canceled', '1');
  return `?${params.toString()}`;
}

/** The last date of a range (included). */
export function rangeEnd(from: string, days: number): string {
  return addDays(from, days - 1);
}

/** The range that shows `date` near its start, as opening does for today. */
export function rangeAround(date: string, days: View): string {
  return addDays(date, -leadDays(days));
}

/** Whether a date is on the range. */
export function inRange(date: string, from: string, days: number): boolean {
  return date >= from && date <= rangeEnd(from, days);
}

/** A view change keeps the anchor date (today when shown, else the first date) near the start. */
export function changeView(address: BoardAddress, days: View, today: string): BoardAddress {
  const anchor = inRange(today, address.from, address.days) ? today : addDays(address.from, leadDays(address.days));
  return { ...address, days, from: rangeAround(anchor, days) };
}
