// The reservations list: filtered by state, unit, period and guest (all in
// the address), paged by cursor with "Show more", each reservation linking to
// its screen; a table on wide screens, cards on phones. "New reservation"
// opens the booking panel (a way to book without the board).
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/Pill.css';
import '@mantine/core/styles/PillsInput.css';
import '@mantine/core/styles/SimpleGrid.css';
import { useId, useMemo, useState } from 'react';
import { Anchor, Button, Group, MultiSelect, Select, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedCallback, useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useClient, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { ReservationsListDocument, ReservationsUnitsDocument, type ReservationsListQuery } from '@/gql/graphql';
import { mayBook, NewReservationPanel, warningColor } from '@/features/booking';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useTenant, useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { nightsOf, periodText } from './display';
import { apiFilter, filtersFromSearch, hasFilters, noFilters, reservationStates, searchFromFilters, type ListFilters } from './filters';
import classes from './reservations.module.css';
import { StateBadge } from './StateBadge';

type Row = ReservationsListQuery['reservations']['nodes'][number];
type PageInfo = ReservationsListQuery['reservations']['pageInfo'];

/** Reservations per request. */
const pageSize = 25;

export default function ReservationsPage() {
  const { t } = useTranslation('reservations');
  usePageTitle(t('list.title'));
  const navigate = useNavigate();
  const viewer = useViewer();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams]);
  const [panelOpen, setPanelOpen] = useState(false);

  const setFilters = (next: ListFilters, replace = false) => setSearchParams(searchFromFilters(next), { replace });

  return (
    <Stack gap="md">
      <Group justify="space-between" align="center" gap="sm">
        <Title order={1}>{t('list.title')}</Title>
        {mayBook(viewer?.role) ? <Button onClick={() => setPanelOpen(true)}>{t('list.new')}</Button> : null}
      </Group>
      <FiltersForm filters={filters} onChange={setFilters} />
      <Results filters={filters} onClear={() => setFilters(noFilters)} onNew={() => setPanelOpen(true)} />
      <NewReservationPanel
        opened={panelOpen}
        onClose={() => setPanelOpen(false)}
        onCreated={(id) => void navigate(`/reservations/${id}`)}
      />
    </Stack>
  );
}

interface FiltersFormProps {
  filters: ListFilters;
  onChange: (filters: ListFilters, replace?: boolean) => void;
}

function FiltersForm({ filters, onChange }: FiltersFormProps) {
  const { t } = useTranslation('reservations');
  const [unitsResult] = useQuery({ query: ReservationsUnitsDocument });
  const units = unitsResult.data?.units ?? [];

  // The guest field types freely; the address follows once typing pauses
  // (replacing the entry, so Back does not step through every letter), and
  // follows the address when it changes otherwise (Back, a link).
  const [guest, setGuest] = useState(filters.guest);
  const [seenGuest, setSeenGuest] = useState(filters.guest);
  if (filters.guest !== seenGuest) {
    setSeenGuest(filters.guest);
    setGuest(filters.guest);
  }
  const pushGuest = useDebouncedCallback((value: string) => onChange({ ...filters, guest: value }, true), 350);

  // On phones the filters other than the guest fold away behind a button
  // that says how many are set.
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [unfolded, setUnfolded] = useState(false);
  const moreSet = [filters.states.length > 0, !!filters.unitId, !!filters.from, !!filters.to].filter(Boolean).length;
  const folded = phone && !unfolded;
  const moreId = useId();

  const guestField = (
    <TextInput
      label={t('filters.guest')}
      placeholder={t('filters.guestPlaceholder')}
      type="search"
      value={guest}
      onChange={(event) => {
        setGuest(event.currentTarget.value);
        pushGuest(event.currentTarget.value);
      }}
    />
  );

  return (
    <form role="search" aria-label={t('filters.label')} onSubmit={(event) => event.preventDefault()}>
      {phone ? (
        <Group align="flex-end" gap="sm" wrap="nowrap" mb={folded ? 0 : 'xs'}>
          <div style={{ flex: 1 }}>{guestField}</div>
          <Button variant="default" aria-expanded={!folded} aria-controls={moreId} onClick={() => setUnfolded((u) => !u)}>
            {moreSet > 0 ? t('filters.moreSet', { count: moreSet }) : t('filters.more')}
          </Button>
        </Group>
      ) : null}
      <SimpleGrid id={moreId} hidden={folded} display={folded ? 'none' : undefined} cols={{ base: 1, xs: 2, md: 5 }} spacing="sm" verticalSpacing="xs">
        {phone ? null : guestField}
        <MultiSelect
          label={t('filters.state')}
          placeholder={filters.states.length ? undefined : t('filters.anyState')}
          data={reservationStates.map((state) => ({ value: state, label: t(`state.${state}`) }))}
          value={filters.states}
          onChange={(states) => onChange({ ...filters, states: filtersFromSearch(new URLSearchParams(states.map((s) => ['state', s]))).states })}
          clearable
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label={t('filters.unit')}
          placeholder={t('filters.anyUnit')}
          data={units.map((unit) => ({ value: unit.id, label: unit.archived ? t('filters.archivedUnit', { name: unit.name }) : unit.name }))}
          value={filters.unitId}
          onChange={(unitId) => onChange({ ...filters, unitId })}
          clearable
          searchable={units.length > 8}
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput
          type="date"
          label={t('filters.from')}
          value={filters.from ?? ''}
          max={filters.to ?? undefined}
          onChange={(event) => onChange({ ...filters, from: event.currentTarget.value || null })}
        />
        <TextInput
          type="date"
          label={t('filters.to')}
          value={filters.to ?? ''}
          min={filters.from ?? undefined}
          onChange={(event) => onChange({ ...filters, to: event.currentTarget.value || null })}
        />
      </SimpleGrid>
      {hasFilters(filters) ? (
        <Group justify="flex-end" mt="xs">
          <Button variant="subtle" size="compact-sm" onClick={() => onChange(noFilters)}>
            {t('filters.clear')}
          </Button>
        </Group>
      ) : null}
    </form>
  );
}

interface MorePages {
  key: string;
  rows: Row[];
  pageInfo: PageInfo | null;
  loading: boolean;
  error: CombinedError | null;
}

function Results({ filters, onClear, onNew }: { filters: ListFilters; onClear: () => void; onNew: () => void }) {
  const { t } = useTranslation('reservations');
  const { t: tc } = useTranslation();
  const tenant = useTenant();
  const viewer = useViewer();
  const client = useClient();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const filter = useMemo(() => apiFilter(filters, tenant.timezone), [filters, tenant.timezone]);
  const key = JSON.stringify(filter);

  const [firstPage, refetch] = useQuery({
    query: ReservationsListDocument,
    variables: { filter, first: pageSize, after: null },
    requestPolicy: 'cache-and-network',
  });
  // Pages after the first, fetched by cursor on "Show more"; a new filter
  // starts over.
  const [more, setMore] = useState<MorePages>({ key, rows: [], pageInfo: null, loading: false, error: null });
  if (more.key !== key) setMore({ key, rows: [], pageInfo: null, loading: false, error: null });

  const firstRows = firstPage.data?.reservations.nodes ?? [];
  const pageInfo = more.pageInfo ?? firstPage.data?.reservations.pageInfo ?? null;
  const rows = more.key === key ? [...firstRows, ...more.rows] : firstRows;

  async function showMore() {
    if (!pageInfo?.endCursor) return;
    setMore((before) => ({ ...before, loading: true, error: null }));
    const result = await client
      .query(ReservationsListDocument, { filter, first: pageSize, after: pageInfo.endCursor }, { requestPolicy: 'network-only' })
      .toPromise();
    setMore((before) => {
      if (before.key !== key) return before;
      const page = result.data?.reservations;
      return page
        ? { key, rows: [...before.rows, ...page.nodes], pageInfo: page.pageInfo, loading: false, error: null }
        : { ...before, loading: false, error: result.error ?? null };
    });
  }

  if (firstPage.error && !firstPage.data) {
    return (
      <Stack gap="xs" align="flex-start">
        <ProblemAlert problem={describeError(firstPage.error, tc)} title={t('list.loadFailed')} />
        <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          {t('list.retry')}
        </Button>
      </Stack>
    );
  }

  if (!firstPage.data) return <ListSkeleton phone={phone} />;

  if (rows.length === 0) {
    const filtered = hasFilters(filters);
    return (
      <Stack className={classes.panel} gap="xs" align="flex-start" role="status">
        <Text fw={600}>{filtered ? t('list.emptyFiltered') : t('list.empty')}</Text>
        <Text fz="sm" c="dimmed">
          {filtered ? t('list.emptyFilteredHint') : t('list.emptyHint')}
        </Text>
        {filtered ? (
          <Button variant="default" size="compact-md" onClick={onClear}>
            {t('filters.clear')}
          </Button>
        ) : mayBook(viewer?.role) ? (
          <Button variant="default" size="compact-md" onClick={onNew}>
            {t('list.new')}
          </Button>
        ) : null}
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      <Text fz="sm" c="dimmed" role="status" aria-live="polite">
        {pageInfo?.hasNextPage ? t('list.countMore', { count: rows.length }) : t('list.count', { count: rows.length })}
      </Text>
      {phone ? <ReservationCards rows={rows} /> : <ReservationTable rows={rows} />}
      {more.error ? <ProblemAlert problem={describeError(more.error, tc)} title={t('list.moreFailed')} /> : null}
      {pageInfo?.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" onClick={() => void showMore()} loading={more.loading}>
            {t('list.showMore')}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

function useRowFacts() {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  return (row: Row) => {
    const nights = nightsOf(row);
    return {
      guest: row.client?.name ?? t('noGuest'),
      period: periodText(row, format),
      nights: nights !== null ? t('nights', { count: nights }) : null,
      total: row.price ? format.money(row.price) : '—',
      created: format.dateTime(row.createdAt, { dateStyle: 'medium' }),
      createdShort: format.dateTime(row.createdAt, { dateStyle: 'short' }),
    };
  };
}

function ReservationTable({ rows }: { rows: Row[] }) {
  const { t } = useTranslation('reservations');
  const facts = useRowFacts();
  return (
    <div className={classes.tableWrap}>
      <Table className={classes.table} highlightOnHover verticalSpacing="xs" horizontalSpacing="md" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('columns.guest')}</Table.Th>
            <Table.Th scope="col">{t('columns.unit')}</Table.Th>
            <Table.Th scope="col">{t('columns.period')}</Table.Th>
            <Table.Th scope="col" className={classes.num}>
              {t('columns.guests')}
            </Table.Th>
            <Table.Th scope="col">{t('columns.state')}</Table.Th>
            <Table.Th scope="col" className={classes.num}>
              {t('columns.total')}
            </Table.Th>
            <Table.Th scope="col">{t('columns.created')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const f = facts(row);
            return (
              <Table.Tr key={row.id}>
                <Table.Td className={classes.wrap}>
                  <Anchor component={Link} to={`/reservations/${row.id}`} className={classes.guestLink}>
                    {f.guest}
                  </Anchor>
                </Table.Td>
                <Table.Td>{row.unit.name}</Table.Td>
                <Table.Td>
                  {f.period}{' '}
                  {f.nights ? (
                    <Text component="span" c="dimmed" fz="xs" ml={6}>
                      {f.nights}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td className={classes.num}>
                  {row.guests}
                  {row.quantity > 1 ? ` · ×${row.quantity}` : ''}
                </Table.Td>
                <Table.Td className={classes.wrap}>
                  <StateBadge state={row.state} />
                  {row.policyOverride ? <OverriddenMark /> : null}
                </Table.Td>
                <Table.Td className={classes.num}>{f.total}</Table.Td>
                <Table.Td>{f.created}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function ReservationCards({ rows }: { rows: Row[] }) {
  const { t } = useTranslation('reservations');
  const facts = useRowFacts();
  return (
    <ul className={classes.cards} aria-label={t('list.title')}>
      {rows.map((row) => {
        const f = facts(row);
        return (
          <li key={row.id} className={classes.card}>
            <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
              <Anchor component={Link} to={`/reservations/${row.id}`} className={`${classes.guestLink} ${classes.cardLink}`}>
                {f.guest}
              </Anchor>
              <StateBadge state={row.state} />
            </Group>
            <dl className={classes.cardFacts}>
              <dt>{t('columns.unit')}</dt>
              <dd>{row.unit.name}</dd>
              <dt>{t('columns.period')}</dt>
              <dd>
                {f.period}
                {f.nights ? ` · ${f.nights}` : ''}
              </dd>
              <dt>{t('columns.guests')}</dt>
              <dd>
                {row.guests}
                {row.quantity > 1 ? ` · ×${row.quantity}` : ''}
              </dd>
              <dt>{t('columns.total')}</dt>
              <dd>{f.total}</dd>
              <dt>{t('columns.created')}</dt>
              <dd>{f.createdShort}</dd>
            </dl>
            {row.policyOverride ? <OverriddenMark /> : null}
          </li>
        );
      })}
    </ul>
  );
}

function ListSkeleton({ phone }: { phone: boolean }) {
  const { t } = useTranslation('reservations');
  return (
    <Stack gap="xs" role="status" aria-label={t('list.loading')}>
      {Array.from({ length: 6 }, (_, i) => (
        <Skeleton key={i} height={phone ? 96 : 36} radius="sm" />
      ))}
    </Stack>
  );
}

/** A reservation booked against the rules (book anyway). */
function OverriddenMark() {
  const { t } = useTranslation('reservations');
  return (
    <Text fz="xs" c={warningColor} fw={600} mt={2}>
      ⚠ {t('list.overridden')}
    </Text>
  );
}
