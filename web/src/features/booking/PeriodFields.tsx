// The period's inputs in the shape of the tenant's model: check-in and
// check-out dates (nightly); a date and one of that day's slots, with the
// seats left (timeslot); start and end, each a date and a time (interval).
// Native date and time inputs: labelled, typed or picked, on phones too.
import { Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { BookingSlotsDocument } from '@/gql/graphql';
import { addDays } from '@/lib/format';
import { useTenant } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { draftNights, type BookingModel, type PeriodDraft, type PeriodProblems } from './period';

export interface PeriodFieldsProps {
  model: BookingModel;
  draft: PeriodDraft;
  onChange: (draft: PeriodDraft) => void;
  /** What is wrong, per field (`booking` keys); shown as the fields' errors. */
  problems?: PeriodProblems;
  /** The unit (timeslot: whose slots to offer). */
  unitId: string | null;
  disabled?: boolean;
}

/**
 * Interval times are offered in quarter hours; the business's own grid (the
 * policy's granularity, not in the API) is the quote's to enforce, in words.
 */
const intervalStepSeconds = 900;

export function PeriodFields({ model, draft, onChange, problems = {}, unitId, disabled }: PeriodFieldsProps) {
  const { t } = useTranslation('booking');
  const error = (field: keyof PeriodDraft) => (problems[field] ? t(problems[field]) : undefined);

  if (model === 'nightly') {
    const nights = draftNights(draft);
    return (
      <div>
        <Group grow align="flex-start" gap="sm" wrap="nowrap">
          <TextInput
            type="date"
            required
            label={t('period.checkIn')}
            value={draft.checkIn}
            disabled={disabled}
            error={error('checkIn')}
            onChange={(event) => {
              const checkIn = event.currentTarget.value;
              // A departure before the new arrival moves to the next day.
              const keep = draft.checkOut && checkIn && draft.checkOut > checkIn;
              onChange({ ...draft, checkIn, checkOut: keep || !checkIn ? draft.checkOut : safeAddDays(checkIn, 1) });
            }}
          />
          <TextInput
            type="date"
            required
            label={t('period.checkOut')}
            value={draft.checkOut}
            min={draft.checkIn ? safeAddDays(draft.checkIn, 1) : undefined}
            disabled={disabled}
            error={error('checkOut')}
            onChange={(event) => onChange({ ...draft, checkOut: event.currentTarget.value })}
          />
        </Group>
        {nights !== null ? (
          <Text fz="sm" c="dimmed" mt={4}>
            {t('period.nights', { count: nights })}
          </Text>
        ) : null}
      </div>
    );
  }

  if (model === 'timeslot') {
    return (
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="sm">
        <TextInput
          type="date"
          required
          label={t('period.date')}
          value={draft.date}
          disabled={disabled}
          error={error('date')}
          onChange={(event) => onChange({ ...draft, date: event.currentTarget.value, slot: '' })}
        />
        <SlotSelect
          unitId={unitId}
          date={draft.date}
          value={draft.slot}
          disabled={disabled}
          error={error('slot')}
          onChange={(slot) => onChange({ ...draft, slot })}
        />
      </SimpleGrid>
    );
  }

  return (
    <Stack gap="sm">
      <Group grow align="flex-start" gap="sm" wrap="nowrap">
        <TextInput
          type="date"
          required
          label={t('period.startDate')}
          value={draft.date}
          disabled={disabled}
          error={error('date')}
          onChange={(event) => {
            const date = event.currentTarget.value;
            onChange({ ...draft, date, endDate: draft.endDate && draft.endDate >= date ? draft.endDate : date });
          }}
        />
        <TextInput
          type="time"
          required
          step={intervalStepSeconds}
          label={t('period.startTime')}
          value={draft.startTime}
          disabled={disabled}
          error={error('startTime')}
          onChange={(event) => onChange({ ...draft, startTime: event.currentTarget.value })}
        />
      </Group>
      <Group grow align="flex-start" gap="sm" wrap="nowrap">
        <TextInput
          type="date"
          required
          label={t('period.endDate')}
          value={draft.endDate}
          min={draft.date || undefined}
          disabled={disabled}
          error={error('endDate')}
          onChange={(event) => onChange({ ...draft, endDate: event.currentTarget.value })}
        />
        <TextInput
          type="time"
          required
          step={intervalStepSeconds}
          label={t('period.endTime')}
          value={draft.endTime}
          disabled={disabled}
          error={error('endTime')}
          onChange={(event) => onChange({ ...draft, endTime: event.currentTarget.value })}
        />
      </Group>
    </Stack>
  );
}

function safeAddDays(date: string, days: number): string {
  try {
    return addDays(date, days);
  } catch {
    return '';
  }
}

interface SlotSelectProps {
  unitId: string | null;
  date: string;
  value: string;
  disabled?: boolean;
  error?: string;
  onChange: (slot: string) => void;
}

/** The unit's slots on the date, each with the seats left. */
function SlotSelect({ unitId, date, value, disabled, error, onChange }: SlotSelectProps) {
  const { t } = useTranslation('booking');
  const tenant = useTenant();
  const format = useFormat();
  const ready = !!unitId && /^\d{4}-\d{2}-\d{2}$/.test(date);
  const [result] = useQuery({
    query: BookingSlotsDocument,
    variables: { tenant: tenant.slug, unitId: unitId ?? '', date },
    pause: !ready,
    requestPolicy: 'cache-and-network',
  });
  const slots = ready ? (result.data?.slots ?? []) : [];
  const data = slots.map((slot) => ({
    value: slot.start,
    label: t('period.slotOption', {
      time: format.instantRange(slot.start, slot.end, { timeStyle: 'short' }),
      free: slot.free,
      capacity: slot.capacity,
    }),
    disabled: slot.free === 0 && slot.start !== value,
  }));
  // A slot chosen elsewhere (the board) that the day's list does not hold.
  const loaded = ready && !!result.data;
  if (loaded && value && !data.some((option) => option.value === value)) {
    data.unshift({ value, label: format.time(value), disabled: false });
  }
  const description = !unitId
    ? t('period.slotNeedsUnit')
    : !ready
      ? t('period.slotNeedsDate')
      : result.fetching && slots.length === 0
        ? t('period.slotsLoading')
        : slots.length === 0
          ? t('period.noSlots')
          : undefined;
  return (
    <Select
      // Mantine shows the label the value had when it was set: a new list
      // (another day, the answer arriving) draws the field anew.
      key={loaded ? `${unitId}:${date}` : 'loading'}
      required
      label={t('period.slot')}
      placeholder={t('period.slotPlaceholder')}
      data={data}
      value={value || null}
      onChange={(slot) => onChange(slot ?? '')}
      disabled={disabled || !ready}
      description={description}
      error={error ?? (result.error ? t('period.slotsFailed') : undefined)}
      allowDeselect={false}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
