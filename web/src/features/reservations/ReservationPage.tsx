// One reservation: every field, a policy override clearly marked, the actions
// its state allows (confirm, check in, check out, cancel, change the period,
// change notes or client — each sending the version the user saw), the
// e-mails about it (admins) and its audit history. When someone else changes it (a reservation event), the
// screen loads it again and says so.
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/NumberInput.css';
import '@mantine/core/styles/SimpleGrid.css';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, Anchor, Button, CloseButton, Group, List, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  ReservationCheckInDocument,
  ReservationConfirmDocument,
  ReservationDocument,
  ReservationLiveEventsDocument,
  type ReservationDetailFragment,
  type ReservationLiveEventsSubscription,
} from '@/gql/graphql';
import { mayOverride, warningColor } from '@/features/booking';
import { ReservationEmails } from '@/features/settings';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { actionsFor, type ReservationAction } from './actions';
import { AuditHistory } from './AuditHistory';
import { CancelDialog, ChangePeriodDialog, CheckOutDialog, EditDialog } from './dialogs';
import { durationOf, nightsOf } from './display';
import { OutcomeAlert } from './OutcomeAlert';
import { OwnChanges } from './own-changes';
import classes from './reservations.module.css';
import { StateBadge } from './StateBadge';
import { useActionOutcome } from './use-action';

type Reservation = ReservationDetailFragment;

export default function ReservationPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('reservations');
  const { t: tc } = useTranslation();
  const client = useClient();
  const [result, refetch] = useQuery({ query: ReservationDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  // An action's answer is the reservation as it is now: shown at once,
  // until the query has caught up with it.
  const [answered, setAnswered] = useState<Reservation | null>(null);
  const fetched = result.data?.reservation;
  const reservation =
    answered && answered.id === id && (!fetched || answered.version > fetched.version) ? answered : fetched;
  usePageTitle(reservation ? t('detail.title', { guest: reservation.client?.name ?? t('noGuest') }) : t('detail.loadingTitle'));

  // Someone else's change (a version none of this screen's actions made):
  // load the reservation again and say so.
  const [foreignVersion, setForeignVersion] = useState<number | null>(null);
  const [own] = useState(() => new OwnChanges(setForeignVersion));
  const shownVersion = reservation?.version ?? 0;
  const onEvent = useCallback(
    (_before: ReservationLiveEventsSubscription | undefined, event: ReservationLiveEventsSubscription) => {
      const changed = event.reservationEvents.reservation;
      if (changed.id === id && changed.version > shownVersion) own.event(changed.version);
      return event;
    },
    [id, shownVersion, own],
  );
  useSubscription({ query: ReservationLiveEventsDocument }, onEvent);
  useEffect(() => {
    if (foreignVersion !== null) refetch({ requestPolicy: 'network-only' });
  }, [foreignVersion, refetch]);

  const reload = useCallback(async () => {
    const fresh = await client.query(ReservationDocument, { id }, { requestPolicy: 'network-only' }).toPromise();
    const loaded = fresh.data?.reservation;
    if (loaded) setAnswered(loaded);
    return loaded;
  }, [client, id]);

  if (result.error && !reservation) {
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
  if (!reservation) return <DetailSkeleton />;

  return (
    <ReservationView
      reservation={reservation}
      reload={reload}
      onChanged={setAnswered}
      own={own}
      changedElsewhere={foreignVersion !== null}
      onDismissChanged={() => setForeignVersion(null)}
    />
  );
}

function BackLink() {
  const { t } = useTranslation('reservations');
  return (
    <Anchor component={Link} to="/reservations" fz="sm">
      ← {t('detail.back')}
    </Anchor>
  );
}

interface ViewProps {
  reservation: Reservation;
  reload: () => Promise<Reservation | undefined>;
  /** An action changed it: the reservation as the answer gave it. */
  onChanged: (reservation: Reservation) => void;
  own: OwnChanges;
  changedElsewhere: boolean;
  onDismissChanged: () => void;
}

function ReservationView({ reservation, reload, onChanged, own, changedElsewhere, onDismissChanged }: ViewProps) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  const viewer = useViewer();
  const heading = useRef<HTMLHeadingElement>(null);
  const [dialog, setDialog] = useState<ReservationAction | null>(null);
  const [confirming, confirm] = useMutation(ReservationConfirmDocument);
  const [checkingIn, checkIn] = useMutation(ReservationCheckInDocument);
  const { outcome, report, clear } = useActionOutcome();
  const [reloading, setReloading] = useState(false);
  const actions = actionsFor(reservation.state, viewer?.role);
  const guest = reservation.client?.name ?? t('noGuest');

  const done = (after: Reservation, message: string) => {
    onChanged(after);
    setDialog(null);
    clear();
    notifications.show({ color: 'green', message });
    // The button that was pressed may be gone with the old state: the
    // heading takes the focus (and reads the new state's context).
    requestAnimationFrame(() => heading.current?.focus());
  };

  async function step(action: 'confirm' | 'checkIn') {
    clear();
    const vars = { id: reservation.id, version: reservation.version };
    if (action === 'confirm') {
      const result = await own.track(() => confirm(vars), (r) => r.data?.confirmReservation.version);
      if (result.data) done(result.data.confirmReservation, t('done.confirm'));
      else report(result.error);
    } else {
      const result = await own.track(() => checkIn(vars), (r) => r.data?.checkIn.version);
      if (result.data) done(result.data.checkIn, t('done.checkIn'));
      else report(result.error);
    }
  }

  async function reloadNow() {
    setReloading(true);
    await reload();
    setReloading(false);
    clear();
  }

  const dialogProps = {
    reservation,
    own,
    onClose: () => setDialog(null),
    onDone: done,
    onReload: reload,
  };

  return (
    <Stack gap="lg">
      <Stack gap={6}>
        <BackLink />
        <Group justify="space-between" align="flex-start" gap="sm">
          <div style={{ minWidth: 0 }}>
            <Title order={1} ref={heading} tabIndex={-1} style={{ overflowWrap: 'anywhere' }}>
              {guest}
            </Title>
            <Text c="dimmed" fz="sm">
              {reservation.unit.name} · <PeriodLine reservation={reservation} />
            </Text>
          </div>
          <StateBadge state={reservation.state} size="md" />
        </Group>
      </Stack>

      {changedElsewhere ? (
        <Alert color="sea" variant="light" role="status" title={t('live.title')}>
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Text fz="sm">{t('live.body')}</Text>
            <CloseButton aria-label={t('live.dismiss')} onClick={onDismissChanged} />
          </Group>
        </Alert>
      ) : null}

      {actions.length > 0 ? (
        <section aria-label={t('actions.label')}>
          <Group gap="sm" className={classes.actions}>
            {actions.includes('confirm') ? (
              <Button onClick={() => void step('confirm')} loading={confirming.fetching}>
                {t('actions.confirm')}
              </Button>
            ) : null}
            {actions.includes('checkIn') ? (
              <Button onClick={() => void step('checkIn')} loading={checkingIn.fetching}>
                {t('actions.checkIn')}
              </Button>
            ) : null}
            {actions.includes('checkOut') ? <Button onClick={() => setDialog('checkOut')}>{t('actions.checkOut')}</Button> : null}
            {actions.includes('changePeriod') ? (
              <Button variant="default" onClick={() => setDialog('changePeriod')}>
                {t('actions.changePeriod')}
              </Button>
            ) : null}
            {actions.includes('edit') ? (
              <Button variant="default" onClick={() => setDialog('edit')}>
                {t('actions.edit')}
              </Button>
            ) : null}
            {actions.includes('cancel') ? (
              <Button variant="outline" color="red.9" onClick={() => setDialog('cancel')}>
                {t('actions.cancel')}
              </Button>
            ) : null}
          </Group>
          <div style={{ marginTop: 'var(--mantine-spacing-sm)' }}>
            <OutcomeAlert outcome={outcome} onReload={() => void reloadNow()} reloading={reloading} />
          </div>
        </section>
      ) : null}

      {reservation.policyOverride ? <OverrideNotice override={reservation.policyOverride} /> : null}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Panel title={t('detail.stay')}>
          <Facts>
            <Fact label={t('fields.unit')}>{reservation.unit.name}</Fact>
            <StayFacts reservation={reservation} />
            <Fact label={t('fields.guests')}>{reservation.guests}</Fact>
            <Fact label={t('fields.quantity')}>{reservation.quantity}</Fact>
          </Facts>
        </Panel>
        <Panel title={t('detail.guest')}>
          {reservation.client ? (
            <Facts>
              <Fact label={t('fields.name')}>{reservation.client.name}</Fact>
              <Fact label={t('fields.email')}>
                {reservation.client.email ? (
                  <Anchor fz="sm" href={`mailto:${reservation.client.email}`}>{reservation.client.email}</Anchor>
                ) : (
                  t('none')
                )}
              </Fact>
              <Fact label={t('fields.phone')}>
                {reservation.client.phone ? (
                  <Anchor fz="sm" href={`tel:${reservation.client.phone.replace(/[^\d+]/g, '')}`}>{reservation.client.phone}</Anchor>
                ) : (
                  t('none')
                )}
              </Fact>
            </Facts>
          ) : (
            <Text fz="sm" c="dimmed">
              {t('detail.noClient')}
            </Text>
          )}
        </Panel>
        <Panel title={t('detail.price')}>
          <PriceFacts reservation={reservation} />
        </Panel>
        <Panel title={t('detail.record')}>
          <Facts>
            <Fact label={t('fields.state')}>
              <StateBadge state={reservation.state} />
            </Fact>
            <Fact label={t('fields.channel')}>{t(`channel.${reservation.channel}`, { defaultValue: reservation.channel })}</Fact>
            {reservation.holdExpiresAt ? (
              <Fact label={t('fields.holdExpiresAt')}>{format.dateTime(reservation.holdExpiresAt)}</Fact>
            ) : null}
            <Fact label={t('fields.notes')}>
              {reservation.notes ? <span className={classes.pre}>{reservation.notes}</span> : t('none')}
            </Fact>
            <Fact label={t('fields.createdAt')}>{format.dateTime(reservation.createdAt)}</Fact>
            <Fact label={t('fields.updatedAt')}>{format.dateTime(reservation.updatedAt)}</Fact>
            <Fact label={t('fields.version')}>{reservation.version}</Fact>
          </Facts>
        </Panel>
      </SimpleGrid>

      {/* The e-mail log is the admins' (as in the settings). */}
      {mayOverride(viewer?.role) ? <ReservationEmails reservationId={reservation.id} /> : null}

      <AuditHistory reservationId={reservation.id} version={reservation.version} />

      <CancelDialog {...dialogProps} opened={dialog === 'cancel'} />
      <CheckOutDialog {...dialogProps} opened={dialog === 'checkOut'} />
      <EditDialog {...dialogProps} opened={dialog === 'edit'} />
      <ChangePeriodDialog {...dialogProps} opened={dialog === 'changePeriod'} />
    </Stack>
  );
}

function PeriodLine({ reservation }: { reservation: Reservation }) {
  const format = useFormat();
  return reservation.checkIn && reservation.checkOut
    ? format.dateRange(reservation.checkIn, reservation.checkOut)
    : format.instantRange(reservation.start, reservation.end);
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className={classes.panel} aria-label={title}>
      <Title order={2} fz="md" mb="sm">
        {title}
      </Title>
      {children}
    </section>
  );
}

function Facts({ children }: { children: ReactNode }) {
  return <dl className={classes.facts}>{children}</dl>;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Nightly: arrival and departure (date and time) and nights; otherwise start, end and duration. */
function StayFacts({ reservation }: { reservation: Reservation }) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  const nights = nightsOf(reservation);
  const long = { dateStyle: 'full', timeStyle: 'short' } as const;
  if (nights !== null) {
    return (
      <>
        <Fact label={t('fields.checkIn')}>{format.dateTime(reservation.start, long)}</Fact>
        <Fact label={t('fields.checkOut')}>{format.dateTime(reservation.end, long)}</Fact>
        <Fact label={t('fields.nights')}>{nights}</Fact>
      </>
    );
  }
  const { hours, minutes } = durationOf(reservation);
  return (
    <>
      <Fact label={t('fields.start')}>{format.dateTime(reservation.start, long)}</Fact>
      <Fact label={t('fields.end')}>{format.dateTime(reservation.end, long)}</Fact>
      <Fact label={t('fields.duration')}>
        {minutes === 0 ? t('durationHours', { count: hours }) : t('duration', { hours, minutes })}
      </Fact>
    </>
  );
}

function PriceFacts({ reservation }: { reservation: Reservation }) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  return (
    <Stack gap="sm">
      {reservation.lines.length > 0 ? (
        <Table fz="sm" verticalSpacing={4} horizontalSpacing={0} withRowBorders={false}>
          <Table.Tbody>
            {reservation.lines.map((line, index) => (
              <Table.Tr key={`${line.kind}-${index}`}>
                <Table.Th scope="row" fw={400}>
                  {line.label}
                </Table.Th>
                <Table.Td ta="end" style={{ whiteSpace: 'nowrap' }}>
                  {format.money(line.amount)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          {reservation.price ? (
            <Table.Tfoot>
              <Table.Tr style={{ borderTop: '1px solid var(--mantine-color-gray-4)' }}>
                <Table.Th scope="row">{t('fields.total')}</Table.Th>
                <Table.Td ta="end" fw={700} style={{ whiteSpace: 'nowrap' }}>
                  {format.money(reservation.price)}
                </Table.Td>
              </Table.Tr>
            </Table.Tfoot>
          ) : null}
        </Table>
      ) : (
        <Text fz="sm" c="dimmed">
          {reservation.price ? t('fields.totalIs', { total: format.money(reservation.price) }) : t('detail.noPrice')}
        </Text>
      )}
      {reservation.refund ? (
        <Text fz="sm">
          <strong>{t('fields.refund')}:</strong> {format.money(reservation.refund)}
        </Text>
      ) : null}
      {reservation.cancellationRefund ? (
        <Text fz="sm" c="dimmed">
          {t('fields.cancellationRefund', { amount: format.money(reservation.cancellationRefund) })}
        </Text>
      ) : null}
    </Stack>
  );
}

function OverrideNotice({ override }: { override: NonNullable<Reservation['policyOverride']> }) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  return (
    <section className={classes.override} aria-labelledby="override-heading">
      <Title order={2} fz="md" id="override-heading" c={warningColor}>
        ⚠ {t('override.title')}
      </Title>
      <Text fz="sm" mt={4}>
        {override.by
          ? t('override.byAt', { by: override.by, at: format.dateTime(override.at) })
          : t('override.at', { at: format.dateTime(override.at) })}
      </Text>
      <Text fz="sm" mt="xs">
        <strong>{t('override.reason')}:</strong> <span className={classes.pre}>{override.reason}</span>
      </Text>
      {override.violations.length > 0 ? (
        <>
          <Text fz="sm" mt="xs" fw={600}>
            {t('override.rules')}
          </Text>
          <List size="sm" spacing={2}>
            {override.violations.map((violation) => (
              <List.Item key={`${violation.code}:${violation.message}`}>{violation.message}</List.Item>
            ))}
          </List>
        </>
      ) : null}
    </section>
  );
}

function DetailSkeleton() {
  const { t } = useTranslation('reservations');
  const cells = useMemo(() => Array.from({ length: 4 }, (_, i) => i), []);
  return (
    <Stack gap="lg" role="status" aria-label={t('detail.loading')}>
      <Skeleton height={14} width={140} />
      <Skeleton height={32} width="50%" />
      <Skeleton height={36} width="70%" />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        {cells.map((i) => (
          <Skeleton key={i} height={150} radius="md" />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
