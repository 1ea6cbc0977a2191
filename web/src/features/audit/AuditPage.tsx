// The audit log (admins and owners, as the API requires): filtered by who,
// entity (type and id), action and dates — all in the address — and paged by
// cursor, newest first. Each entry says when (the business's time zone), who,
// what and on which entity (reservations, clients and units link to their
// screens), and opens onto its before and after: one row per changed field,
// the kind of change in words. A table on wide screens, cards on phones.
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/SimpleGrid.css';
import { useId, useMemo, useState } from 'react';
import { Anchor, Autocomplete, Button, Group, Select, SimpleGrid, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedCallback, useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useClient, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { AuditActorsDocument, AuditLogDocument, type AuditLogQuery } from '@/gql/graphql';
import { describeError, hasErrorCode } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useTenant, useViewer } from '@/lib/session/session';
import classes from './audit.module.css';
import { entityPath, humanise } from './diff';
import { EntryChanges, useEntryWords, type Entry } from './EntryChanges';
import { apiFilter, entityTypes, filtersFromSearch, hasFilters, knownActions, noFilters, searchFromFilters, type AuditFilters } from './filters';

type PageInfo = AuditLogQuery['auditLog']['pageInfo'];

const pageSize = 30;

export default function AuditPage() {
  const { t } = useTranslation('audit');
  usePageTitle(t('title'));
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams]);
  const setFilters = (next: AuditFilters, replace = false) => setSearchParams(searchFromFilters(next), { replace });
  return (
    <Stack gap="md">
      <div>
        <Title order={1}>{t('title')}</Title>
        <Text c="dimmed" fz="sm">
          {t('intro')}
        </Text>
      </div>
      <FiltersForm filters={filters} onChange={setFilters} />
      <Results filters={filters} onFilter={setFilters} />
    </Stack>
  );
}

/** Follows a text filter while typing; writes it into the address once typing pauses. */
function useTypedFilter(value: string, push: (value: string) => void) {
  const [typed, setTyped] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setTyped(value);
  }
  const debounced = useDebouncedCallback(push, 400);
  return [typed, (next: string) => (setTyped(next), debounced(next))] as const;
}

function FiltersForm({ filters, onChange }: { filters: AuditFilters; onChange: (filters: AuditFilters, replace?: boolean) => void }) {
  const { t } = useTranslation('audit');
  const viewer = useViewer();
  const [actors] = useQuery({ query: AuditActorsDocument });
  const [entityId, setEntityId] = useTypedFilter(filters.entityId, (v) => onChange({ ...filters, entityId: v }, true));
  const [action, setAction] = useTypedFilter(filters.action, (v) => onChange({ ...filters, action: v }, true));
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [unfolded, setUnfolded] = useState(false);
  const moreId = useId();

  const actorOptions = useMemo(() => {
    const options = [
      ...(actors.data?.users ?? []).map((u) => ({
        value: `user:${u.id}`,
        label: u.id === viewer?.id ? t('actor.you', { email: u.email }) : u.email,
      })),
      ...(actors.data?.apiKeys ?? []).map((k) => ({ value: `api_key:${k.id}`, label: t('actor.apiKey', { name: k.name }) })),
      { value: 'public', label: t('actor.public') },
      { value: 'system', label: t('actor.system') },
    ];
    if (filters.actor && !options.some((o) => o.value === filters.actor)) options.push({ value: filters.actor, label: filters.actor });
    return options;
  }, [actors.data, viewer?.id, filters.actor, t]);
  const typeOptions = useMemo(() => {
    const types: string[] = [...entityTypes];
    if (filters.entityType && !types.includes(filters.entityType)) types.push(filters.entityType);
    return types.map((type) => ({ value: type, label: t(`entity.${type}`, { defaultValue: humanise(type) }) }));
  }, [filters.entityType, t]);
  const actionOptions = useMemo(() => knownActions.map((a) => ({ value: a, label: t(`action.${a}`) })), [t]);

  const moreSet = [filters.entityType, filters.entityId, filters.action, filters.from, filters.to].filter(Boolean).length;
  const folded = phone && !unfolded;

  const actorField = (
    <Select
      label={t('filters.actor')}
      placeholder={t('filters.anyActor')}
      data={actorOptions}
      value={filters.actor}
      onChange={(actor) => onChange({ ...filters, actor })}
      clearable
      searchable={actorOptions.length > 8}
      comboboxProps={{ withinPortal: true }}
    />
  );

  return (
    <form role="search" aria-label={t('filters.label')} onSubmit={(event) => event.preventDefault()}>
      {phone ? (
        <Group align="flex-end" gap="sm" wrap="nowrap" mb={folded ? 0 : 'xs'}>
          <div style={{ flex: 1 }}>{actorField}</div>
          <Button variant="default" aria-expanded={!folded} aria-controls={moreId} onClick={() => setUnfolded((u) => !u)}>
            {moreSet > 0 ? t('filters.moreSet', { count: moreSet }) : t('filters.more')}
          </Button>
        </Group>
      ) : null}
      <SimpleGrid id={moreId} hidden={folded} display={folded ? 'none' : undefined} cols={{ base: 1, xs: 2, md: 3, lg: 6 }} spacing="sm" verticalSpacing="xs">
        {phone ? null : actorField}
        <Select
          label={t('filters.entityType')}
          placeholder={t('filters.anyEntity')}
          data={typeOptions}
          value={filters.entityType}
          onChange={(entityType) => onChange({ ...filters, entityType })}
          clearable
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput
          label={t('filters.entityId')}
          placeholder={t('filters.entityIdPlaceholder')}
          value={entityId}
          onChange={(event) => setEntityId(event.currentTarget.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <Autocomplete
          label={t('filters.action')}
          placeholder={t('filters.anyAction')}
          data={actionOptions.map((o) => o.value)}
          renderOption={({ option }) => (
            <span>
              {t(`action.${option.value}`)} <Text span c="dimmed" fz="xs">({option.value})</Text>
            </span>
          )}
          value={action}
          onChange={setAction}
          onOptionSubmit={(value) => onChange({ ...filters, action: value })}
          clearable
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
  rows: Entry[];
  pageInfo: PageInfo | null;
  loading: boolean;
  error: CombinedError | null;
}

function Results({ filters, onFilter }: { filters: AuditFilters; onFilter: (filters: AuditFilters) => void }) {
  const { t } = useTranslation('audit');
  const { t: tc } = useTranslation();
  const tenant = useTenant();
  const client = useClient();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const filter = useMemo(() => apiFilter(filters, tenant.timezone), [filters, tenant.timezone]);
  const key = JSON.stringify(filter);
  const [firstPage, refetch] = useQuery({ query: AuditLogDocument, variables: { filter, first: pageSize, after: null }, requestPolicy: 'cache-and-network' });
  const [more, setMore] = useState<MorePages>({ key, rows: [], pageInfo: null, loading: false, error: null });
  if (more.key !== key) setMore({ key, rows: [], pageInfo: null, loading: false, error: null });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((before) => {
      const next = new Set(before);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const firstRows = firstPage.data?.auditLog.nodes ?? [];
  const pageInfo = more.pageInfo ?? firstPage.data?.auditLog.pageInfo ?? null;
  const seen = new Set(firstRows.map((r) => r.id));
  const rows = more.key === key ? [...firstRows, ...more.rows.filter((r) => !seen.has(r.id))] : firstRows;
  const onlyEntity = (entry: Entry) => onFilter({ ...noFilters, entityType: entry.entityType, entityId: entry.entityId });

  async function showMore() {
    if (!pageInfo?.endCursor) return;
    setMore((before) => ({ ...before, loading: true, error: null }));
    const result = await client.query(AuditLogDocument, { filter, first: pageSize, after: pageInfo.endCursor }, { requestPolicy: 'network-only' }).toPromise();
    setMore((before) => {
      if (before.key !== key) return before;
      const page = result.data?.auditLog;
      return page
        ? { key, rows: [...before.rows, ...page.nodes], pageInfo: page.pageInfo, loading: false, error: null }
        : { ...before, loading: false, error: result.error ?? null };
    });
  }

  if (firstPage.error && !firstPage.data) {
    // An entity id no entry names: the API says NOT_FOUND; that is an empty result.
    if (filters.entityId && hasErrorCode(firstPage.error, 'NOT_FOUND')) {
      return (
        <Stack className={classes.panel} gap="xs" align="flex-start" role="status">
          <Text fw={600}>{t('list.unknownEntity', { id: filters.entityId })}</Text>
          <Text fz="sm" c="dimmed">
            {t('list.unknownEntityHint')}
          </Text>
          <Button variant="default" size="compact-md" onClick={() => onFilter(noFilters)}>
            {t('filters.clear')}
          </Button>
        </Stack>
      );
    }
    return (
      <Stack gap="xs" align="flex-start">
        <ProblemAlert problem={describeError(firstPage.error, tc)} title={t('list.loadFailed')} />
        <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          {t('list.retry')}
        </Button>
      </Stack>
    );
  }
  if (!firstPage.data) {
    return (
      <Stack gap="xs" role="status" aria-label={t('list.loading')}>
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} height={phone ? 96 : 36} radius="sm" />
        ))}
      </Stack>
    );
  }
  if (rows.length === 0) {
    const filtered = hasFilters(filters);
    return (
      <Stack className={classes.panel} gap="xs" align="flex-start" role="status">
        <Text fw={600}>{filtered ? t('list.emptyFiltered') : t('list.empty')}</Text>
        <Text fz="sm" c="dimmed">
          {filtered ? t('list.emptyFilteredHint') : t('list.emptyHint')}
        </Text>
        {filtered ? (
          <Button variant="default" size="compact-md" onClick={() => onFilter(noFilters)}>
            {t('filters.clear')}
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
      {phone ? (
        <EntryCards rows={rows} open={open} onToggle={toggle} onOnly={onlyEntity} />
      ) : (
        <EntryTable rows={rows} open={open} onToggle={toggle} onOnly={onlyEntity} />
      )}
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

interface ListProps {
  rows: Entry[];
  open: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onOnly: (entry: Entry) => void;
}

function EntityLink({ entry, label }: { entry: Entry; label: string }) {
  const path = entityPath(entry.entityType, entry.entityId);
  return path ? (
    <Anchor component={Link} to={path} fz="sm">
      {label}
    </Anchor>
  ) : (
    <>{label}</>
  );
}

function ToggleButton({ entry, expanded, onToggle, controls }: { entry: Entry; expanded: boolean; onToggle: () => void; controls: string }) {
  const { t } = useTranslation('audit');
  const words = useEntryWords(entry);
  return (
    <Button
      variant="subtle"
      size="compact-sm"
      aria-expanded={expanded}
      aria-controls={controls}
      aria-label={
        words.changeCount > 0
          ? t(expanded ? 'entry.hideLabel' : 'entry.showLabel', { what: words.what, entity: words.entity })
          : t(expanded ? 'entry.hideDetailsLabel' : 'entry.showDetailsLabel', { what: words.what, entity: words.entity })
      }
      onClick={onToggle}
    >
      {words.changeCount > 0
        ? expanded
          ? t('entry.hide')
          : `${t('entry.show')} (${t('entry.summary', { count: words.changeCount })})`
        : expanded
          ? t('entry.hideDetails')
          : t('entry.showDetails')}
    </Button>
  );
}

function EntryTable({ rows, open, onToggle, onOnly }: ListProps) {
  const { t } = useTranslation('audit');
  return (
    <div className={classes.tableWrap}>
      <Table className={classes.table} verticalSpacing="xs" horizontalSpacing="md" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('columns.when')}</Table.Th>
            <Table.Th scope="col">{t('columns.who')}</Table.Th>
            <Table.Th scope="col">{t('columns.what')}</Table.Th>
            <Table.Th scope="col">{t('columns.entity')}</Table.Th>
            <Table.Th scope="col">{t('columns.changes')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((entry) => (
            <TableEntry key={entry.id} entry={entry} expanded={open.has(entry.id)} onToggle={() => onToggle(entry.id)} onOnly={() => onOnly(entry)} />
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function TableEntry({ entry, expanded, onToggle, onOnly }: { entry: Entry; expanded: boolean; onToggle: () => void; onOnly: () => void }) {
  const words = useEntryWords(entry);
  const detailsId = `audit-entry-${entry.id}`;
  return (
    <>
      <Table.Tr className={expanded ? classes.expanded : undefined}>
        <Table.Td className={classes.nowrap}>
          <time dateTime={entry.at}>{words.when}</time>
        </Table.Td>
        <Table.Td className={classes.wrap}>{words.who}</Table.Td>
        <Table.Td>{words.what}</Table.Td>
        <Table.Td className={classes.nowrap}>
          <EntityLink entry={entry} label={words.entity} />
        </Table.Td>
        <Table.Td>
          <ToggleButton entry={entry} expanded={expanded} onToggle={onToggle} controls={detailsId} />
        </Table.Td>
      </Table.Tr>
      {expanded ? (
        <Table.Tr className={classes.expanded}>
          <Table.Td colSpan={5} id={detailsId}>
            <EntryChanges entry={entry} onOnly={onOnly} />
          </Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}

function EntryCards({ rows, open, onToggle, onOnly }: ListProps) {
  const { t } = useTranslation('audit');
  return (
    <ul className={classes.cards} aria-label={t('title')}>
      {rows.map((entry) => (
        <CardEntry key={entry.id} entry={entry} expanded={open.has(entry.id)} onToggle={() => onToggle(entry.id)} onOnly={() => onOnly(entry)} />
      ))}
    </ul>
  );
}

function CardEntry({ entry, expanded, onToggle, onOnly }: { entry: Entry; expanded: boolean; onToggle: () => void; onOnly: () => void }) {
  const words = useEntryWords(entry);
  const detailsId = `audit-entry-${entry.id}`;
  return (
    <li className={classes.card}>
      <Text fw={600} fz="sm">
        {words.what} · <EntityLink entry={entry} label={words.entity} />
      </Text>
      <Text fz="sm">{words.who}</Text>
      <Text fz="xs" c="dimmed">
        <time dateTime={entry.at}>{words.when}</time>
      </Text>
      <Group mt={4}>
        <ToggleButton entry={entry} expanded={expanded} onToggle={onToggle} controls={detailsId} />
      </Group>
      {expanded ? (
        <div id={detailsId}>
          <EntryChanges entry={entry} onOnly={onOnly} phone />
        </div>
      ) : null}
    </li>
  );
}
