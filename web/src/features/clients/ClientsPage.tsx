// The clients list: searched by name or e-mail (debounced, kept in the
// address with whether archived clients show), paged by cursor with "Show
// more", each client linking to their screen; a table on wide screens, cards
// on phones. Staff and above create clients here.
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Modal.css';
import { useMemo, useState } from 'react';
import { Anchor, Button, Checkbox, Group, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedCallback, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useClient, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { ClientsListDocument, type ClientFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { roleAtLeast } from '@/lib/session/roles';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { ClientFormDialog } from './ClientForm';
import classes from './clients.module.css';
import { addressFromSearch, isSearching, listVariables, noSearch, searchFromAddress, type ClientsSearch } from './search';
import { StatusBadge } from './StatusBadge';

type Row = ClientFieldsFragment;

/** Clients per request. */
const pageSize = 25;

export default function ClientsPage() {
  const { t } = useTranslation('clients');
  usePageTitle(t('title'));
  const navigate = useNavigate();
  const viewer = useViewer();
  const mayChange = roleAtLeast(viewer?.role, 'STAFF');
  const [params, setParams] = useSearchParams();
  const search = useMemo(() => searchFromAddress(params), [params]);
  const [creating, setCreating] = useState(false);
  const setSearch = (next: ClientsSearch, replace = false) => setParams(addressFromSearch(next), { replace });

  return (
    <Stack gap="md">
      <Group justify="space-between" align="center" gap="sm">
        <Title order={1}>{t('title')}</Title>
        {mayChange ? <Button onClick={() => setCreating(true)}>{t('new')}</Button> : null}
      </Group>
      <SearchForm search={search} onChange={setSearch} />
      <Results search={search} mayCreate={mayChange} onClear={() => setSearch(noSearch)} onShowArchived={() => setSearch({ ...search, archived: true })} onNew={() => setCreating(true)} />
      <ClientFormDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onSaved={(client) => {
          setCreating(false);
          notifications.show({ message: t('form.created', { name: client.name }), color: 'sea' });
          void navigate(`/clients/${client.id}`);
        }}
      />
    </Stack>
  );
}

function SearchForm({ search, onChange }: { search: ClientsSearch; onChange: (search: ClientsSearch, replace?: boolean) => void }) {
  const { t } = useTranslation('clients');
  // The field types freely; the address follows once typing pauses (replacing
  // the entry, so Back does not step through every letter), and the field
  // follows the address when it changes otherwise (Back, a link).
  const [q, setQ] = useState(search.q);
  const [seen, setSeen] = useState(search.q);
  if (search.q !== seen) {
    setSeen(search.q);
    setQ(search.q);
  }
  const push = useDebouncedCallback((value: string) => onChange({ ...search, q: value }, true), 350);

  return (
    <form role="search" aria-label={t('search.label')} onSubmit={(event) => event.preventDefault()}>
      <Group align="flex-end" gap="md" wrap="wrap">
        <TextInput
          label={t('search.field')}
          placeholder={t('search.placeholder')}
          type="search"
          value={q}
          onChange={(event) => {
            setQ(event.currentTarget.value);
            push(event.currentTarget.value);
          }}
          style={{ flex: '1 1 18rem', maxWidth: '28rem' }}
        />
        <Checkbox
          label={t('search.archived')}
          checked={search.archived}
          onChange={(event) => onChange({ ...search, q, archived: event.currentTarget.checked })}
          mb={8}
        />
      </Group>
    </form>
  );
}

interface MorePages {
  key: string;
  rows: Row[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | null;
  loading: boolean;
  error: CombinedError | null;
}

interface ResultsProps {
  search: ClientsSearch;
  mayCreate: boolean;
  onClear: () => void;
  onShowArchived: () => void;
  onNew: () => void;
}

function Results({ search, mayCreate, onClear, onShowArchived, onNew }: ResultsProps) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const client = useClient();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const variables = listVariables(search, pageSize);
  const key = JSON.stringify(variables);
  const [firstPage, refetch] = useQuery({ query: ClientsListDocument, variables, requestPolicy: 'cache-and-network' });
  const [more, setMore] = useState<MorePages>({ key, rows: [], pageInfo: null, loading: false, error: null });
  if (more.key !== key) setMore({ key, rows: [], pageInfo: null, loading: false, error: null });

  const firstRows = firstPage.data?.clients.nodes ?? [];
  const pageInfo = more.pageInfo ?? firstPage.data?.clients.pageInfo ?? null;
  const seen = new Set(firstRows.map((r) => r.id));
  const rows = more.key === key ? [...firstRows, ...more.rows.filter((r) => !seen.has(r.id))] : firstRows;

  async function showMore() {
    if (!pageInfo?.endCursor) return;
    setMore((before) => ({ ...before, loading: true, error: null }));
    const result = await client
      .query(ClientsListDocument, listVariables(search, pageSize, pageInfo.endCursor), { requestPolicy: 'network-only' })
      .toPromise();
    setMore((before) => {
      if (before.key !== key) return before;
      const page = result.data?.clients;
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

  if (!firstPage.data) {
    return (
      <Stack gap="xs" role="status" aria-label={t('list.loading')}>
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} height={phone ? 88 : 36} radius="sm" />
        ))}
      </Stack>
    );
  }

  if (rows.length === 0) {
    const searching = isSearching(search);
    return (
      <Stack className={classes.panel} gap="xs" align="flex-start" role="status">
        <Text fw={600}>{searching ? t('list.emptyFiltered', { q: search.q }) : t('list.empty')}</Text>
        <Text fz="sm" c="dimmed">
          {searching ? t('list.emptyFilteredHint') : t('list.emptyHint')}
          {searching && !search.archived ? ` ${t('list.emptyFilteredArchived')}` : ''}
        </Text>
        <Group gap="xs">
          {searching ? (
            <Button variant="default" size="compact-md" onClick={onClear}>
              {t('search.clear')}
            </Button>
          ) : null}
          {searching && !search.archived ? (
            <Button variant="default" size="compact-md" onClick={onShowArchived}>
              {t('search.archived')}
            </Button>
          ) : null}
          {!searching && mayCreate ? (
            <Button size="compact-md" onClick={onNew}>
              {t('new')}
            </Button>
          ) : null}
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      <Text fz="sm" c="dimmed" role="status" aria-live="polite">
        {pageInfo?.hasNextPage ? t('list.countMore', { count: rows.length }) : t('list.count', { count: rows.length })}
      </Text>
      {phone ? <ClientCards rows={rows} /> : <ClientTable rows={rows} />}
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

function ClientTable({ rows }: { rows: Row[] }) {
  const { t } = useTranslation('clients');
  const format = useFormat();
  return (
    <div className={classes.tableWrap}>
      <Table className={classes.table} highlightOnHover verticalSpacing="xs" horizontalSpacing="md" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('columns.name')}</Table.Th>
            <Table.Th scope="col">{t('columns.email')}</Table.Th>
            <Table.Th scope="col">{t('columns.phone')}</Table.Th>
            <Table.Th scope="col">{t('columns.status')}</Table.Th>
            <Table.Th scope="col">{t('columns.created')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Td className={classes.wrap}>
                <Anchor component={Link} to={`/clients/${row.id}`} className={classes.nameLink}>
                  {row.name}
                </Anchor>
              </Table.Td>
              <Table.Td className={classes.wrap}>{row.email ?? '—'}</Table.Td>
              <Table.Td>{row.phone ?? '—'}</Table.Td>
              <Table.Td>
                <StatusBadge client={row} />
              </Table.Td>
              <Table.Td>{format.dateTime(row.createdAt, { dateStyle: 'medium' })}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function ClientCards({ rows }: { rows: Row[] }) {
  const { t } = useTranslation('clients');
  const format = useFormat();
  return (
    <ul className={classes.cards} aria-label={t('title')}>
      {rows.map((row) => (
        <li key={row.id} className={classes.card}>
          <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
            <Anchor component={Link} to={`/clients/${row.id}`} className={`${classes.nameLink} ${classes.cardLink}`}>
              {row.name}
            </Anchor>
            <StatusBadge client={row} />
          </Group>
          <dl className={classes.cardFacts}>
            {row.email ? (
              <>
                <dt>{t('columns.email')}</dt>
                <dd>{row.email}</dd>
              </>
            ) : null}
            {row.phone ? (
              <>
                <dt>{t('columns.phone')}</dt>
                <dd>{row.phone}</dd>
              </>
            ) : null}
            <dt>{t('columns.created')}</dt>
            <dd>{format.dateTime(row.createdAt, { dateStyle: 'short' })}</dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}
