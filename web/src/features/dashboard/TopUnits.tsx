// The top units: a toggle between revenue and nights (or hours), a
// hand-written SVG bar chart with each unit's value printed at its bar, and
// the same numbers in a table.
import { Button, Grid, Group, SegmentedControl, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import type { CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import type { DashboardTopUnitsQuery, OccupancyMeasure } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useFormat } from '@/lib/use-format';
import classes from './dashboard.module.css';
import { capacityUnit } from './figures';
import { formatNumber } from './numbers';
import type { RankBy } from './range';

type Row = DashboardTopUnitsQuery['topUnits'][number];

const rowHeight = 44;

interface Props {
  rows: Row[] | undefined;
  error: CombinedError | undefined;
  fetching: boolean;
  measure: OccupancyMeasure;
  by: RankBy;
  onBy: (by: RankBy) => void;
  onRetry: () => void;
}

export function TopUnits({ rows, error, fetching, measure, by, onBy, onRetry }: Props) {
  const { t } = useTranslation('dashboard');
  const { t: tCommon } = useTranslation();
  const format = useFormat();
  const unit = capacityUnit(measure);
  const nightsWord = t(`top.byNights.${unit}`);
  const amountOf = (row: Row) => (measure === 'NIGHTS' ? (row.nights ?? 0) : (row.hours ?? 0));
  const valueOf = (row: Row) => (by === 'revenue' ? row.revenue.amount : amountOf(row));
  const valueText = (row: Row) =>
    by === 'revenue' ? format.money(row.revenue) : t(`unit.${unit}`, { count: amountOf(row), value: formatNumber(amountOf(row), format.locale) });

  return (
    <Stack gap="sm" component="section" aria-labelledby="dashboard-top-title">
      <Group justify="space-between" align="center" gap="sm">
        <Title order={2} fz="h3" id="dashboard-top-title">
          {t('top.title')}
        </Title>
        <Group gap="xs" align="center">
          <Text fz="sm" id="dashboard-top-by" fw={500}>
            {t('top.by')}
          </Text>
          <SegmentedControl
            aria-labelledby="dashboard-top-by"
            value={by}
            onChange={(value) => onBy(value)}
            data={[
              { value: 'revenue', label: t('top.byRevenue') },
              { value: 'nights', label: nightsWord },
            ]}
          />
        </Group>
      </Group>
      {error && !rows ? (
        <Stack gap="xs" align="flex-start">
          <ProblemAlert problem={describeError(error, tCommon)} title={t('topFailed')} />
          <Button variant="default" loading={fetching} onClick={onRetry}>
            {t('retry')}
          </Button>
        </Stack>
      ) : !rows ? (
        <Stack gap={8} aria-hidden="true">
          {Array.from({ length: 5 }, (_, i) => (
            <Skeleton key={i} height={28} width={`${90 - i * 14}%`} />
          ))}
        </Stack>
      ) : rows.every((row) => row.reservations === 0) ? (
        <Text c="dimmed">{t('top.empty')}</Text>
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <BarList
              rows={rows}
              valueOf={valueOf}
              valueText={valueText}
              label={t('top.summary', {
                by: by === 'revenue' ? t('top.byRevenue') : nightsWord,
                list: rows
                  .slice(0, 5)
                  .map((row) => `${row.unit.name} ${valueText(row)}`)
                  .join(', '),
              })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 6 }}>
            <div className={classes.tableScroll} tabIndex={0} role="region" aria-label={t('top.tableLabel')}>
              <Table striped highlightOnHover stickyHeader fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('top.unit')}</Table.Th>
                    <Table.Th scope="col" className={classes.number}>
                      {nightsWord}
                    </Table.Th>
                    <Table.Th scope="col" className={classes.number}>
                      {t('top.byRevenue')}
                    </Table.Th>
                    <Table.Th scope="col" className={classes.number}>
                      {t('top.occupancy')}
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((row) => (
                    <Table.Tr key={row.unit.id}>
                      <Table.Th scope="row" fw={500}>
                        {`${row.rank}. ${row.unit.name}`}
                      </Table.Th>
                      <Table.Td className={classes.number}>{formatNumber(amountOf(row), format.locale)}</Table.Td>
                      <Table.Td className={classes.number}>{format.money(row.revenue)}</Table.Td>
                      <Table.Td className={classes.number}>{row.occupancy === null || row.occupancy === undefined ? '—' : format.percent(row.occupancy)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

interface BarListProps {
  rows: Row[];
  valueOf: (row: Row) => number;
  valueText: (row: Row) => string;
  label: string;
}

/** Horizontal bars, the name above each and its value at its end: every figure is printed. */
function BarList({ rows, valueOf, valueText, label }: BarListProps) {
  const { ref, width } = useElementSize<HTMLDivElement>();
  const max = Math.max(0, ...rows.map(valueOf));
  // Leave room for the value's text after the longest bar.
  const room = Math.max(0, width - 120);
  const height = rows.length * rowHeight;
  return (
    <div ref={ref} className={classes.chart}>
      <svg role="img" aria-label={label} width={width} height={height} className={classes.svg}>
        {width > 0
          ? rows.map((row, index) => {
              const barWidth = max > 0 ? Math.max(2, (valueOf(row) / max) * room) : 2;
              const top = index * rowHeight;
              return (
                <g key={row.unit.id}>
                  <text x={0} y={top + 13} className={classes.barName}>
                    {`${row.rank}. ${row.unit.name}`}
                  </text>
                  <rect x={0} y={top + 19} width={barWidth} height={16} rx={3} className={classes.bar} />
                  <text x={barWidth + 6} y={top + 31} className={classes.barValue}>
                    {valueText(row)}
                  </text>
                </g>
              );
            })
          : null}
      </svg>
    </div>
  );
}
