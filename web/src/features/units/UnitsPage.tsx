// The units list: the tenant's active units (archived ones too on request,
// kept in the address as ?archived=1), by name, each linking to its screen;
// a table on wide screens, cards on phones. Admins add units from here.
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/Switch.css';
import { useMemo } from 'react';
import { Anchor, Button, Group, Skeleton, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { UnitsListDocument, type UnitFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { roleAtLeast } from '@/lib/session/roles';
import { useViewer } from '@/lib/session/session';
import { ArchivedBadge, sortUnits } from './display';
import classes from './units.module.css';

type Row = UnitFieldsFragment;

export default function UnitsPage() {
  const { t, i18n } = useTranslation('units');
  const { t: tc } = useTranslation();
  usePageTitle(t('list.title'));
  const viewer = useViewer();
  const mayEdit = roleAtLeast(viewer?.role, 'ADMIN');
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [searchParams, setSearchParams] = useSearchParams();
  const includeArchived = searchParams.get('archived') === '1';
  const [result, refetch] = useQuery({
    query: UnitsListDocument,
    variables: { includeArchived },
    requestPolicy: 'cache-and-network',
  });
  const rows = useMemo(() => sortUnits(result.data?.units ?? [], i18n.language), [result.data, i18n.language]);
  const archivedCount = rows.filter((u) => u.archived).length;

  const toggleArchived = (on: boolean) => {
    const next = new URLSearchParams(searchParams);
    if (on) next.set('archived', '1');
    else next.delete('archived');
    setSearchParams(next, { replace: true });
  };

  let body;
  if (result.error && !result.data) {
    body = (
      <Stack gap="xs" align="flex-start">
        <ProblemAlert problem={describeError(result.error, tc)} title={t('list.loadFailed')} />
        <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          {t('list.retry')}
        </Button>
      </Stack>
    );
  } else if (!result.data) {
    body = (
      <Stack gap="xs" role="status" aria-label={t('list.loading')}>
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} height={phone ? 110 : 40} radius="sm" />
        ))}
      </Stack>
    );
  } else if (rows.length === 0) {
    body = (
      <Stack className={classes.panel} gap="xs" align="flex-start" role="status">
        <Text fw={600}>{includeArchived ? t('list.emptyAll') : t('list.empty')}</Text>
        <Text fz="sm" c="dimmed">
          {mayEdit ? t('list.emptyHint') : t('list.emptyHintStaff')}
        </Text>
        {mayEdit ? (
          <Button component={Link} to="/units/new" variant="default" size="compact-md">
            {t('list.new')}
          </Button>
        ) : null}
      </Stack>
    );
  } else {
    body = (
      <Stack gap="sm">
        {phone ? <UnitCards rows={rows} /> : <UnitTable rows={rows} />}
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="center" gap="sm">
        <Title order={1}>{t('list.title')}</Title>
        {mayEdit ? (
          <Button component={Link} to="/units/new">
            {t('list.new')}
          </Button>
        ) : null}
      </Group>
      <Group justify="space-between" align="center" gap="sm">
        <Switch
          label={t('list.showArchived')}
          checked={includeArchived}
          onChange={(event) => toggleArchived(event.currentTarget.checked)}
        />
        {result.data && rows.length > 0 ? (
          <Text fz="sm" c="dimmed" role="status" aria-live="polite">
            {includeArchived && archivedCount > 0
              ? t('list.countWithArchived', { count: rows.length, archived: archivedCount })
              : t('list.count', { count: rows.length })}
          </Text>
        ) : null}
      </Group>
      {body}
    </Stack>
  );
}

function Amenities({ tags, max }: { tags: readonly string[]; max: number }) {
  const { t } = useTranslation('units');
  if (tags.length === 0) return <Text span c="dimmed">—</Text>;
  const shown = tags.slice(0, max);
  return (
    <ul className={classes.tags}>
      {shown.map((tag) => (
        <li key={tag} className={classes.tag}>
          {tag}
        </li>
      ))}
      {tags.length > max ? <li className={classes.tag}>{t('list.moreAmenities', { count: tags.length - max })}</li> : null}
    </ul>
  );
}

function UnitTable({ rows }: { rows: Row[] }) {
  const { t } = useTranslation('units');
  return (
    <div className={classes.tableWrap}>
      <Table className={classes.table} highlightOnHover verticalSpacing="xs" horizontalSpacing="md" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('columns.name')}</Table.Th>
            <Table.Th scope="col">{t('columns.kind')}</Table.Th>
            <Table.Th scope="col" className={classes.num}>
              {t('columns.inventory')}
            </Table.Th>
            <Table.Th scope="col" className={classes.num}>
              {t('columns.maxGuests')}
            </Table.Th>
            <Table.Th scope="col">{t('columns.amenities')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id} className={row.archived ? classes.archivedRow : undefined}>
              <Table.Td className={classes.wrap}>
                <Group gap={8} wrap="nowrap">
                  <Anchor component={Link} to={`/units/${row.id}`} className={classes.nameLink}>
                    {row.name}
                  </Anchor>
                  {row.archived ? <ArchivedBadge /> : null}
                </Group>
              </Table.Td>
              <Table.Td>{row.kind ?? <Text span c="dimmed">—</Text>}</Table.Td>
              <Table.Td className={classes.num}>{row.inventory}</Table.Td>
              <Table.Td className={classes.num}>{row.maxGuests}</Table.Td>
              <Table.Td className={classes.wrap}>
                <Amenities tags={row.amenities} max={4} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function UnitCards({ rows }: { rows: Row[] }) {
  const { t } = useTranslation('units');
  return (
    <ul className={classes.cards} aria-label={t('list.title')}>
      {rows.map((row) => (
        <li key={row.id} className={classes.card} data-archived={row.archived || undefined}>
          <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
            <Anchor component={Link} to={`/units/${row.id}`} className={`${classes.nameLink} ${classes.cardLink}`}>
              {row.name}
            </Anchor>
            {row.archived ? <ArchivedBadge /> : null}
          </Group>
          <dl className={classes.cardFacts}>
            <dt>{t('columns.kind')}</dt>
            <dd>{row.kind ?? '—'}</dd>
            <dt>{t('columns.inventory')}</dt>
            <dd>{row.inventory}</dd>
            <dt>{t('columns.maxGuests')}</dt>
            <dd>{row.maxGuests}</dd>
            {row.amenities.length > 0 ? (
              <>
                <dt>{t('columns.amenities')}</dt>
                <dd>
                  <Amenities tags={row.amenities} max={3} />
                </dd>
              </>
            ) : null}
          </dl>
        </li>
      ))}
    </ul>
  );
}
