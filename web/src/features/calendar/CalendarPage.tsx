// The calendar, berth's home screen: the month's occupancy as a heatmap (one
// `occupancy` request per month), and a day's reservations in the day panel.
// The month and the open day are in the address (`?month=2026-12&day=2026-12-24`),
// so a reload or a shared link shows the same. Reservation events make the
// month, and the open day, fetch again.
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Drawer.css';
import '@mantine/core/styles/Skeleton.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ActionIcon, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { CalendarMonthDocument } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useTenant } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { DayPanel } from './DayPanel';
import { HeatmapLegend } from './HeatmapLegend';
import { useReservationChanges } from './live';
import { MonthHeatmap } from './MonthHeatmap';
import { addMonths, firstDayOfWeek, monthOf, monthRange, parseDay, parseMonth, type Month } from './month';

/** What the calendar's address says: the month shown and the open day. */
export interface CalendarAddress {
  month: Month;
  day: string | undefined;
}

/**
 * The month and day of the address's query (`?month=2026-12&day=2026-12-24`):
 * the month asked for, else the open day's, else today's. Nonsense is ignored.
 */
export function readAddress(search: string, today: string): CalendarAddress {
  const params = new URLSearchParams(search);
  const day = parseDay(params.get('day'));
  const month = parseMonth(params.get('month')) ?? monthOf(day ?? today);
  return { month, day };
}

/** The query of an address (`?month=2026-12&day=2026-12-24`). */
export function addressSearch({ month, day }: CalendarAddress): string {
  const params = new URLSearchParams({ month });
  if (day) params.set('day', day);
  return `?${params.toString()}`;
}

/** The day in the tab order when the user has not moved: the open day, today, or the 1st. */
function defaultFocus(month: Month, day: string | undefined, today: string): string {
  if (day && monthOf(day) === month) return day;
  if (monthOf(today) === month) return today;
  return `${month}-01`;
}

/** History state of an address that opened the day panel (closing goes back). */
interface PanelState {
  dayPanel?: boolean;
}

function Chevron({ direction }: { direction: 'left' | 'right' }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={direction === 'left' ? 'M15 6l-6 6 6 6' : 'M9 6l6 6-6 6'} />
    </svg>
  );
}

function capitalize(text: string, locale: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

export default function CalendarPage() {
  const { t } = useTranslation('calendar');
  const { t: tCommon } = useTranslation();
  const tenant = useTenant();
  const format = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  usePageTitle(t('title'));

  const today = format.today();
  const { month, day } = readAddress(location.search, today);
  const firstDay = useMemo(() => firstDayOfWeek(format.locale), [format.locale]);
  const { from, to } = monthRange(month);

  const [{ data, error, fetching }, refetch] = useQuery({ query: CalendarMonthDocument, variables: { from, to } });
  const changes = useReservationChanges();
  useEffect(() => {
    if (changes > 0) refetch({ requestPolicy: 'network-only' });
  }, [changes, refetch]);

  const occupancy = data?.occupancy.from === from ? data.occupancy : undefined;
  const days = useMemo(() => (occupancy ? new Map(occupancy.days.map((d) => [d.date, d])) : undefined), [occupancy]);
  const measure = occupancy?.measure ?? ({ nightly: 'NIGHTS', timeslot: 'SEAT_HOURS', interval: 'ITEM_HOURS' } as const)[tenant.model as 'nightly'] ?? 'NIGHTS';

  const [focus, setFocus] = useState<string>();
  const focusDate = focus && monthOf(focus) === month ? focus : defaultFocus(month, day, today);

  const grid = useRef<HTMLDivElement>(null);
  // When the panel closes (its button, Escape, the browser's Back), the day
  // it showed takes the focus again.
  const lastDay = useRef(day);
  useEffect(() => {
    const closed = lastDay.current;
    lastDay.current = day;
    if (closed && !day) {
      grid.current?.querySelector<HTMLButtonElement>(`button[data-date="${closed}"]`)?.focus();
    }
  }, [day]);

  function showMonth(next: Month) {
    void navigate({ search: addressSearch({ month: next, day: undefined }) }, { replace: true });
  }

  function openDay(date: string) {
    setFocus(date);
    const state: PanelState = { dayPanel: true };
    void navigate({ search: addressSearch({ month: monthOf(date), day: date }) }, { state });
  }

  function closeDay() {
    if (day) setFocus(day);
    if ((location.state as PanelState | null)?.dayPanel) {
      void navigate(-1);
    } else {
      void navigate({ search: addressSearch({ month, day: undefined }) }, { replace: true });
    }
  }

  function onNavigate(date: string) {
    setFocus(date);
    if (monthOf(date) !== month) showMonth(monthOf(date));
  }

  const heading = capitalize(format.date(`${month}-01`, { month: 'long', year: 'numeric' }), format.locale);

  return (
    <Stack gap="md" maw={1200}>
      <Group justify="space-between" align="center" gap="sm">
        <Title order={1} fz={{ base: 'h2', sm: 'h1' }} id="calendar-month" aria-live="polite">
          {heading}
        </Title>
        <Group gap={6} role="group" aria-label={t('monthNavigation')} wrap="nowrap">
          <ActionIcon variant="default" size="lg" aria-label={t('previousMonth')} onClick={() => showMonth(addMonths(month, -1))}>
            <Chevron direction="left" />
          </ActionIcon>
          <Button
            variant="default"
            onClick={() => {
              setFocus(today);
              showMonth(monthOf(today));
            }}
          >
            {t('today')}
          </Button>
          <ActionIcon variant="default" size="lg" aria-label={t('nextMonth')} onClick={() => showMonth(addMonths(month, 1))}>
            <Chevron direction="right" />
          </ActionIcon>
        </Group>
      </Group>

      <Text c="dimmed" fz="sm" mt={-8}>
        {t(`measure.${measure}`)}
      </Text>

      {error && !occupancy ? (
        <Stack gap="xs">
          <ProblemAlert problem={describeError(error, tCommon)} title={t('loadFailed')} />
          <Group>
            <Button variant="default" loading={fetching} onClick={() => refetch({ requestPolicy: 'network-only' })}>
              {t('retry')}
            </Button>
          </Group>
        </Stack>
      ) : null}

      <div ref={grid}>
        <MonthHeatmap
          month={month}
          today={today}
          firstDay={firstDay}
          days={days}
          loading={fetching && !occupancy}
          focusDate={focusDate}
          locale={format.locale}
          t={t}
          labelledBy="calendar-month"
          describedBy="calendar-keys"
          onOpen={openDay}
          onNavigate={onNavigate}
        />
      </div>

      <HeatmapLegend t={t} />
      <Text id="calendar-keys" fz="xs" c="dimmed">
        {t('keyboardHint')}
      </Text>

      <DayPanel date={day} model={tenant.model} changes={changes} onClose={closeDay} />
    </Stack>
  );
}
