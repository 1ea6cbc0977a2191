// The dashboard: how a range went — the cards of `stats` with their change
// against the range of equal length just before (`stats.previous`), the
// occupancy chart (`occupancy`, per date, gathered into weeks or months for
// long ranges), the top units (`topUnits`, by revenue or nights), a table
// beside every chart, and the whole as a CSV file. The range and the ranking
// are in the address (`?range=this-month`, `?from=…&to=…`, `&by=nights`), in
// the tenant's dates (today at the business).
import '@mantine/core/styles/SegmentedControl.css';
import '@mantine/core/styles/SimpleGrid.css';
import '@mantine/core/styles/Grid.css';
import '@mantine/core/styles/Paper.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Table.css';
import { Button, Grid, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { DashboardStatsDocument, DashboardTopUnitsDocument } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useTenant } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { aggregate, bucketSize, type Bucket, type BucketSize } from './chart-data';
import { buildCsv, csvFileName, download } from './csv';
import classes from './dashboard.module.css';
import { dashboardRows } from './export';
import { FigureCards } from './FigureCards';
import { isEmpty } from './figures';
import { formatNumber } from './numbers';
import { OccupancyChart, useBucketLabel } from './OccupancyChart';
import { addressSearch, rangeDays, readChoice, readRankBy, resolveRange, type RangeChoice, type RankBy } from './range';
import { RangeControls } from './RangeControls';
import { TopUnits } from './TopUnits';

/** Units in the top list. */
const topLimit = 10;

function DownloadIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M12 4v11M7 10l5 5 5-5M5 20h14" />
    </svg>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation('dashboard');
  const { t: tCommon } = useTranslation();
  usePageTitle(t('title'));
  const tenant = useTenant();
  const format = useFormat();
  const [searchParams, setSearchParams] = useSearchParams();
  const choice = readChoice(searchParams);
  const by = readRankBy(searchParams);
  const today = format.today();
  const range = resolveRange(choice, today);
  const { from, to } = range;

  const [statsResult, refetchStats] = useQuery({ query: DashboardStatsDocument, variables: { from, to } });
  const [topResult, refetchTop] = useQuery({
    query: DashboardTopUnitsDocument,
    variables: { from, to, by: by === 'revenue' ? 'REVENUE' : 'NIGHTS', limit: topLimit },
  });
  // Only the answer for the range shown (not the last range's, while the new one loads).
  const data = statsResult.data?.stats.from === from && statsResult.data.stats.to === to ? statsResult.data : undefined;
  const topVariables = topResult.operation?.variables;
  const topRows =
    topVariables?.from === from && topVariables.to === to && topVariables.by === (by === 'revenue' ? 'REVENUE' : 'NIGHTS')
      ? topResult.data?.topUnits
      : undefined;
  const measure = data?.stats.measure ?? ({ nightly: 'NIGHTS', timeslot: 'SEAT_HOURS', interval: 'ITEM_HOURS' } as const)[tenant.model as 'nightly'] ?? 'NIGHTS';

  const size = bucketSize(rangeDays(range));
  const days = data?.occupancy.days;
  const buckets = days ? aggregate(days, size) : undefined;

  const navigate = (next: RangeChoice, nextBy: RankBy) => setSearchParams(new URLSearchParams(addressSearch(next, nextBy)), { replace: true });

  const rangeText = format.dateRange(from, to);
  const previous = data?.stats.previous;

  function exportCsv() {
    if (!data) return;
    const rows = dashboardRows({ slug: tenant.slug, stats: data.stats, days: data.occupancy.days, topUnits: topRows, rankBy: by }, t);
    download(buildCsv(rows), csvFileName(tenant.slug, from, to));
  }

  return (
    <Stack gap="lg" maw={1280}>
      <Group justify="space-between" align="center" gap="sm">
        <Title order={1} fz={{ base: 'h2', sm: 'h1' }}>
          {t('title')}
        </Title>
        <Button variant="default" leftSection={<DownloadIcon />} onClick={exportCsv} disabled={!data}>
          {t('export.button')}
        </Button>
      </Group>

      <RangeControls key={`${from}/${to}`} choice={choice} range={range} onChoose={(next) => navigate(next, by)} />

      <div>
        <Text fw={600} fz="lg" aria-live="polite" data-range>
          {rangeText}
        </Text>
        {previous ? (
          <Text fz="sm" c="dimmed">
            {t('range.compared', { count: rangeDays(previous), range: format.dateRange(previous.from, previous.to) })}
          </Text>
        ) : null}
      </div>

      {statsResult.error && !data ? (
        <Stack gap="xs" align="flex-start">
          <ProblemAlert problem={describeError(statsResult.error, tCommon)} title={t('loadFailed')} />
          <Button variant="default" loading={statsResult.fetching} onClick={() => refetchStats({ requestPolicy: 'network-only' })}>
            {t('retry')}
          </Button>
        </Stack>
      ) : (
        <>
          {data && isEmpty(data.stats) ? (
            <Paper withBorder p="md" role="status">
              <Text fw={600}>{t('empty.title')}</Text>
              <Text fz="sm" c="dimmed">
                {t('empty.body', { range: rangeText })}
              </Text>
            </Paper>
          ) : null}

          <FigureCards stats={data?.stats} />

          <Stack gap="sm" component="section" aria-labelledby="dashboard-occupancy-title">
            <Title order={2} fz="h3" id="dashboard-occupancy-title">
              {t('occupancy.title')}
            </Title>
            {buckets && data ? (
              <Grid gap="lg">
                <Grid.Col span={{ base: 12, lg: 7 }}>
                  <OccupancyChart buckets={buckets} size={size} rangeText={rangeText} />
                </Grid.Col>
                <Grid.Col span={{ base: 12, lg: 5 }}>
                  <OccupancyTable buckets={buckets} size={size} />
                </Grid.Col>
              </Grid>
            ) : (
              <Skeleton height={240} aria-hidden="true" />
            )}
          </Stack>

          <TopUnits
            rows={data ? topRows : undefined}
            error={topResult.error}
            fetching={topResult.fetching}
            measure={measure}
            by={by}
            onBy={(next) => navigate(choice, next)}
            onRetry={() => refetchTop({ requestPolicy: 'network-only' })}
          />
        </>
      )}
    </Stack>
  );
}

function OccupancyTable({ buckets, size }: { buckets: Bucket[]; size: BucketSize }) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const label = useBucketLabel(size);
  return (
    <div className={classes.tableScroll} tabIndex={0} role="region" aria-label={t('occupancy.tableLabel', { bars: t(`occupancy.bars.${size}`) })}>
      <Table striped highlightOnHover stickyHeader fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t(`occupancy.axisX.${size}`)}</Table.Th>
            <Table.Th scope="col" className={classes.number}>
              {t('occupancy.occupied')}
            </Table.Th>
            <Table.Th scope="col" className={classes.number}>
              {t('occupancy.capacity')}
            </Table.Th>
            <Table.Th scope="col" className={classes.number}>
              {t('occupancy.ratio')}
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {buckets.map((bucket) => (
            <Table.Tr key={bucket.from}>
              <Table.Th scope="row" fw={500} className={classes.rowHead}>
                {label.row(bucket)}
              </Table.Th>
              <Table.Td className={classes.number}>{formatNumber(bucket.occupied, format.locale)}</Table.Td>
              <Table.Td className={classes.number}>{formatNumber(bucket.capacity, format.locale)}</Table.Td>
              <Table.Td className={classes.number}>{bucket.ratio === null ? t('occupancy.closed') : format.percent(bucket.ratio)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
