// Words for what the board shows: each bar's accessible name (who, where,
// when, what state), its details (the tooltip), locks ("Locked by … until
// 14:05"), blocks and slots. Pure functions of the data, the formatters and
// the translation function, so they are tested in both languages.
import type { BoardBlockFragment, BoardLockFragment, BoardReservationFragment } from '@/gql/graphql';
import { daysBetween } from '@/lib/format';
import { formatDate, formatDateRange, formatInstantRange, formatMoney, formatTime } from './intl';
import type { Model } from './layout';
import type { BoardSlot } from './live';
import { localDate } from './time';

export type BoardT = (key: string, options?: Record<string, unknown>) => string;

/** The formatting the labels need: the locale and the tenant's time zone. */
export interface LabelFormat {
  locale: string;
  timeZone: string;
}

const shortDate: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
const weekdayDate: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };

/** A reservation's dates: `24–27 Dec` (nightly), `Tue 8 Dec, 06:00` (timeslot), `8 Dec, 10:00–13:00` (interval). */
export function reservationWhen(r: Pick<BoardReservationFragment, 'start' | 'end' | 'checkIn' | 'checkOut'>, model: Model, f: LabelFormat): string {
  if (model === 'nightly' && r.checkIn && r.checkOut) return formatDateRange(r.checkIn, r.checkOut, f.locale, shortDate);
  if (model === 'timeslot') {
    return `${formatDate(localDate(r.start, f.timeZone), f.locale, weekdayDate)}, ${formatTime(r.start, f.locale, f.timeZone)}`;
  }
  return formatInstantRange(r.start, r.end, f.locale, f.timeZone, { ...shortDate, hour: '2-digit', minute: '2-digit' });
}

/** The guest's name, or words saying there is none. */
export function guestName(r: Pick<BoardReservationFragment, 'client'>, t: BoardT): string {
  return r.client?.name ?? t('bar.noGuest');
}

/** `Ana Ruiz, Cabin 2, 24–27 Dec, confirmed`. */
export function reservationLabel(r: BoardReservationFragment, unitName: string, model: Model, f: LabelFormat, t: BoardT): string {
  return t('bar.reservation', {
    guest: guestName(r, t),
    unit: unitName,
    when: reservationWhen(r, model, f),
    state: t(`state.${r.state}`).toLocaleLowerCase(f.locale),
  });
}

/** The tooltip's lines of a reservation: guest, dates, nights, guests, total, state. */
export function reservationDetails(r: BoardReservationFragment, unitName: string, model: Model, f: LabelFormat, t: BoardT): { term: string; value: string }[] {
  const lines = [
    { term: t('details.guest'), value: guestName(r, t) },
    { term: t('details.unit'), value: unitName },
    { term: model === 'nightly' ? t('details.dates') : t('details.when'), value: reservationWhen(r, model, f) },
  ];
  if (model === 'nightly' && r.checkIn && r.checkOut) {
    lines.push({ term: t('details.nights'), value: String(daysBetween(r.checkIn, r.checkOut)) });
  }
  lines.push({ term: t('details.guests'), value: String(r.guests) });
  if (r.quantity > 1) lines.push({ term: model === 'timeslot' ? t('details.seats') : t('details.items'), value: String(r.quantity) });
  lines.push({ term: t('details.total'), value: r.price ? formatMoney(r.price, f.locale) : '—' });
  lines.push({ term: t('details.state'), value: t(`state.${r.state}`) });
  return lines;
}

/** Whose lock: the holder's display name, or "you" for this user. */
export function lockHolder(lock: BoardLockFragment, viewerId: string | undefined, t: BoardT): string {
  return viewerId && lock.holder.userId === viewerId ? t('lock.you') : lock.holder.displayName;
}

/** `Locked by ana@… until 14:05`. */
export function lockLabel(lock: BoardLockFragment, viewerId: string | undefined, f: LabelFormat, t: BoardT): string {
  return t('lock.label', { holder: lockHolder(lock, viewerId, t), time: formatTime(lock.expiresAt, f.locale, f.timeZone) });
}

/** A block's dates: a stay's (all-day, nightly) or its instants. */
export function blockWhen(b: BoardBlockFragment, model: Model, f: LabelFormat): string {
  if (b.firstDay && b.endDay && model === 'nightly') return formatDateRange(b.firstDay, b.endDay, f.locale, shortDate);
  return formatInstantRange(b.start, b.end, f.locale, f.timeZone, { ...shortDate, hour: '2-digit', minute: '2-digit' });
}

/** What a block shows on it: the reason of a staff block, the source of an imported one. */
export function blockText(b: BoardBlockFragment, t: BoardT): string {
  return b.manual ? (b.reason ?? t('block.staff')) : t('block.imported', { source: b.source });
}

/** `Blocked (Maintenance), Birch Cabin, 28–30 Dec`. */
export function blockLabel(b: BoardBlockFragment, unitName: string, model: Model, f: LabelFormat, t: BoardT): string {
  return t(b.manual ? 'block.label' : 'block.importedLabel', {
    reason: b.reason ?? '',
    source: b.source,
    unit: unitName,
    when: blockWhen(b, model, f),
  });
}

/** `06:00 · 12 left` (what a slot line shows). */
export function slotText(slot: BoardSlot, f: LabelFormat, t: BoardT): string {
  const time = formatTime(slot.start, f.locale, f.timeZone);
  return slot.left === 0 ? t('slot.full', { time }) : t('slot.short', { time, count: slot.left });
}

/** `Tue 8 Dec, 06:00: 12 of 20 seats left`. */
export function slotLabel(slot: BoardSlot, unitName: string, f: LabelFormat, t: BoardT): string {
  return t('slot.label', {
    unit: unitName,
    date: formatDate(localDate(slot.start, f.timeZone), f.locale, weekdayDate),
    time: formatTime(slot.start, f.locale, f.timeZone),
    left: slot.left,
    capacity: slot.capacity,
  });
}

/** A free cell: `Birch Cabin, Thu 24 Dec: free` (interval: with the hour). */
export function freeCellLabel(unitName: string, date: string, start: number | undefined, f: LabelFormat, t: BoardT): string {
  const day = formatDate(date, f.locale, weekdayDate);
  const when = start === undefined ? day : `${day} ${formatTime(new Date(start), f.locale, f.timeZone)}`;
  return t('cell.free', { unit: unitName, when });
}
