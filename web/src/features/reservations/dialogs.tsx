// The reservation screen's dialogs. Each sends the version the user saw when
// it opened; a stale edit (CONFLICT) says so and offers to reload, after which
// the dialog works on the reloaded reservation.
//   - Cancel: a reason, and the refund the policy gives now, before confirming.
//   - Check out: asks first (it finishes the reservation for good).
//   - Change period: the new quote (`quoteChange`) before applying it, the new
//     range locked while the dialog is open; admins may apply it anyway.
//   - Change notes or client.
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, Group, Modal, NumberInput, Stack, Text, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import {
  ReservationCancelDocument,
  ReservationChangePeriodDocument,
  ReservationCheckOutDocument,
  ReservationQuoteChangeDocument,
  ReservationUpdateDocument,
  type ReservationDetailFragment,
  type UpdateReservationInput,
} from '@/gql/graphql';
import {
  bookingModel,
  ClientSearch,
  draftFromPeriod,
  LockStatus,
  offersBookAnyway,
  overrideReasonMax,
  PeriodFields,
  periodFromDraft,
  periodProblems,
  QuoteSummary,
  quoteVerdict,
  useRangeLock,
  useSettled,
  warningColor,
} from '@/features/booking';
import { useTenant, useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { OutcomeAlert } from './OutcomeAlert';
import type { OwnChanges } from './own-changes';
import { useActionOutcome } from './use-action';

type Reservation = ReservationDetailFragment;

interface DialogProps {
  reservation: Reservation;
  opened: boolean;
  onClose: () => void;
  /** The change went through: the reservation as it is now. */
  onDone: (reservation: Reservation, message: string) => void;
  /** Reload the reservation (after a stale edit). */
  onReload: () => Promise<Reservation | undefined>;
  /** Records the versions the screen's own actions make. */
  own: OwnChanges;
}

function Dialog({ opened, onClose, title, children }: { opened: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const { t } = useTranslation('reservations');
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{title}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeButtonProps={{ 'aria-label': t('dialog.close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {children}
    </Modal>
  );
}

/**
 * The version the dialog acts on — what the user saw when it opened, or after
 * reloading — and the reload a stale edit offers (it clears the outcome).
 */
function useSeenVersion(reservation: Reservation, onReload: DialogProps['onReload'], clear: () => void) {
  const [version, setVersion] = useState(reservation.version);
  const [reloading, setReloading] = useState(false);
  async function reload() {
    setReloading(true);
    const fresh = await onReload();
    setReloading(false);
    if (fresh) setVersion(fresh.version);
    clear();
  }
  return { version, reloading, reload };
}

export function CancelDialog(props: DialogProps) {
  const { t } = useTranslation('reservations');
  return (
    <Dialog opened={props.opened} onClose={props.onClose} title={t('cancel.title')}>
      {props.opened ? <CancelForm {...props} /> : null}
    </Dialog>
  );
}

function CancelForm({ reservation, onClose, onDone, onReload, own }: DialogProps) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [state, cancel] = useMutation(ReservationCancelDocument);
  const { outcome, report, clear } = useActionOutcome();
  const { version, reloading, reload } = useSeenVersion(reservation, onReload, clear);
  const reasonError = submitted && !reason.trim() ? t('cancel.reasonRequired') : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    clear();
    if (!reason.trim()) return;
    const result = await own.track(() => cancel({ id: reservation.id, reason: reason.trim(), version }), (r) => r.data?.cancelReservation.version);
    if (result.data) onDone(result.data.cancelReservation, t('done.cancel'));
    else report(result.error);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Text fz="sm">{t('cancel.body', { guest: reservation.client?.name ?? t('noGuest') })}</Text>
        <Alert color={reservation.cancellationRefund ? 'sea' : 'gray'} variant="light" title={t('cancel.refundTitle')}>
          <Text fz="sm">
            {reservation.cancellationRefund
              ? t('cancel.refund', { amount: format.money(reservation.cancellationRefund) })
              : t('cancel.noRefund')}
          </Text>
          {reservation.price ? (
            <Text fz="sm" c="dimmed" mt={4}>
              {t('cancel.paid', { amount: format.money(reservation.price) })}
            </Text>
          ) : null}
        </Alert>
        <Textarea
          label={t('cancel.reason')}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          required
          autosize
          minRows={2}
          maxLength={1000}
          error={reasonError}
          data-autofocus
        />
        <OutcomeAlert outcome={outcome} onReload={() => void reload()} reloading={reloading} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel.keep')}
          </Button>
          <Button type="submit" color="red.9" loading={state.fetching}>
            {t('cancel.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function CheckOutDialog(props: DialogProps) {
  const { t } = useTranslation('reservations');
  return (
    <Dialog opened={props.opened} onClose={props.onClose} title={t('checkOut.title')}>
      {props.opened ? <CheckOutForm {...props} /> : null}
    </Dialog>
  );
}

function CheckOutForm({ reservation, onClose, onDone, onReload, own }: DialogProps) {
  const { t } = useTranslation('reservations');
  const [state, checkOut] = useMutation(ReservationCheckOutDocument);
  const { outcome, report, clear } = useActionOutcome();
  const { version, reloading, reload } = useSeenVersion(reservation, onReload, clear);

  async function submit() {
    clear();
    const result = await own.track(() => checkOut({ id: reservation.id, version }), (r) => r.data?.checkOut.version);
    if (result.data) onDone(result.data.checkOut, t('done.checkOut'));
    else report(result.error);
  }

  return (
    <Stack gap="md">
      <Text fz="sm">{t('checkOut.body', { guest: reservation.client?.name ?? t('noGuest') })}</Text>
      <OutcomeAlert outcome={outcome} onReload={() => void reload()} reloading={reloading} />
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} data-autofocus>
          {t('checkOut.keep')}
        </Button>
        <Button onClick={() => void submit()} loading={state.fetching}>
          {t('checkOut.submit')}
        </Button>
      </Group>
    </Stack>
  );
}

export function EditDialog(props: DialogProps) {
  const { t } = useTranslation('reservations');
  return (
    <Dialog opened={props.opened} onClose={props.onClose} title={t('edit.title')}>
      {props.opened ? <EditForm {...props} /> : null}
    </Dialog>
  );
}

/** The longest notes the API takes. */
const notesMax = 4000;

function EditForm({ reservation, onClose, onDone, onReload, own }: DialogProps) {
  const { t } = useTranslation('reservations');
  const [notes, setNotes] = useState(reservation.notes ?? '');
  const [clientId, setClientId] = useState<string | null>(reservation.client?.id ?? null);
  const [state, update] = useMutation(ReservationUpdateDocument);
  const { outcome, report, clear } = useActionOutcome();
  const { version, reloading, reload } = useSeenVersion(reservation, onReload, clear);
  const notesError = notes.length > notesMax ? t('edit.notesTooLong') : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    clear();
    if (notesError) return;
    const input: UpdateReservationInput = {};
    if (notes !== (reservation.notes ?? '')) input.notes = notes;
    if (clientId !== (reservation.client?.id ?? null)) input.clientId = clientId;
    if (Object.keys(input).length === 0) return onClose();
    const result = await own.track(() => update({ id: reservation.id, input, version }), (r) => r.data?.updateReservation.version);
    if (result.data) onDone(result.data.updateReservation, t('done.edit'));
    else report(result.error);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <ClientSearch
          label={t('edit.client')}
          value={clientId}
          onChange={setClientId}
          initialLabel={reservation.client ? clientLabel(reservation.client) : undefined}
        />
        <Textarea
          label={t('edit.notes')}
          value={notes}
          onChange={(event) => setNotes(event.currentTarget.value)}
          autosize
          minRows={3}
          maxRows={10}
          error={notesError}
          data-autofocus
        />
        <OutcomeAlert outcome={outcome} onReload={() => void reload()} reloading={reloading} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('dialog.cancel')}
          </Button>
          <Button type="submit" loading={state.fetching}>
            {t('edit.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function clientLabel(client: NonNullable<Reservation['client']>): string {
  return client.email ? `${client.name} · ${client.email}` : client.name;
}

export function ChangePeriodDialog(props: DialogProps) {
  const { t } = useTranslation('reservations');
  return (
    <Dialog opened={props.opened} onClose={props.onClose} title={t('change.title')}>
      {props.opened ? <ChangePeriodForm {...props} /> : null}
    </Dialog>
  );
}

function ChangePeriodForm({ reservation, onClose, onDone, onReload, own }: DialogProps) {
  const { t } = useTranslation('reservations');
  const tenant = useTenant();
  const viewer = useViewer();
  const model = bookingModel(tenant.model);
  const original = useMemo(
    () =>
      draftFromPeriod(
        model,
        reservation.checkIn && reservation.checkOut
          ? { checkIn: reservation.checkIn, checkOut: reservation.checkOut }
          : { start: reservation.start, end: model === 'interval' ? reservation.end : undefined },
        tenant.timezone,
      ),
    [model, reservation, tenant.timezone],
  );
  const [draft, setDraft] = useState(original);
  const [guests, setGuests] = useState<number | string>(reservation.guests);
  const [quantity, setQuantity] = useState<number | string>(reservation.quantity);
  const [overriding, setOverriding] = useState(false);
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [submitProblem, setSubmitProblem] = useState<string | null>(null);
  const { outcome, report, clear } = useActionOutcome();
  const { version, reloading, reload } = useSeenVersion(reservation, onReload, clear);

  const period = periodFromDraft(model, draft, tenant.timezone);
  const guestsN = typeof guests === 'number' ? guests : Number.parseInt(guests, 10);
  const quantityN = typeof quantity === 'number' ? quantity : Number.parseInt(quantity, 10);
  const unchanged =
    JSON.stringify(draft) === JSON.stringify(original) && guestsN === reservation.guests && quantityN === reservation.quantity;
  const asked =
    period && Number.isInteger(guestsN) && guestsN >= 1 && Number.isInteger(quantityN) && quantityN >= 1 && !unchanged
      ? { period, guests: guestsN, quantity: quantityN }
      : null;
  const { settled, settling } = useSettled(asked);
  const [quoteResult] = useQuery({
    query: ReservationQuoteChangeDocument,
    variables: { id: reservation.id, period: settled?.period ?? {}, guests: settled?.guests, quantity: settled?.quantity },
    pause: !settled,
    requestPolicy: 'network-only',
  });
  const quote = settled ? quoteResult.data?.quoteChange : undefined;
  const stale = settling || quoteResult.fetching;
  const lockTarget = useMemo(
    () => (settled ? { unitId: reservation.unit.id, period: settled.period } : null),
    [settled, reservation.unit.id],
  );
  const lock = useRangeLock(lockTarget);
  const [changing, change] = useMutation(ReservationChangePeriodDocument);

  const verdict = quote ? quoteVerdict(quote) : null;
  const canOverride = !!quote && offersBookAnyway(quote, viewer?.role);
  const overridingNow = overriding && canOverride;
  const problems = periodProblems(model, draft, tenant.timezone);
  const reasonError = submitted && overridingNow && !reason.trim() ? t('change.reasonRequired') : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setSubmitProblem(null);
    clear();
    if (Object.keys(problems).length > 0) return;
    if (unchanged) return setSubmitProblem('change.unchanged');
    if (!asked || !quote || stale) return setSubmitProblem('change.waitForQuote');
    if (verdict === 'unavailable') return setSubmitProblem('change.unavailable');
    if (verdict === 'refused' && !overridingNow) return setSubmitProblem(canOverride ? 'change.refusedOverridable' : 'change.refused');
    if (overridingNow && !reason.trim()) return;
    const result = await own.track(
      () =>
        change({
        id: reservation.id,
        period: asked.period,
        guests: asked.guests,
        quantity: asked.quantity,
        version,
        lockId: lock.lockId,
        overrideReason: overridingNow ? reason.trim() : null,
      }),
      (r) => r.data?.changeReservationPeriod.version,
    );
    if (result.data) {
      lock.consumed();
      onDone(result.data.changeReservationPeriod, t('done.changePeriod'));
    } else report(result.error);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Text fz="sm" c="dimmed">
          {t('change.body', { unit: reservation.unit.name })}
        </Text>
        <PeriodFields
          model={model}
          draft={draft}
          onChange={setDraft}
          problems={submitted ? problems : undefined}
          unitId={reservation.unit.id}
        />
        <Group grow align="flex-start" gap="sm">
          <NumberInput
            label={t('change.guests')}
            value={guests}
            onChange={setGuests}
            min={1}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            error={submitted && !(guestsN >= 1) ? t('change.guestsAtLeastOne') : undefined}
          />
          {reservation.unit.inventory > 1 ? (
            <NumberInput
              label={t('change.quantity')}
              value={quantity}
              onChange={setQuantity}
              min={1}
              max={reservation.unit.inventory}
              allowDecimal={false}
              allowNegative={false}
              clampBehavior="none"
              error={submitted && !(quantityN >= 1) ? t('change.quantityAtLeastOne') : undefined}
            />
          ) : null}
        </Group>
        <LockStatus state={lock.state} onRetry={lock.retry} />
        <QuoteSummary
          quote={quote}
          incomplete={!asked && !settled}
          stale={stale}
          error={quoteResult.error}
          title={t('change.quoteTitle')}
        />
        {quote?.total && reservation.price ? (
          <Text fz="sm">
            <ChangeDelta before={reservation.price} after={quote.total} />
          </Text>
        ) : null}
        {canOverride ? (
          overridingNow ? (
            <Stack gap="xs" p="sm" style={{ border: '1px solid var(--mantine-color-orange-5)', borderRadius: 'var(--mantine-radius-md)' }}>
              <Textarea
                label={t('change.reason')}
                description={t('change.reasonHint')}
                value={reason}
                onChange={(event) => setReason(event.currentTarget.value)}
                autosize
                minRows={2}
                maxLength={overrideReasonMax}
                error={reasonError}
                required
                // The user just asked to change anyway: the reason comes next.
                autoFocus
              />
              <Group>
                <Button variant="subtle" size="compact-sm" onClick={() => setOverriding(false)}>
                  {t('change.keepRules')}
                </Button>
              </Group>
            </Stack>
          ) : (
            <Group gap="sm">
              <Button variant="outline" color={warningColor} onClick={() => setOverriding(true)}>
                {t('change.anyway')}
              </Button>
              <Text fz="sm" c="dimmed" style={{ flex: '1 1 14rem' }}>
                {t('change.anywayHint')}
              </Text>
            </Group>
          )
        ) : null}
        {submitProblem ? (
          <Alert color="red" variant="light" role="alert">
            {t(submitProblem)}
          </Alert>
        ) : null}
        <OutcomeAlert outcome={outcome} onReload={() => void reload()} reloading={reloading} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('dialog.cancel')}
          </Button>
          <Button type="submit" loading={changing.fetching} color={overridingNow ? warningColor : undefined}>
            {overridingNow ? t('change.submitAnyway') : t('change.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ChangeDelta({ before, after }: { before: { amount: number; currency: string }; after: { amount: number; currency: string } }) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  const diff = after.amount - before.amount;
  if (before.currency !== after.currency) return null;
  const amount = format.money({ amount: Math.abs(diff), currency: after.currency });
  return (
    <>
      {t('change.was', { total: format.money(before) })}{' '}
      {diff === 0 ? t('change.same') : diff > 0 ? t('change.more', { amount }) : t('change.less', { amount })}
    </>
  );
}
