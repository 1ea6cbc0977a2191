// The rows of the dashboard's CSV file (csv.ts writes them): the range, the
// cards (figure, current, previous, signed change and its unit, currency),
// occupancy per date (always per date, whatever the chart's bars), and the
// top units as ranked on screen.
import type { DashboardFiguresFragment, DashboardStatsQuery, DashboardTopUnitsQuery } from '@/gql/graphql';
import { decimal, num, type Cell } from './csv';
import { capacityUnit, changeOf, figuresOf, signedAmount, type Figure } from './figures';
import type { RankBy } from './range';

type Translate = (key: string, options?: Record<string, unknown>) => string;

export interface DashboardExport {
  slug: string;
  stats: DashboardFiguresFragment & { previous?: DashboardFiguresFragment | null };
  days: DashboardStatsQuery['occupancy']['days'];
  topUnits: DashboardTopUnitsQuery['topUnits'] | undefined;
  rankBy: RankBy;
}

/** The figure's name with what it counts (`Average stay (nights)`), for a column of its own. */
export function figureName(figure: Figure, stats: DashboardFiguresFragment, t: Translate): string {
  const unit = capacityUnit(stats.measure);
  const hours = stats.measure === 'NIGHTS' ? 'nights' : 'hours';
  switch (figure.key) {
    case 'occupancy':
      return `${t('figure.occupancy')} (${t('export.figureUnit.percent')})`;
    case 'reserved':
      return t(`figure.reserved.${unit}`);
    case 'averageStay':
      return `${t('figure.averageStay')} (${t(`export.figureUnit.${hours}`)})`;
    case 'leadTime':
      return `${t('figure.leadTime')} (${t('export.figureUnit.days')})`;
    default:
      return t(`figure.${figure.key}`);
  }
}

function value(figure: Figure, amount: number | null): Cell {
  if (figure.currency) return decimal(amount, figure.currency);
  return num(amount, figure.kind === 'count' ? 0 : 2);
}

export function dashboardRows({ slug, stats, days, topUnits, rankBy }: DashboardExport, t: Translate): Cell[][] {
  const previous = stats.previous ?? null;
  const rows: Cell[][] = [
    [t('export.tenant'), t('export.from'), t('export.to'), t('export.previousFrom'), t('export.previousTo')],
    [slug, stats.from, stats.to, previous?.from, previous?.to],
    [],
    [t('export.figure'), t('export.current'), t('export.previous'), t('export.change'), t('export.changeUnit'), t('export.currency')],
  ];
  for (const figure of figuresOf(stats, previous)) {
    const change = changeOf(figure.current, figure.previous, figure.kind);
    const signed = signedAmount(change);
    rows.push([
      figureName(figure, stats, t),
      value(figure, figure.current),
      value(figure, figure.previous),
      signed === null ? null : num(signed, figure.kind === 'count' ? 0 : 1),
      signed === null ? null : t(`export.unitName.${figure.kind}`),
      figure.currency ?? null,
    ]);
  }
  rows.push([], [t('export.date'), t('occupancy.occupied'), t('occupancy.capacity'), t('occupancy.blocked'), t('export.occupancyPercent')]);
  for (const day of days) {
    rows.push([day.date, num(day.occupied), num(day.capacity), num(day.blocked), day.ratio === null ? null : num(day.ratio * 100)]);
  }
  if (topUnits) {
    const nights = stats.measure === 'NIGHTS';
    rows.push(
      [],
      [
        `${t('top.title')} (${t('top.by')}: ${rankBy === 'revenue' ? t('top.byRevenue') : t(`top.byNights.${capacityUnit(stats.measure)}`)})`,
      ],
      [
        t('top.rank'),
        t('top.unit'),
        nights ? t('export.nights') : t('export.hours'),
        t('export.revenue'),
        t('export.currency'),
        t('top.reservations'),
        t('export.occupancyPercent'),
      ],
    );
    for (const row of topUnits) {
      rows.push([
        num(row.rank, 0),
        row.unit.name,
        nights ? num(row.nights ?? null, 0) : num(row.hours ?? null),
        decimal(row.revenue.amount, row.revenue.currency),
        row.revenue.currency,
        num(row.reservations, 0),
        row.occupancy === null || row.occupancy === undefined ? null : num(row.occupancy * 100),
      ]);
    }
  }
  return rows;
}
