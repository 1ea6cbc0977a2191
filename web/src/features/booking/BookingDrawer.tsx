// The new-reservation panel: a drawer from the side (full screen on phones)
// with the unit, the period in the tenant's model shape, guests (and the
// quantity of a unit with several items), the live quote, the guest (found or
// new), notes, and booking or holding.
//
// While it is open the chosen range is locked (use-range-lock.ts); a range
// another user holds is refused in words naming them. Booking sends an
// idempotency key made when the panel opened, so a double click or a retry
// never books twice, and names the lock, which the booking ends. When the
// business's rules refuse the quote and an override can work, admins and
// owners may book anyway with a reason; others see the refusal only.
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Drawer.css';
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/SegmentedControl.css';
import '@mantine/core/styles/NumberInput.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/Radio.css';
import '@mantine/core/styles/SimpleGrid.css';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Divider,
  Drawer,
  Group,
  NumberInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import classes from './booking.module.css';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  BookingCreateReservationDocument,
  BookingQuoteDocument,
  BookingUnitsDocument,
  type CreateReservationInput,
} from '@/gql/graphql';
import { describeError, hasErrorCode } from '@/lib/errors';
import { useTenant, useViewer } from '@/lib/session/session';
import { bookingProblems, isValid, itemsFor, newIdempotencyKey, numberOr, type BookingValues } from './booking-form';
import { clientInput, noClientChosen } from './client';
import { ClientPicker } from './ClientPicker';
import type { NewReservationPanelProps } from './index';
import { LockStatus } from './LockStatus';
import { bookingModel, draftFromPeriod, periodFromDraft } from './period';
import { PeriodFields } from './PeriodFields';
import { mayBook, offersBookAnyway, overrideReasonMax, quoteVerdict, warningColor } from './quote';
import { QuoteSummary } from './QuoteSummary';
import { useRangeLock } from './use-range-lock';
import { useSettled } from './use-settled';

interface DrawerProps extends NewReservationPanelProps {
  /** Which opening this is: each gets a fresh form. */
  opening: number;
  /** The drawer has slid away after closing. */
  onExited: () => void;
}

export default function BookingDrawer({ opened, onClose, initial, onCreated, opening, onExited }: DrawerProps) {
  const { t } = useTranslation('booking');
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  // Mounted closed, opened a frame later: the drawer slides in, and Mantine
  // notes what had the focus, to give it back when the drawer closes.
  const [entered, setEntered] = useState(false);
  useEffect(() => {
    const frame = requestAnimationFrame(() => setEntered(true));
    return () => cancelAnimationFrame(frame);
  }, []);
  return (
    <Drawer
      opened={opened && entered}
      onClose={onClose}
      position="right"
      size={fullScreen ? '100%' : 560}
      padding={fullScreen ? 'md' : 'lg'}
      title={
        <Title order={2} fz="h3" component="span" display="block">
          {t('title')}
        </Title>
      }
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.25 }}
      styles={{ body: { paddingTop: 0 } }}
      onExitTransitionEnd={onExited}
    >
      <BookingForm key={opening} active={opened} initial={initial} onClose={onClose} onCreated={onCreated} />
    </Drawer>
  );
}

type FormProps = Pick<NewReservationPanelProps, 'initial' | 'onClose' | 'onCreated'> & {
  /** False while the drawer slides away: the lock is let go at once. */
  active?: boolean;
};

export function BookingForm({ initial, onClose, onCreated, active = true }: FormProps) {
  const { t } = useTranslation('booking');
  const { t: tc } = useTranslation();
  const tenant = useTenant();
  const viewer = useViewer();
  const model = bookingModel(tenant.model);

  // One key per opening of the panel: a retry or a second click repeats the
  // same booking, which berth answers with the reservation already made.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [values, setValues] = useState<BookingValues>(() => ({
    unitId: initial?.unitId ?? null,
    period: draftFromPeriod(model, initial?.period, tenant.timezone),
    guests: initial?.guests ?? 1,
    quantity: 1,
    client: noClientChosen,
    notes: '',
    hold: false,
    overrideReason: '',
  }));
  const [overriding, setOverriding] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  // The quantity follows the guests (a seat each, or rooms by their size)
  // until the user sets it.
  const [quantityTouched, setQuantityTouched] = useState(false);
  const set = (patch: Partial<BookingValues>) => setValues((before) => ({ ...before, ...patch }));

  const [unitsResult] = useQuery({ query: BookingUnitsDocument });
  const units = useMemo(
    () => (unitsResult.data?.units ?? []).filter((unit) => !unit.archived || unit.id === values.unitId),
    [unitsResult.data, values.unitId],
  );
  // A business with one unit has nothing to choose.
  const onlyUnit = units.length === 1 ? units[0] : undefined;
  const unitId = values.unitId ?? onlyUnit?.id ?? null;
  const unit = units.find((u) => u.id === unitId);
  const inventory = unit?.inventory ?? null;

  const problems = bookingProblems({ ...values, unitId }, model, tenant.timezone, { inventory, overriding });
  const period = periodFromDraft(model, values.period, tenant.timezone);
  const guests = numberOr(values.guests, 0);
  const quantity = numberOr(values.quantity, 0);

  // The quote and the lock follow the inputs once they settle.
  const asked =
    unitId && period && guests >= 1 && quantity >= 1 && (inventory === null || quantity <= inventory)
      ? { unitId, period, guests, quantity }
      : null;
  const { settled, settling } = useSettled(asked);
  const [quoteResult, requote] = useQuery({
    query: BookingQuoteDocument,
    variables: { tenant: tenant.slug, input: settled ?? { unitId: '', period: {}, guests: 1 } },
    pause: !settled,
    requestPolicy: 'cache-and-network',
  });
  const quote = settled ? quoteResult.data?.quote : undefined;
  const quoteStale = settling || quoteResult.fetching || quoteResult.stale;

  const lockTarget = useMemo(
    () => (settled && active ? { unitId: settled.unitId, period: settled.period } : null),
    [settled, active],
  );
  const lock = useRangeLock(lockTarget);

  const [creation, create] = useMutation(BookingCreateReservationDocument);
  const [submitProblem, setSubmitProblem] = useState<string | null>(null);

  const verdict = quote ? quoteVerdict(quote) : null;
  const canOverride = !!quote && offersBookAnyway(quote, viewer?.role);
  // Booking anyway only while the quote still calls for it.
  const overridingNow = overriding && canOverride;
  const allowed = mayBook(viewer?.role);

  const show = (key: string | undefined) => (submitted && key ? t(key) : undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setSubmitProblem(null);
    if (!isValid(problems) || !asked) return;
    if (!quote || quoteStale) return setSubmitProblem('form.waitForQuote');
    if (verdict === 'unavailable') return setSubmitProblem('form.unavailable');
    if (verdict === 'refused' && !overridingNow) {
      return setSubmitProblem(canOverride ? 'form.refusedOverridable' : 'form.refused');
    }
    if (lock.state.status === 'failed' && hasErrorCode(lock.state.error, 'LOCKED')) {
      return setSubmitProblem('form.lockedByOther');
    }
    const input: CreateReservationInput = {
      unitId: asked.unitId,
      period: asked.period,
      guests: asked.guests,
      quantity: asked.quantity,
      ...clientInput(values.client),
      idempotencyKey,
      hold: values.hold,
    };
    if (values.notes.trim()) input.notes = values.notes.trim();
    if (lock.lockId) input.lockId = lock.lockId;
    if (overridingNow) input.overrideReason = values.overrideReason.trim();
    const result = await create({ input });
    const reservation = result.data?.createReservation;
    if (reservation) {
      lock.consumed();
      notifications.show({
        color: 'green',
        message: reservation.state === 'HELD' ? t('createdHeld') : t('created'),
      });
      onCreated?.(reservation.id);
      onClose();
    } else if (result.error && (hasErrorCode(result.error, 'VALIDATION') || hasErrorCode(result.error, 'UNAVAILABLE'))) {
      // The quote was stale: ask again so the panel shows what holds now.
      requote({ requestPolicy: 'network-only' });
    }
  }

  const createProblem = creation.error
    ? describeError(creation.error, tc, {
        VALIDATION: t('errors.VALIDATION'),
        UNAVAILABLE: t('errors.UNAVAILABLE'),
      })
    : null;

  if (viewer && !allowed) {
    return (
      <Alert color="gray" variant="light" title={t('viewerTitle')}>
        {t('viewerBody')}
      </Alert>
    );
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Select
          data-autofocus
          label={t('unit')}
          placeholder={t('unitPlaceholder')}
          data={units.map((u) => ({ value: u.id, label: u.name }))}
          value={unitId}
          onChange={(id) => {
            const next = units.find((u) => u.id === id);
            set({
              unitId: id,
              period: model === 'timeslot' ? { ...values.period, slot: '' } : values.period,
              ...(next && !quantityTouched
                ? { quantity: itemsFor(numberOr(values.guests, 1), next.maxGuests, next.inventory) }
                : {}),
            });
          }}
          error={show(problems.unitId) ?? (unitsResult.error ? t('unitsFailed') : undefined)}
          allowDeselect={false}
          searchable={units.length > 8}
          comboboxProps={{ withinPortal: true }}
          required
        />
        <PeriodFields
          model={model}
          draft={values.period}
          onChange={(draft) => set({ period: draft })}
          problems={submitted ? problems.period : undefined}
          unitId={unitId}
        />
        <SimpleGrid cols={{ base: 1, xs: inventory !== null && inventory > 1 ? 2 : 1 }} spacing="sm" verticalSpacing="sm">
          <NumberInput
            label={t('guests')}
            value={values.guests}
            onChange={(guests) =>
              set({
                guests,
                ...(unit && unit.inventory > 1 && !quantityTouched
                  ? { quantity: itemsFor(numberOr(guests, 1), unit.maxGuests, unit.inventory) }
                  : {}),
              })
            }
            min={1}
            max={unit ? unit.maxGuests * Math.max(quantity, 1) : undefined}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            description={
              unit ? t(unit.inventory > 1 ? `guestsHint.${model}` : 'guestsHint.single', { count: unit.maxGuests }) : undefined
            }
            error={show(problems.guests)}
            required
          />
          {inventory !== null && inventory > 1 ? (
            <NumberInput
              label={t(`quantity.${model}`)}
              value={values.quantity}
              onChange={(quantity) => {
                setQuantityTouched(true);
                set({ quantity });
              }}
              min={1}
              max={inventory}
              allowDecimal={false}
              allowNegative={false}
              clampBehavior="none"
              description={t('quantityHint', { count: inventory })}
              error={show(problems.quantity) ? t(problems.quantity ?? '', { count: inventory }) : undefined}
              required
            />
          ) : null}
        </SimpleGrid>

        <LockStatus state={lock.state} onRetry={lock.retry} />

        <QuoteSummary
          quote={quote}
          incomplete={!asked && !settled}
          stale={quoteStale}
          error={quoteResult.error}
        />

        {canOverride ? (
          <BookAnyway
            overriding={overridingNow}
            onStart={() => setOverriding(true)}
            onStop={() => setOverriding(false)}
            reason={values.overrideReason}
            onReason={(overrideReason) => set({ overrideReason })}
            error={show(problems.overrideReason)}
          />
        ) : null}

        <Divider />

        <ClientPicker
          value={values.client}
          onChange={(client) => set({ client })}
          problems={submitted ? problems.client : undefined}
        />

        <Textarea
          label={t('notes')}
          value={values.notes}
          onChange={(event) => set({ notes: event.currentTarget.value })}
          autosize
          minRows={2}
          maxRows={6}
          error={show(problems.notes)}
        />

        <Radio.Group
          label={t('kind.label')}
          value={values.hold ? 'hold' : 'book'}
          onChange={(kind) => set({ hold: kind === 'hold' })}
        >
          <Stack gap={6} mt={6}>
            <Radio value="book" label={t('kind.book')} />
            <Radio value="hold" label={t('kind.hold')} description={t('kind.holdHint')} />
          </Stack>
        </Radio.Group>

        {submitProblem ? (
          <Alert color="red" variant="light" role="alert">
            {t(submitProblem)}
          </Alert>
        ) : null}
        {submitted && !isValid(problems) ? (
          <Text c="var(--mantine-color-error)" fz="sm" role="alert">
            {t('form.fixFields')}
          </Text>
        ) : null}
        {createProblem ? <ProblemAlert problem={createProblem} title={t('createFailed')} /> : null}

        <Group justify="flex-end" gap="sm" className={classes.actions}>
          <Button variant="default" onClick={onClose} type="button">
            {t('cancel')}
          </Button>
          <Button type="submit" loading={creation.fetching} color={overridingNow ? warningColor : undefined}>
            {overridingNow ? t('override.submit') : values.hold ? t('submitHold') : t('submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface BookAnywayProps {
  overriding: boolean;
  onStart: () => void;
  onStop: () => void;
  reason: string;
  onReason: (reason: string) => void;
  error?: string;
}

/** Admins and owners: set the rules aside, with a reason that is recorded. */
function BookAnyway({ overriding, onStart, onStop, reason, onReason, error }: BookAnywayProps) {
  const { t } = useTranslation('booking');
  if (!overriding) {
    return (
      <Group gap="sm" align="center">
        <Button variant="outline" color={warningColor} onClick={onStart} type="button">
          {t('override.start')}
        </Button>
        <Text fz="sm" c="dimmed" style={{ flex: '1 1 14rem' }}>
          {t('override.hint')}
        </Text>
      </Group>
    );
  }
  return (
    <Stack gap="xs" p="sm" style={{ border: '1px solid var(--mantine-color-orange-5)', borderRadius: 'var(--mantine-radius-md)' }}>
      <Textarea
        label={t('override.reason')}
        description={t('override.reasonHint')}
        value={reason}
        onChange={(event) => onReason(event.currentTarget.value)}
        autosize
        minRows={2}
        maxLength={overrideReasonMax}
        error={error}
        required
        // The user just asked to book anyway: the reason is what comes next.
        autoFocus
      />
      <Group justify="flex-start">
        <Button variant="subtle" size="compact-sm" onClick={onStop} type="button">
          {t('override.stop')}
        </Button>
      </Group>
    </Stack>
  );
}
