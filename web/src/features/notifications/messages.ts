// In-app messages: which reservation events become a message while the app is
// open, and their words ("New reservation" — "Heidi Keller, Birch Cabin,
// 12–15 Dec"). The user's notification settings apply as they do to push; the
// user's own actions are left out (see OwnActions).
import type { InAppReservationEventsSubscription, NotificationSettingsFieldsFragment } from '@/gql/graphql';

export type ReservationEventItem = InAppReservationEventsSubscription['reservationEvents'];

/** The message's kind (its title's key, `inApp.<kind>`). */
export type MessageKind = 'created' | 'held' | 'request' | 'changed' | 'canceled' | 'noShow';

/** What a message says, before words. */
export interface Message {
  kind: MessageKind;
  reservationId: string;
  guest: string | null;
  unit: string;
  period: { start: string; end: string; checkIn: string | null; checkOut: string | null };
}

/** The setting that switches a message kind on or off. */
const settingOf: Record<MessageKind, keyof Omit<NotificationSettingsFieldsFragment, '__typename'>> = {
  created: 'reservationCreated',
  held: 'reservationCreated',
  request: 'reservationCreated',
  changed: 'reservationChanged',
  canceled: 'reservationCanceled',
  noShow: 'noShow',
};

/**
 * The message an event becomes, or null: not a kind of message (a
 * confirmation, a check-in), switched off in `settings` (null: not known yet,
 * everything on as the server's default), or about the reservation the user
 * is looking at (its screen shows the change itself).
 */
export function messageFor(
  event: ReservationEventItem,
  settings: NotificationSettingsFieldsFragment | null | undefined,
  viewing: string | null = null,
): Message | null {
  const r = event.reservation;
  let kind: MessageKind | null = null;
  // A guest's request from the public site is a hold on the public channel.
  if (event.kind === 'CREATED') kind = r.state !== 'HELD' ? 'created' : r.channel === 'public' ? 'request' : 'held';
  else if (event.kind === 'CHANGED') kind = 'changed';
  else if (event.kind === 'CANCELED') kind = 'canceled';
  else if (event.kind === 'STATE_CHANGED' && r.state === 'ABSENT') kind = 'noShow';
  if (!kind) return null;
  if (settings && !settings[settingOf[kind]]) return null;
  if (viewing === r.id) return null;
  return {
    kind,
    reservationId: r.id,
    guest: r.client?.name ?? null,
    unit: r.unit.name,
    period: { start: r.start, end: r.end, checkIn: r.checkIn, checkOut: r.checkOut },
  };
}

/** The formatters the words need (a part of useFormat()). */
export interface MessageFormat {
  dateRange(from: string, to: string, options?: Intl.DateTimeFormatOptions): string;
  instantRange(start: string, end: string, options?: Intl.DateTimeFormatOptions): string;
}

/** "Heidi Keller, Birch Cabin, 12–15 Dec" (a stay) or "…, 12 Dec, 10:00–12:00" (a slot). */
export function messageSubject(message: Message, format: MessageFormat, noGuest: string): string {
  const { period } = message;
  const when =
    period.checkIn && period.checkOut
      ? format.dateRange(period.checkIn, period.checkOut, { day: 'numeric', month: 'short' })
      : format.instantRange(period.start, period.end, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return [message.guest ?? noGuest, message.unit, when].join(', ');
}

/** The reservation id in an address of the app (`/admin/reservations/:id`), if any. */
export function viewedReservation(pathname: string): string | null {
  const match = /\/reservations\/([^/?#]+)\/?$/.exec(pathname);
  return match ? decodeURIComponent(match[1]!) : null;
}

/** A mutation this window sent, as far as OwnActions needs it. */
export interface SentMutation {
  name: string | null;
  variables: unknown;
}

function strings(value: unknown, into: Set<string>, depth = 0): Set<string> {
  if (depth > 6) return into;
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, into, depth + 1);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, into, depth + 1);
  return into;
}

/**
 * The user's own actions, told apart from others' without the API's help
 * (reservation events do not say who acted): an event is the user's own when
 * this window sent, within `windowMs` before it, a mutation naming the
 * reservation (its id among the variables: confirm, cancel, change), or — for
 * a new reservation — a reservation mutation naming its unit (a booking).
 */
export class OwnActions {
  private sent: { at: number; reservation: boolean; values: Set<string> }[] = [];
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(windowMs = 60_000, now: () => number = Date.now) {
    this.windowMs = windowMs;
    this.now = now;
  }

  /** A mutation went out from this window. */
  record(mutation: SentMutation): void {
    const at = this.now();
    this.sent = this.sent.filter((s) => at - s.at <= this.windowMs);
    this.sent.push({ at, reservation: /reservation/i.test(mutation.name ?? ''), values: strings(mutation.variables, new Set()) });
  }

  /** Whether the event reports something this window just did. */
  isOwn(event: ReservationEventItem): boolean {
    const at = this.now();
    const r = event.reservation;
    return this.sent.some(
      (s) =>
        at - s.at <= this.windowMs &&
        (s.values.has(r.id) || (event.kind === 'CREATED' && s.reservation && s.values.has(r.unit.id))),
    );
  }
}
