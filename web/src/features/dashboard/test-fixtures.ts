// Figures of `stats` for the dashboard's tests.
import type { DashboardFiguresFragment } from '@/gql/graphql';

/** A month's figures (nightly, CHF), changed by `overrides`. */
export function figures(overrides: Partial<DashboardFiguresFragment> = {}): DashboardFiguresFragment {
  return {
    from: '2026-12-01',
    to: '2026-12-31',
    measure: 'NIGHTS',
    occupancy: 0.625,
    occupancyPercent: 62.5,
    occupied: 50,
    capacity: 80,
    blocked: 3,
    nightsReserved: 50,
    hoursReserved: null,
    revenue: { amount: 125_050, currency: 'CHF' },
    activeReservations: 12,
    canceledReservations: 2,
    absentReservations: 1,
    averageLengthOfStay: 3.25,
    averageLeadTimeDays: 14.5,
    ...overrides,
  };
}
