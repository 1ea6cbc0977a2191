// In-app messages: which events become one, their words, and the user's own actions left out.
import { describe, expect, it } from 'vitest';
import { formatDateRange, formatInstantRange } from '@/lib/format';
import { messageFor, messageSubject, OwnActions, viewedReservation, type ReservationEventItem } from './messages';

function event(over: Partial<ReservationEventItem> = {}, reservation: Partial<ReservationEventItem['reservation']> = {}): ReservationEventItem {
  return {
    id: 'e1',
    kind: 'CREATED',
    at: '2026-12-06T10:00:00Z',
    ...over,
    reservation: {
      id: 'r1',
      state: 'CONFIRMED',
      start: '2026-12-12T14:00:00Z',
      end: '2026-12-15T09:00:00Z',
      checkIn: '2026-12-12',
      checkOut: '2026-12-15',
      guests: 2,
      version: 1,
      channel: 'admin',
      unit: { id: 'u1', name: 'Birch Cabin' },
      client: { id: 'c1', name: 'Heidi Keller' },
      ...reservation,
    },
  };
}

const allOn = { reservationCreated: true, reservationChanged: true, reservationCanceled: true, noShow: true, lockConflict: true, emailNewRequest: false, emailCanceled: false, emailNoShow: false };

const format = (locale: string, timeZone = 'Europe/Zurich') => ({
  dateRange: (a: string, b: string, o?: Intl.DateTimeFormatOptions) => formatDateRange(a, b, locale, o),
  instantRange: (a: string, b: string, o?: Intl.DateTimeFormatOptions) => formatInstantRange(a, b, locale, timeZone, o),
});

describe('messageFor', () => {
  it('names the kind of each event worth a message', () => {
    expect(messageFor(event(), allOn)?.kind).toBe('created');
    expect(messageFor(event({}, { state: 'HELD' }), allOn)?.kind).toBe('held');
    expect(messageFor(event({}, { state: 'HELD', channel: 'public' }), allOn)?.kind).toBe('request');
    expect(messageFor(event({ kind: 'CHANGED' }), allOn)?.kind).toBe('changed');
    expect(messageFor(event({ kind: 'CANCELED' }, { state: 'CANCELED' }), allOn)?.kind).toBe('canceled');
    expect(messageFor(event({ kind: 'STATE_CHANGED' }, { state: 'ABSENT' }), allOn)?.kind).toBe('noShow');
    // Confirmations, check-ins and check-outs are the desk's routine: no message.
    expect(messageFor(event({ kind: 'STATE_CHANGED' }, { state: 'CHECKED_IN' }), allOn)).toBeNull();
  });

  it('follows the user’s settings (all on until they are known)', () => {
    expect(messageFor(event(), { ...allOn, reservationCreated: false })).toBeNull();
    expect(messageFor(event({}, { state: 'HELD' }), { ...allOn, reservationCreated: false })).toBeNull();
    expect(messageFor(event({ kind: 'CANCELED' }), { ...allOn, reservationCanceled: false })).toBeNull();
    expect(messageFor(event({ kind: 'STATE_CHANGED' }, { state: 'ABSENT' }), { ...allOn, noShow: false })).toBeNull();
    expect(messageFor(event({ kind: 'CHANGED' }), { ...allOn, reservationCreated: false })?.kind).toBe('changed');
    expect(messageFor(event(), null)?.kind).toBe('created');
  });

  it('leaves out the reservation on screen', () => {
    expect(messageFor(event({ kind: 'CHANGED' }), allOn, 'r1')).toBeNull();
    expect(messageFor(event({ kind: 'CHANGED' }), allOn, 'r2')).not.toBeNull();
    expect(viewedReservation('/admin/reservations/r1')).toBe('r1');
    expect(viewedReservation('/reservations/r%201/')).toBe('r 1');
    expect(viewedReservation('/admin/reservations')).toBeNull();
  });
});

describe('messageSubject', () => {
  it('reads guest, unit and the stay’s dates', () => {
    const message = messageFor(event(), allOn)!;
    // (ICU versions differ in the spaces around the dash.)
    expect(messageSubject(message, format('en-GB'), 'No guest')).toMatch(/^Heidi Keller, Birch Cabin, 12\s?–\s?15 Dec$/);
    expect(messageSubject(message, format('es-ES'), 'Sin huésped')).toMatch(/^Heidi Keller, Birch Cabin, 12\s?–\s?15 dic$/);
  });

  it('reads a slot by its instants in the business’s timezone, and a booking without a guest', () => {
    const message = messageFor(
      event({}, { checkIn: null, checkOut: null, start: '2026-12-12T09:00:00Z', end: '2026-12-12T11:00:00Z', client: null }),
      allOn,
    )!;
    expect(messageSubject(message, format('en-GB'), 'No guest')).toMatch(/^No guest, Birch Cabin, 12 Dec,? 10:00\s?–\s?12:00$/);
  });
});

describe('OwnActions', () => {
  it('knows this window’s changes to a reservation and its bookings, for a minute', () => {
    let now = 1_000_000;
    const own = new OwnActions(60_000, () => now);
    expect(own.isOwn(event({ kind: 'CHANGED' }))).toBe(false);
    own.record({ name: 'ReservationConfirm', variables: { id: 'r1', version: 2 } });
    expect(own.isOwn(event({ kind: 'STATE_CHANGED' }))).toBe(true);
    expect(own.isOwn(event({ kind: 'CHANGED' }, { id: 'r2' }))).toBe(false);
    own.record({ name: 'BookingCreateReservation', variables: { input: { unitId: 'u9', period: { checkIn: '2026-12-12' } } } });
    expect(own.isOwn(event({}, { id: 'r3', unit: { id: 'u9', name: 'Fir' } }))).toBe(true);
    // A booking on that unit by someone else, later than a minute on: theirs.
    now += 61_000;
    expect(own.isOwn(event({}, { id: 'r4', unit: { id: 'u9', name: 'Fir' } }))).toBe(false);
    expect(own.isOwn(event({ kind: 'STATE_CHANGED' }))).toBe(false);
  });

  it('does not take a block of a unit for a booking', () => {
    const own = new OwnActions();
    own.record({ name: 'BoardBlockUnit', variables: { input: { unitId: 'u1' } } });
    expect(own.isOwn(event())).toBe(false);
  });
});
