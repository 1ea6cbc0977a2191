// One client: their details and status (blocked, archived, erased — each
// said in words), the actions the viewer's role allows (edit, block or
// unblock, archive: staff; erase: admin), their reservations (each linking to
// its screen) and their record (the right of access: admin).
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/InlineInput.css';
import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Button, Group, Modal, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useClient, useMutation, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  ClientArchiveDocument,
  ClientDocument,
  ClientReservationsDocument,
  ClientUpdateDocument,
  type ClientFieldsFragment,
  type ClientReservationsQuery,
} from '@/gql/graphql';
import { nightsOf, periodText, StateBadge } from '@/features/reservations';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { roleAtLeast } from '@/lib/session/roles';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { ClientFormDialog } from './ClientForm';
import classes from './clients.module.css';
import { EraseDialog } from './EraseDialog';
import { RecordPanel } from './RecordPanel';
import { StatusBadge } from './StatusBadge';

type Client = ClientFieldsFragment;
type ReservationRow = ClientReservationsQuery['reservations']['nodes'][number];

export default function ClientPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const [result, refetch] = useQuery({ query: ClientDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  // A change's answer is the client as it is now: shown at once.
  const [answered, setAnswered] = useState<Client | null>(null);
  const client = answered && answered.id === id ? answered : result.data?.client;
  usePageTitle(client ? client.name : t('detail.loadingTitle'));

  if (result.error && !client) {
    return (
      <Stack gap="md" align="flex-start">
        <BackLink />
        <Title order={1}>{t('detail.loadingTitle')}</Title>
        <ProblemAlert problem={describeError(result.error, tc)} title={t('detail.loadFailed')} />
        <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          {t('list.retry')}
        </Button>
      </Stack>
    );
  }
  if (!client) {
    return (
      <Stack gap="md" role="status" aria-label={t('detail.loading')}>
        <Skeleton height={20} width={120} />
        <Skeleton height={36} width="50%" />
        <Skeleton height={140} />
        <Skeleton height={180} />
      </Stack>
    );
  }
  return <ClientView client={client} onChanged={setAnswered} />;
}

function BackLink() {
  const { t } = useTranslation('clients');
  return (
    <Anchor component={Link} to="/clients" fz="sm">
      ← {t('detail.back')}
    </Anchor>
  );
}

type Dialog = 'edit' | 'archive' | 'erase' | null;

function ClientView({ client, onChanged }: { client: Client; onChanged: (client: Client) => void }) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const viewer = useViewer();
  const staff = roleAtLeast(viewer?.role, 'STAFF');
  const admin = roleAtLeast(viewer?.role, 'ADMIN');
  const erased = !!client.erasedAt;
  const [dialog, setDialog] = useState<Dialog>(null);
  const [blocking, update] = useMutation(ClientUpdateDocument);
  const [blockError, setBlockError] = useState<CombinedError | null>(null);
  const reservations = useClientReservations(client.id);
  const active = reservations.rows.filter((r) => r.state === 'HELD' || r.state === 'CONFIRMED' || r.state === 'CHECKED_IN').length;
  const none = t('detail.none');

  async function toggleBlocked() {
    setBlockError(null);
    const result = await update({ id: client.id, input: { blocked: !client.blocked } });
    if (result.data) {
      const now = result.data.updateClient;
      onChanged(now);
      notifications.show({ message: t(now.blocked ? 'block.blocked' : 'block.unblocked', { name: now.name }), color: 'sea' });
    } else if (result.error) setBlockError(result.error);
  }

  return (
    <Stack gap="md">
      <BackLink />
      <Group justify="space-between" align="center" gap="sm">
        <Group gap="sm" align="center">
          <Title order={1} className={classes.name}>
            {client.name}
          </Title>
          <StatusBadge client={client} />
        </Group>
        {staff && !erased ? (
          <Button variant="default" onClick={() => setDialog('edit')}>
            {t('detail.edit')}
          </Button>
        ) : null}
      </Group>

      {erased ? (
        <Alert color="grape" variant="light" role="note">
          {t('detail.erasedNotice', { date: format.dateTime(client.erasedAt ?? '', { dateStyle: 'long' }) })}
        </Alert>
      ) : client.archived ? (
        <Alert color="gray" variant="light" role="note">
          {t('detail.archivedNotice')}
        </Alert>
      ) : client.blocked ? (
        <Alert color="red" variant="light" role="note">
          {t('detail.blockedNotice')}
        </Alert>
      ) : null}

      <section className={classes.panel} aria-labelledby="details-heading">
        <Title order={2} fz="md" mb="sm" id="details-heading">
          {t('detail.details')}
        </Title>
        <dl className={classes.facts}>
          <dt>{t('detail.email')}</dt>
          <dd>{client.email ? <Anchor href={`mailto:${client.email}`} fz="sm">{client.email}</Anchor> : none}</dd>
          <dt>{t('detail.phone')}</dt>
          <dd>{client.phone ? <Anchor href={`tel:${client.phone.replace(/[^\d+]/g, '')}`} fz="sm">{client.phone}</Anchor> : none}</dd>
          <dt>{t('detail.notes')}</dt>
          <dd>{client.notes ?? none}</dd>
          <dt>{t('detail.created')}</dt>
          <dd>{format.dateTime(client.createdAt)}</dd>
          {client.erasedAt ? (
            <>
              <dt>{t('detail.erasedAt')}</dt>
              <dd>{format.dateTime(client.erasedAt)}</dd>
            </>
          ) : null}
        </dl>
      </section>

      {!erased ? (
        <section className={classes.panel} aria-labelledby="actions-heading">
          <Title order={2} fz="md" mb="sm" id="actions-heading">
            {t('detail.actions')}
          </Title>
          {!staff ? (
            <Text fz="sm">{t('detail.readOnly')}</Text>
          ) : (
            <Stack gap="sm">
              <ActionRow
                hint={client.blocked ? t('block.unblockHint') : t('block.blockHint')}
                button={
                  <Button variant="default" onClick={() => void toggleBlocked()} loading={blocking.fetching} disabled={client.archived}>
                    {client.blocked ? t('block.unblock') : t('block.block')}
                  </Button>
                }
              />
              {blockError ? <ProblemAlert problem={describeError(blockError, tc)} title={t('block.failed')} /> : null}
              {!client.archived ? (
                <ActionRow
                  hint={t('archive.hint')}
                  button={
                    <Button variant="default" onClick={() => setDialog('archive')}>
                      {t('archive.button')}
                    </Button>
                  }
                />
              ) : null}
              {admin ? (
                <ActionRow
                  hint={t('erase.intro')}
                  button={
                    <Button color="red.9" variant="outline" onClick={() => setDialog('erase')}>
                      {t('erase.button')}
                    </Button>
                  }
                />
              ) : null}
            </Stack>
          )}
        </section>
      ) : null}

      <ReservationsPanel clientId={client.id} state={reservations} />
      <RecordPanel clientId={client.id} allowed={admin} />

      <ClientFormDialog
        opened={dialog === 'edit'}
        client={client}
        onClose={() => setDialog(null)}
        onSaved={(now) => {
          setDialog(null);
          onChanged(now);
          notifications.show({ message: t('form.saved', { name: now.name }), color: 'sea' });
        }}
      />
      <ArchiveDialog
        client={client}
        opened={dialog === 'archive'}
        onClose={() => setDialog(null)}
        onArchived={(now) => {
          setDialog(null);
          onChanged(now);
          notifications.show({ message: t('archive.done', { name: now.name }), color: 'sea' });
        }}
      />
      <EraseDialog
        client={client}
        opened={dialog === 'erase'}
        onClose={() => setDialog(null)}
        reservations={reservations.complete ? reservations.rows.length : null}
        active={active}
        onErased={(erasure) => {
          setDialog(null);
          onChanged(erasure.client);
          notifications.show({
            message: t('erase.done', { reservations: erasure.reservations, auditEntries: erasure.auditEntries, events: erasure.events }),
            color: 'sea',
            autoClose: 10_000,
          });
        }}
      />
    </Stack>
  );
}

function ActionRow({ hint, button }: { hint: string; button: ReactNode }) {
  return (
    <Group justify="space-between" gap="sm" wrap="wrap" align="center">
      <Text fz="sm" style={{ flex: '1 1 16rem' }}>
        {hint}
      </Text>
      {button}
    </Group>
  );
}

function ArchiveDialog({ client, opened, onClose, onArchived }: { client: Client; opened: boolean; onClose: () => void; onArchived: (client: Client) => void }) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  const [archiving, archive] = useMutation(ClientArchiveDocument);
  const [error, setError] = useState<CombinedError | null>(null);
  async function confirm() {
    setError(null);
    const result = await archive({ id: client.id });
    if (result.data) onArchived(result.data.archiveClient);
    else if (result.error) setError(result.error);
  }
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('archive.title', { name: client.name })}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeButtonProps={{ 'aria-label': tc('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      <Stack gap="sm">
        <Text fz="sm">{t('archive.body')}</Text>
        <Text fz="sm">{t('archive.difference')}</Text>
        {error ? <ProblemAlert problem={describeError(error, tc)} title={t('archive.failed')} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} data-autofocus>
            {t('archive.cancel')}
          </Button>
          <Button onClick={() => void confirm()} loading={archiving.fetching}>
            {t('archive.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const reservationsPage = 25;

interface ReservationsState {
  rows: ReservationRow[];
  /** Every reservation of the client is loaded. */
  complete: boolean;
  loading: boolean;
  error: CombinedError | null;
  hasMore: boolean;
  showMore: () => void;
  moreLoading: boolean;
  retry: () => void;
}

function useClientReservations(clientId: string): ReservationsState {
  const client = useClient();
  const [first, refetch] = useQuery({
    query: ClientReservationsDocument,
    variables: { clientId, first: reservationsPage, after: null },
    requestPolicy: 'cache-and-network',
  });
  const [more, setMore] = useState<{ key: string; rows: ReservationRow[]; endCursor: string | null; hasNext: boolean | null; loading: boolean; error: CombinedError | null }>({
    key: clientId,
    rows: [],
    endCursor: null,
    hasNext: null,
    loading: false,
    error: null,
  });
  if (more.key !== clientId) setMore({ key: clientId, rows: [], endCursor: null, hasNext: null, loading: false, error: null });
  const page = first.data?.reservations;
  const seen = new Set((page?.nodes ?? []).map((r) => r.id));
  const rows = [...(page?.nodes ?? []), ...more.rows.filter((r) => !seen.has(r.id))];
  const hasMore = more.hasNext ?? page?.pageInfo.hasNextPage ?? false;
  const cursor = more.endCursor ?? page?.pageInfo.endCursor ?? null;
  return {
    rows,
    complete: !!page && !hasMore,
    loading: !page && !first.error,
    error: more.error ?? (page ? null : (first.error ?? null)),
    hasMore,
    moreLoading: more.loading,
    retry: () => refetch({ requestPolicy: 'network-only' }),
    showMore: () => {
      if (!cursor) return;
      setMore((before) => ({ ...before, loading: true, error: null }));
      void client
        .query(ClientReservationsDocument, { clientId, first: reservationsPage, after: cursor }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          const next = result.data?.reservations;
          setMore((before) =>
            next
              ? { ...before, rows: [...before.rows, ...next.nodes], endCursor: next.pageInfo.endCursor ?? null, hasNext: next.pageInfo.hasNextPage, loading: false }
              : { ...before, loading: false, error: result.error ?? null },
          );
        });
    },
  };
}

function ReservationsPanel({ state }: { clientId: string; state: ReservationsState }) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const format = useFormat();
  return (
    <section className={classes.panel} aria-labelledby="reservations-heading">
      <Title order={2} fz="md" mb="sm" id="reservations-heading">
        {t('reservations.title')}
      </Title>
      {state.loading ? (
        <Stack gap="xs" role="status" aria-label={t('reservations.loading')}>
          <Skeleton height={36} />
          <Skeleton height={36} />
        </Stack>
      ) : state.rows.length === 0 && !state.error ? (
        <Text fz="sm" c="dimmed">
          {t('reservations.empty')}
        </Text>
      ) : (
        <ul className={classes.list}>
          {state.rows.map((r) => {
            const nights = nightsOf(r);
            return (
              <li key={r.id}>
                <Group justify="space-between" gap="xs" wrap="wrap" align="center">
                  <Stack gap={0}>
                    <Anchor component={Link} to={`/reservations/${r.id}`} fw={600} fz="sm">
                      {periodText(r, format)}
                    </Anchor>
                    <Text fz="xs" c="dimmed">
                      {r.unit.name}
                      {nights !== null ? ` · ${t('reservations.nights', { count: nights })}` : ''}
                      {` · ${t('reservations.guestCount', { count: r.guests })}`}
                    </Text>
                  </Stack>
                  <Group gap="sm">
                    {r.price ? (
                      <Text fz="sm" className={classes.num}>
                        {format.money(r.price)}
                      </Text>
                    ) : null}
                    <StateBadge state={r.state} />
                  </Group>
                </Group>
              </li>
            );
          })}
        </ul>
      )}
      {state.error ? (
        <Stack gap="xs" align="flex-start" mt="xs">
          <ProblemAlert problem={describeError(state.error, tc)} title={t('reservations.loadFailed')} />
          <Button variant="default" size="compact-md" onClick={state.retry}>
            {t('list.retry')}
          </Button>
        </Stack>
      ) : null}
      {state.hasMore ? (
        <Group justify="center" mt="sm">
          <Button variant="default" size="compact-md" onClick={state.showMore} loading={state.moreLoading}>
            {t('reservations.showMore')}
          </Button>
        </Group>
      ) : null}
    </section>
  );
}
