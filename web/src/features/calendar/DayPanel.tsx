// The day panel: one date's occupancy (overall and per unit) and every
// reservation touching it — unit, guest and contact, interval, guests and
// state — each linking to its reservation screen. Nightly businesses see them
// as arrivals, staying and departures. A drawer from the side; full screen at
// phone width. Escape or the close button closes it.
import { useEffect, useState } from 'react';
import { Anchor, Button, Drawer, Group, Skeleton, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { CalendarDayDocument, type CalendarDayQuery } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { daysBetween, tenantDate } from '@/lib/format';
import { useFormat } from '@/lib/use-format';
import classes from './calendar.module.css';
import { formatAmount, hasCapacity, type CalendarT } from './day-label';
import { heatColors, heatStep, percentOf } from './heatmap-scale';

type Day = CalendarDayQuery['day'];
type DayReservation = Day['reservations'][number];
type Format = ReturnType<typeof useFormat>;

/** Where a nightly reservation stands on a date. */
export type StayPart = 'arrivals' | 'staying' | 'departures';

/** Arrival on its check-in date, departure on its check-out date, staying between. */
export function stayPart(reservation: Pick<DayReservation, 'checkIn' | 'checkOut'>, date: string): StayPart {
  if (reservation.checkIn === date) return 'arrivals';
  if (reservation.checkOut === date) return 'departures';
  return 'staying';
}

const stayParts: readonly StayPart[] = ['arrivals', 'staying', 'departures'];

export interface DayPanelProps {
  /** The open date; undefined when the panel is closed. */
  date: string | undefined;
  /** The tenant's booking model: `nightly`, `timeslot` or `interval`. */
  model: string;
  /** Grows when reservations changed: the open day is fetched again. */
  changes: number;
  onClose: () => void;
}

export function DayPanel({ date, model, changes, onClose }: DayPanelProps) {
  const { t } = useTranslation('calendar');
  const format = useFormat();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  // The date stays drawn while the drawer slides away after closing.
  const [shown, setShown] = useState(date);
  if (date !== undefined && date !== shown) setShown(date);

  // Capitalised as a title (Spanish writes weekdays in lower case).
  const full = shown ? format.date(shown, { dateStyle: 'full' }) : '';
  const title = full.charAt(0).toLocaleUpperCase(format.locale) + full.slice(1);

  return (
    <Drawer
      opened={date !== undefined}
      onClose={onClose}
      position="right"
      size={fullScreen ? '100%' : 480}
      title={
        <Title order={2} fz={fullScreen ? 'h4' : 'h3'} component="span" display="block">
          {title}
        </Title>
      }
      closeButtonProps={{ 'aria-label': t('panel.close') }}
      returnFocus={false}
      padding={fullScreen ? 'md' : 'lg'}
      overlayProps={{ backgroundOpacity: 0.25 }}
      styles={{ body: { paddingTop: 0 } }}
    >
      {shown ? <DayContent date={shown} model={model} changes={changes} active={date !== undefined} /> : null}
    </Drawer>
  );
}

function DayContent({ date, model, changes, active }: { date: string; model: string; changes: number; active: boolean }) {
  const { t } = useTranslation('calendar');
  const { t: tCommon } = useTranslation();
  const format = useFormat();
  const [{ data, error, fetching }, refetch] = useQuery({
    query: CalendarDayDocument,
    variables: { date },
    pause: !active,
  });

  useEffect(() => {
    if (changes > 0 && active) refetch({ requestPolicy: 'network-only' });
  }, [changes, active, refetch]);

  const day = data?.day.date === date ? data.day : undefined;

  if (!day && error) {
    return (
      <Stack gap="sm" mt="md">
        <ProblemAlert problem={describeError(error, tCommon)} title={t('panel.loadFailed')} />
        <Group>
          <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })} loading={fetching}>
            {t('retry')}
          </Button>
        </Group>
      </Stack>
    );
  }

  if (!day) return <DaySkeleton label={t('panel.loading')} />;

  return (
    <Stack gap="lg" mt="xs">
      <DayOccupancy day={day} t={t} format={format} />
      <DayReservations day={day} model={model} t={t} format={format} />
    </Stack>
  );
}

function DaySkeleton({ label }: { label: string }) {
  return (
    <Stack gap="md" mt="md" role="status" aria-live="polite" aria-label={label}>
      <Skeleton height={20} width="45%" />
      <Skeleton height={44} />
      <Skeleton height={14} width="70%" />
      <Skeleton height={20} width="35%" mt="md" />
      {[0, 1, 2].map((i) => (
        <Skeleton key={i} height={92} radius="md" />
      ))}
    </Stack>
  );
}

function measureUnit(t: CalendarT, measure: string): string {
  return t(`measureUnit.${measure}`);
}

function DayOccupancy({ day, t, format }: { day: Day; t: CalendarT; format: Format }) {
  const { occupancy } = day;
  const percent = hasCapacity(occupancy) ? percentOf(occupancy.ratio) : null;
  return (
    <section aria-labelledby="day-occupancy">
      <Title order={3} fz="h4" id="day-occupancy" mb="xs">
        {t('panel.occupancy')}
      </Title>
      {percent === null ? (
        <Text>{t('panel.noCapacity')}</Text>
      ) : (
        <Group gap="sm" align="baseline" wrap="nowrap">
          <Text fz={28} fw={700} lh={1.1} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {percent}%
          </Text>
          <Text>
            {t('panel.overall', {
              occupied: formatAmount(occupancy.occupied, format.locale),
              capacity: formatAmount(occupancy.capacity, format.locale),
              unit: measureUnit(t, day.measure),
            })}
          </Text>
        </Group>
      )}
      {occupancy.units.length > 0 ? (
        <>
          <Title order={4} fz="sm" mt="md" mb={6} c="dimmed">
            {t('panel.byUnit')}
          </Title>
          <Stack component="ul" gap={8} m={0} p={0} style={{ listStyle: 'none' }}>
            {occupancy.units.map((u) => {
              const unitPercent = hasCapacity({ ...u, date: day.date }) ? percentOf(u.ratio) : null;
              const step = heatStep(unitPercent === null ? null : u.ratio);
              return (
                <li key={u.unit.id}>
                  <Group justify="space-between" gap="xs" wrap="nowrap" fz="sm">
                    <Text fz="sm" fw={500} truncate>
                      {u.unit.name}
                    </Text>
                    <Text fz="sm" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                      {unitPercent === null
                        ? t('legend.closed')
                        : `${t('panel.unitFigures', {
                            occupied: formatAmount(u.occupied, format.locale),
                            capacity: formatAmount(u.capacity, format.locale),
                          })} · ${unitPercent}%`}
                    </Text>
                  </Group>
                  <div className={classes.unitBar} aria-hidden="true">
                    <div
                      className={classes.unitBarFill}
                      style={{
                        width: `${Math.min(100, unitPercent ?? 0)}%`,
                        background: step === 0 || step === 1 ? heatColors[2].background : heatColors[step].background,
                      }}
                    />
                  </div>
                </li>
              );
            })}
          </Stack>
        </>
      ) : null}
    </section>
  );
}

function DayReservations({ day, model, t, format }: { day: Day; model: string; t: CalendarT; format: Format }) {
  if (day.reservations.length === 0) {
    return (
      <section aria-labelledby="day-reservations">
        <Title order={3} fz="h4" id="day-reservations" mb="xs">
          {t('panel.reservations')}
        </Title>
        <Stack gap={4} p="lg" bg="gray.0" style={{ borderRadius: 'var(--mantine-radius-md)', textAlign: 'center' }}>
          <Text fw={600}>{t('panel.empty')}</Text>
          <Text fz="sm" c="dimmed">
            {t('panel.emptyHint')}
          </Text>
        </Stack>
      </section>
    );
  }

  if (model !== 'nightly') {
    return (
      <section aria-labelledby="day-reservations">
        <GroupHeading id="day-reservations" label={t('panel.reservations')} count={day.reservations.length} />
        <ReservationList reservations={day.reservations} date={day.date} model={model} t={t} format={format} />
      </section>
    );
  }

  return (
    <Stack gap="lg">
      {stayParts.map((part) => {
        const list = day.reservations.filter((r) => stayPart(r, day.date) === part);
        if (list.length === 0) return null;
        return (
          <section key={part} aria-labelledby={`day-${part}`}>
            <GroupHeading id={`day-${part}`} label={t(`panel.${part}`)} count={list.length} />
            <ReservationList reservations={list} date={day.date} model={model} t={t} format={format} />
          </section>
        );
      })}
    </Stack>
  );
}

function GroupHeading({ id, label, count }: { id: string; label: string; count: number }) {
  return (
    <Title order={3} fz="h4" id={id} mb="xs">
      {label}{' '}
      <Text component="span" c="dimmed" fz="md" fw={500}>
        ({count})
      </Text>
    </Title>
  );
}

function ReservationList(props: { reservations: DayReservation[]; date: string; model: string; t: CalendarT; format: Format }) {
  return (
    <ul className={classes.reservationList}>
      {props.reservations.map((r) => (
        <ReservationItem key={r.id} reservation={r} {...props} />
      ))}
    </ul>
  );
}

/** A phone number as a `tel:` address: digits and a leading +. */
export function telHref(phone: string): string {
  const trimmed = phone.trim();
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${trimmed.replace(/[^\d]/g, '')}`;
}

function ReservationItem({
  reservation: r,
  date,
  model,
  t,
  format,
}: {
  reservation: DayReservation;
  date: string;
  model: string;
  t: CalendarT;
  format: Format;
}) {
  const inactive = r.state === 'CANCELED' || r.state === 'ABSENT';
  const guest = r.client?.name ?? t('panel.noClient');
  const year = date.slice(0, 4);
  const dateOptions = (d: string): Intl.DateTimeFormatOptions =>
    d.slice(0, 4) === year
      ? { weekday: 'short', day: 'numeric', month: 'short' }
      : { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };

  return (
    <li className={classes.reservation} data-inactive={inactive}>
      <Group justify="space-between" align="flex-start" gap="xs" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Anchor component={Link} to={`/reservations/${encodeURIComponent(r.id)}`} fw={700} style={{ overflowWrap: 'anywhere' }}>
            {guest}
          </Anchor>
          <Text fz="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            <VisuallyHidden component="span">{t('panel.unit')}: </VisuallyHidden>
            {r.unit.name}
          </Text>
        </div>
        <span className={classes.stateBadge} data-state={r.state}>
          {t(`state.${r.state}`)}
        </span>
      </Group>
      <dl className={classes.facts}>
        {model === 'nightly' && r.checkIn && r.checkOut ? (
          <>
            <div>
              <dt>{t('panel.checkIn')}</dt>
              <dd>{format.date(r.checkIn, dateOptions(r.checkIn))}</dd>
            </div>
            <div>
              <dt>{t('panel.checkOut')}</dt>
              <dd>{format.date(r.checkOut, dateOptions(r.checkOut))}</dd>
            </div>
            <div>
              <dd>{t('panel.nights', { count: daysBetween(r.checkIn, r.checkOut) })}</dd>
            </div>
          </>
        ) : (
          <div>
            <dt>{t('panel.time')}</dt>
            <dd>{periodText(r, date, format)}</dd>
          </div>
        )}
        <div>
          <dd>{t('panel.guests', { count: r.guests })}</dd>
        </div>
        {r.quantity > 1 ? (
          <div>
            <dd>{t(`panel.quantity.${['nightly', 'timeslot', 'interval'].includes(model) ? model : 'interval'}`, { count: r.quantity })}</dd>
          </div>
        ) : null}
      </dl>
      {r.state === 'HELD' && r.holdExpiresAt ? (
        <Text fz="xs" c="dimmed" mt={4}>
          {t('panel.holdExpires', { when: format.dateTime(r.holdExpiresAt, { dateStyle: 'medium', timeStyle: 'short' }) })}
        </Text>
      ) : null}
      {r.client?.email || r.client?.phone ? (
        <Group gap="4px 16px" mt={6}>
          {r.client.email ? (
            <Anchor href={`mailto:${r.client.email}`} fz="sm" className={classes.contact}>
              <ContactIcon kind="email" />
              <VisuallyHidden component="span">{t('panel.email')}: </VisuallyHidden>
              <span style={{ overflowWrap: 'anywhere' }}>{r.client.email}</span>
            </Anchor>
          ) : null}
          {r.client.phone ? (
            <Anchor href={telHref(r.client.phone)} fz="sm" className={classes.contact} style={{ whiteSpace: 'nowrap' }}>
              <ContactIcon kind="phone" />
              <VisuallyHidden component="span">{t('panel.phone')}: </VisuallyHidden>
              {r.client.phone}
            </Anchor>
          ) : null}
        </Group>
      ) : null}
    </li>
  );
}

function ContactIcon({ kind }: { kind: 'email' | 'phone' }) {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {kind === 'email' ? (
        <>
          <rect x="3" y="5" width="18" height="14" rx="2" />
          <path d="M3 7l9 6 9-6" />
        </>
      ) : (
        <path d="M5 4h4l2 5-2.5 1.5a11 11 0 005 5L15 13l5 2v4a2 2 0 01-2 2A16 16 0 013 6a2 2 0 012-2" />
      )}
    </svg>
  );
}

/**
 * A timeslot or interval reservation's period in the tenant's timezone: the
 * times alone when it starts and ends on the panel's date (`06:00 – 09:00`),
 * otherwise with the dates.
 */
function periodText(r: Pick<DayReservation, 'start' | 'end'>, date: string, format: Format): string {
  const sameDay =
    tenantDate(format.timeZone, new Date(r.start)) === date && tenantDate(format.timeZone, new Date(r.end)) === date;
  return sameDay
    ? format.instantRange(r.start, r.end, { hour: 'numeric', minute: '2-digit' })
    : format.instantRange(r.start, r.end, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' });
}
