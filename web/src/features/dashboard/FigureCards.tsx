// The cards: each figure of the range, its change against the previous range
// (an arrow AND a signed amount in words; the colour only repeats them), and
// the previous value.
import { Paper, SimpleGrid, Skeleton, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { DashboardFiguresFragment } from '@/gql/graphql';
import { useFormat } from '@/lib/use-format';
import { capacityUnit, changeOf, figuresOf, tone, type Change, type Figure } from './figures';
import classes from './dashboard.module.css';
import { formatNumber, formatPercentValue, formatSigned } from './numbers';

function Arrow({ direction }: { direction: Change['direction'] }) {
  const path =
    direction === 'up' ? 'M12 19V5M6 11l6-6 6 6' : direction === 'down' ? 'M12 5v14M6 13l6 6 6-6' : direction === 'same' ? 'M5 12h14' : 'M8 12h8';
  return (
    <svg className={classes.arrow} width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={path} />
    </svg>
  );
}

/** A figure's value in words (`62.5%`, `CHF 1,250.00`, `3.2 nights`). */
export function useFigureValue(stats: DashboardFiguresFragment) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const unit = capacityUnit(stats.measure);
  const lengthUnit = stats.measure === 'NIGHTS' ? 'nights' : 'hours';
  return (figure: Figure, amount: number | null): string => {
    if (amount === null) return t('figure.none');
    switch (figure.key) {
      case 'occupancy':
        return formatPercentValue(amount, format.locale);
      case 'revenue':
        return format.money({ amount, currency: figure.currency ?? format.currency });
      case 'reserved':
        return t(`unit.${unit}`, { count: amount, value: formatNumber(amount, format.locale) });
      case 'averageStay':
        return t(`unit.${lengthUnit}`, { count: amount, value: formatNumber(amount, format.locale) });
      case 'leadTime':
        return t('unit.days', { count: amount, value: formatNumber(amount, format.locale) });
      default:
        return formatNumber(amount, format.locale, 0);
    }
  };
}

/** A change in words: `+4.2 pts`, `−3 reservations`, `+12.5%`, `No change`, `No previous data`. */
export function useChangeText() {
  const { t } = useTranslation('dashboard');
  const { locale } = useFormat();
  return (change: Change): string => {
    if (change.direction === 'none') return t('change.none');
    if (change.direction === 'same') return t('change.same');
    const signed = change.direction === 'down' ? -change.amount : change.amount;
    const value = formatSigned(signed, locale, change.kind === 'count' ? 0 : 1);
    if (change.kind === 'count') return t('change.count', { count: change.amount, value });
    return t(`change.${change.kind}`, { value });
  };
}

type StatsWithPrevious = DashboardFiguresFragment & { previous?: DashboardFiguresFragment | null };

export function FigureCards({ stats }: { stats: StatsWithPrevious | undefined }) {
  if (!stats) {
    return (
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" aria-hidden="true">
        {Array.from({ length: 8 }, (_, i) => (
          <Paper key={i} withBorder p={{ base: 'sm', sm: 'md' }} className={classes.card}>
            <Skeleton height={12} width="60%" mb={12} />
            <Skeleton height={26} width="50%" mb={12} />
            <Skeleton height={12} width="70%" />
          </Paper>
        ))}
      </SimpleGrid>
    );
  }
  return <Cards stats={stats} />;
}

function Cards({ stats }: { stats: StatsWithPrevious }) {
  const { t } = useTranslation('dashboard');
  const changeText = useChangeText();
  const valueOf = useFigureValue(stats);
  const unit = capacityUnit(stats.measure);
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" component="ul" className={classes.cards} aria-label={t('figures')}>
      {figuresOf(stats, stats.previous).map((figure) => {
        const change = changeOf(figure.current, figure.previous, figure.kind);
        const label = figure.key === 'reserved' ? t(`figure.reserved.${unit}`) : t(`figure.${figure.key}`);
        return (
          <Paper key={figure.key} component="li" withBorder p={{ base: 'sm', sm: 'md' }} className={classes.card} data-figure={figure.key}>
            <Text fz={{ base: 'xs', sm: 'sm' }} c="dimmed" fw={600} data-label>
              {label}
            </Text>
            <Text fz={{ base: 18, sm: 26 }} fw={700} lh={1.25} className={classes.cardValue} data-value>
              {valueOf(figure, figure.current)}
            </Text>
            <Text fz={{ base: 'xs', sm: 'sm' }} fw={600} className={classes.change} data-tone={tone(change, figure.better)} data-change>
              <Arrow direction={change.direction} />
              {changeText(change)}
            </Text>
            {change.direction !== 'none' && figure.previous !== null ? (
              <Text fz="xs" c="dimmed" data-previous>
                {t('change.previous', { value: valueOf(figure, figure.previous) })}
              </Text>
            ) : null}
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}
