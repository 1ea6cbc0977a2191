// The dashboard's cards: each figure of `stats` with the same figure of the
// previous range, and the change between them — in percentage points for
// occupancy (62% after 58% is +4 pts, not +7%), as a difference for counts of
// reservations (−3 bookings), and relative (+12.5%) for everything else.
import type { DashboardFiguresFragment, OccupancyMeasure } from '@/gql/graphql';

export type FigureKey = 'occupancy' | 'reserved' | 'revenue' | 'active' | 'canceled' | 'absent' | 'averageStay' | 'leadTime';

/** How a figure's change is said. */
export type ChangeKind = 'points' | 'count' | 'relative';

/** Which way is good news (for the colour; the words never depend on it). */
export type Better = 'up' | 'down' | 'neither';

export interface Figure {
  key: FigureKey;
  /** The range's value: percent, count, nights or hours, days, or minor units of `currency`. */
  current: number | null;
  previous: number | null;
  kind: ChangeKind;
  better: Better;
  /** For revenue: the currency of the amounts (minor units). */
  currency?: string;
}

export type Change =
  | { direction: 'up' | 'down'; amount: number; kind: ChangeKind }
  | { direction: 'same'; amount: 0; kind: ChangeKind }
  /** The previous value is zero or unknown: no comparison. */
  | { direction: 'none'; kind: ChangeKind };

/** Rounds to one decimal (for points and relative changes). */
function oneDecimal(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The change from `previous` to `current`: `none` when either is missing or
 * the previous one is zero (nothing to compare with), `same` when it rounds
 * to nothing; the amount is positive, the direction gives the sign.
 */
export function changeOf(current: number | null, previous: number | null, kind: ChangeKind): Change {
  if (current === null || previous === null || previous === 0) return { direction: 'none', kind };
  let delta: number;
  switch (kind) {
    case 'points':
      delta = oneDecimal(current - previous);
      break;
    case 'count':
      delta = Math.round(current - previous);
      break;
    case 'relative':
      delta = oneDecimal(((current - previous) / Math.abs(previous)) * 100);
      break;
  }
  if (delta === 0) return { direction: 'same', amount: 0, kind };
  return { direction: delta > 0 ? 'up' : 'down', amount: Math.abs(delta), kind };
}

/** The signed amount of a change (−3 for three bookings fewer), or null. */
export function signedAmount(change: Change): number | null {
  if (change.direction === 'none') return null;
  return change.direction === 'down' ? -change.amount : change.amount;
}

/** Whether a change is good news, bad news or neither (for the colour). */
export function tone(change: Change, better: Better): 'good' | 'bad' | 'neutral' {
  if (change.direction !== 'up' && change.direction !== 'down') return 'neutral';
  if (better === 'neither') return 'neutral';
  return change.direction === better ? 'good' : 'bad';
}

/** Reserved capacity: nights for nightly tenants, hours otherwise. */
function reserved(stats: DashboardFiguresFragment): number | null {
  return stats.measure === 'NIGHTS' ? (stats.nightsReserved ?? null) : (stats.hoursReserved ?? null);
}

/** The cards' figures, in the order shown. */
export function figuresOf(current: DashboardFiguresFragment, previous: DashboardFiguresFragment | null | undefined): Figure[] {
  const before = previous ?? null;
  const sameCurrency = before && before.revenue.currency === current.revenue.currency;
  return [
    { key: 'occupancy', current: current.occupancyPercent ?? null, previous: before?.occupancyPercent ?? null, kind: 'points', better: 'up' },
    { key: 'reserved', current: reserved(current), previous: before ? reserved(before) : null, kind: 'relative', better: 'up' },
    {
      key: 'revenue',
      current: current.revenue.amount,
      previous: sameCurrency ? before.revenue.amount : null,
      kind: 'relative',
      better: 'up',
      currency: current.revenue.currency,
    },
    { key: 'active', current: current.activeReservations, previous: before?.activeReservations ?? null, kind: 'count', better: 'up' },
    { key: 'canceled', current: current.canceledReservations, previous: before?.canceledReservations ?? null, kind: 'count', better: 'down' },
    { key: 'absent', current: current.absentReservations, previous: before?.absentReservations ?? null, kind: 'count', better: 'down' },
    { key: 'averageStay', current: current.averageLengthOfStay ?? null, previous: before?.averageLengthOfStay ?? null, kind: 'relative', better: 'up' },
    { key: 'leadTime', current: current.averageLeadTimeDays ?? null, previous: before?.averageLeadTimeDays ?? null, kind: 'relative', better: 'neither' },
  ];
}

/** Whether a range has nothing to show: no reservation arriving in it and nothing occupied. */
export function isEmpty(stats: DashboardFiguresFragment): boolean {
  return stats.activeReservations + stats.canceledReservations + stats.absentReservations === 0 && stats.occupied === 0;
}

/** The unit of reserved capacity and of the average stay, by measure. */
export function capacityUnit(measure: OccupancyMeasure): 'nights' | 'seatHours' | 'itemHours' {
  return measure === 'NIGHTS' ? 'nights' : measure === 'SEAT_HOURS' ? 'seatHours' : 'itemHours';
}
