// The occupancy chart's bars: one per date for a month or so, one per week
// (seven days from the range's start) up to half a year, one per calendar
// month beyond. A bar's occupancy is its days' occupied over their capacity
// (not the mean of daily ratios: a closed day weighs nothing).
import type { DashboardStatsQuery } from '@/gql/graphql';

type Day = DashboardStatsQuery['occupancy']['days'][number];

export type BucketSize = 'day' | 'week' | 'month';

export interface Bucket {
  /** First date of the bar. */
  from: string;
  /** Last date (included). */
  to: string;
  occupied: number;
  capacity: number;
  blocked: number;
  /** occupied / capacity; null without capacity (closed). */
  ratio: number | null;
}

/** The bar size for a range of `days` days. */
export function bucketSize(days: number): BucketSize {
  if (days <= 62) return 'day';
  if (days <= 186) return 'week';
  return 'month';
}

/** The days (in order) gathered into bars of `size`. */
export function aggregate(days: readonly Day[], size: BucketSize): Bucket[] {
  const buckets: Bucket[] = [];
  let current: Bucket | undefined;
  days.forEach((day, index) => {
    const starts =
      !current || size === 'day' || (size === 'week' && index % 7 === 0) || (size === 'month' && day.date.slice(0, 7) !== current.from.slice(0, 7));
    if (starts) {
      current = { from: day.date, to: day.date, occupied: 0, capacity: 0, blocked: 0, ratio: null };
      buckets.push(current);
    }
    const bucket = current!;
    bucket.to = day.date;
    bucket.occupied += day.occupied;
    bucket.capacity += day.capacity;
    bucket.blocked += day.blocked;
  });
  for (const bucket of buckets) bucket.ratio = bucket.capacity > 0 ? bucket.occupied / bucket.capacity : null;
  return buckets;
}

/** The highest and lowest bars with capacity, and the overall ratio, for the chart's summary. */
export function summaryOf(buckets: readonly Bucket[]): { high?: Bucket; low?: Bucket; ratio: number | null } {
  const open = buckets.filter((b) => b.ratio !== null);
  let high: Bucket | undefined;
  let low: Bucket | undefined;
  for (const bucket of open) {
    if (!high || bucket.ratio! > high.ratio!) high = bucket;
    if (!low || bucket.ratio! < low.ratio!) low = bucket;
  }
  const occupied = open.reduce((sum, b) => sum + b.occupied, 0);
  const capacity = open.reduce((sum, b) => sum + b.capacity, 0);
  return { high, low, ratio: capacity > 0 ? occupied / capacity : null };
}
