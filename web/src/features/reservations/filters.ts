// The reservations list's filters and the address: every filter lives in the
// query string, so a filtered list can be bookmarked, shared and reloaded,
// and Back undoes a change of filter.
//   ?state=HELD&state=CONFIRMED&unit=<id>&from=2026-12-01&to=2026-12-31&guest=keller
// Dates are the business's (tenant-local); the API takes instants: `from` is
// the start of the first day, `to` the end of the last (both included).
import type { ReservationFilterInput, ReservationState } from '@/gql/graphql';
import { addDays, parseDate } from '@/lib/format';
import { zonedInstant } from '@/features/booking';

export const reservationStates: readonly ReservationState[] = [
  'HELD',
  'CONFIRMED',
  'CHECKED_IN',
  'FINISHED',
  'CANCELED',
  'ABSENT',
];

export interface ListFilters {
  states: ReservationState[];
  unitId: string | null;
  /** First tenant-local date (included). */
  from: string | null;
  /** Last tenant-local date (included). */
  to: string | null;
  /** Part of the guest's name, e-mail or phone. */
  guest: string;
}

export const noFilters: ListFilters = { states: [], unitId: null, from: null, to: null, guest: '' };

function isState(value: string): value is ReservationState {
  return (reservationStates as readonly string[]).includes(value);
}

function validDate(value: string | null): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  try {
    parseDate(value);
    return value;
  } catch {
    return null;
  }
}

/** The filters an address holds; anything unknown or malformed is left out. */
export function filtersFromSearch(search: URLSearchParams): ListFilters {
  const states = [...new Set(search.getAll('state').map((s) => s.toUpperCase()))].filter(isState);
  // In the order the list offers them, whatever the address's order.
  states.sort((a, b) => reservationStates.indexOf(a) - reservationStates.indexOf(b));
  return {
    states,
    unitId: search.get('unit') || null,
    from: validDate(search.get('from')),
    to: validDate(search.get('to')),
    guest: (search.get('guest') ?? '').trim(),
  };
}

/** The address's query string for filters (empty ones left out). */
export function searchFromFilters(filters: ListFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const state of filters.states) search.append('state', state);
  if (filters.unitId) search.set('unit', filters.unitId);
  if (filters.from) search.set('from', filters.from);
  if (filters.to) search.set('to', filters.to);
  if (filters.guest.trim()) search.set('guest', filters.guest.trim());
  return search;
}

/** Whether any filter is set. */
export function hasFilters(filters: ListFilters): boolean {
  return searchFromFilters(filters).toString() !== '';
}

/** The API's filter: dates become the instants bounding those days at the business. */
export function apiFilter(filters: ListFilters, timeZone: string): ReservationFilterInput {
  const filter: ReservationFilterInput = { states: filters.states };
  if (filters.unitId) filter.unitId = filters.unitId;
  if (filters.guest.trim()) filter.clientSearch = filters.guest.trim();
  if (filters.from) filter.from = zonedInstant(filters.from, '00:00', timeZone);
  if (filters.to) filter.to = zonedInstant(addDays(filters.to, 1), '00:00', timeZone);
  return filter;
}
