// The board's words and address: bar, lock, block, slot and cell names in
// English and Spanish (the web contract's "a lock shows its holder's display
// name"), and the range kept in the address.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BoardBlockFragment, BoardLockFragment, BoardReservationFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { blockLabel, freeCellLabel, lockLabel, reservationDetails, reservationLabel, slotLabel, slotText, type BoardT } from './labels';
import { boardSearch, changeView, defaultView, readBoardAddress } from './range';

const en = { locale: 'en-CH', timeZone: 'Europe/Zurich' };
const es = { locale: 'es-CH', timeZone: 'Europe/Zurich' };

const stay: BoardReservationFragment = {
  id: 'r1',
  state: 'CONFIRMED',
  start: '2026-12-24T14:00:00Z',
  end: '2026-12-27T09:00:00Z',
  checkIn: '2026-12-24',
  checkOut: '2026-12-27',
  guests: 2,
  quantity: 1,
  version: 1,
  holdExpiresAt: null,
  price: { amount: 123450, currency: 'CHF' },
  unit: { id: 'u2' },
  client: { id: 'c1', name: 'Ana Ruiz' },
};

const lock: BoardLockFragment = {
  id: 'l1',
  unitId: 'u2',
  reservationId: null,
  start: '2026-12-22T14:00:00Z',
  end: '2026-12-24T09:00:00Z',
  acquiredAt: '2026-12-06T13:04:30Z',
  expiresAt: '2026-12-06T13:05:00Z',
  holder: { userId: 'user-ana', displayName: 'ana@alpine-cabins.example.org' },
};

const block: BoardBlockFragment = {
  id: 'b1',
  unitId: 'u2',
  source: '@staff',
  start: '2026-12-28T14:00:00Z',
  end: '2026-12-30T09:00:00Z',
  firstDay: '2026-12-28',
  endDay: '2026-12-30',
  reason: 'Maintenance',
  createdBy: 'ana@alpine-cabins.example.org',
  manual: true,
};

let t: BoardT;
let tEs: BoardT;

beforeAll(async () => {
  await i18n.loadNamespaces('board');
  t = i18n.getFixedT('en', 'board');
  tEs = i18n.getFixedT('es', 'board');
  await i18n.loadLanguages('es');
  await i18n.loadNamespaces('board');
});

describe('names', () => {
  it('a bar: guest, unit, dates, state', () => {
    expect(reservationLabel(stay, 'Cabin 2', 'nightly', en, t)).toBe('Ana Ruiz, Cabin 2, 24–27 Dec, confirmed');
    expect(reservationLabel({ ...stay, state: 'CHECKED_IN', client: null }, 'Cabin 2', 'nightly', en, t)).toBe('No guest named, Cabin 2, 24–27 Dec, checked in');
    expect(reservationLabel(stay, 'Cabaña 2', 'nightly', es, tEs)).toBe('Ana Ruiz, Cabaña 2, 24–27 dic, confirmada');
  });

  it('a bar’s details: guest, dates, nights, guests, total', () => {
    const details = Object.fromEntries(reservationDetails(stay, 'Cabin 2', 'nightly', en, t).map((d) => [d.term, d.value]));
    expect(details).toMatchObject({ Guest: 'Ana Ruiz', Dates: '24–27 Dec', Nights: '3', Guests: '2', State: 'Confirmed' });
    expect(details.Total).toMatch(/^CHF\s1.234\.50$/);
  });

  it('a lock: its holder’s display name and until when (tenant time)', () => {
    expect(lockLabel(lock, 'someone-else', en, t)).toBe('Locked by ana@alpine-cabins.example.org until 14:05');
    expect(lockLabel(lock, 'user-ana', en, t)).toBe('Locked by you until 14:05');
    expect(lockLabel(lock, undefined, es, tEs)).toBe('Bloqueado por ana@alpine-cabins.example.org hasta las 14:05');
  });

  it('a block: its reason, or the calendar it came from', () => {
    expect(blockLabel(block, 'Cabin 2', 'nightly', en, t)).toBe('Blocked (Maintenance), Cabin 2, 28–30 Dec');
    expect(blockLabel({ ...block, manual: false, reason: null, source: 'airbnb' }, 'Cabin 2', 'nightly', en, t)).toBe('Imported from airbnb, Cabin 2, 28–30 Dec');
  });

  it('a slot: its time and seats left; a free cell', () => {
    const slot = { unitId: 't', start: '2026-12-08T13:00:00Z', end: '2026-12-08T16:00:00Z', capacity: 20, taken: 8, left: 12 };
    const denver = { locale: 'en-US', timeZone: 'America/Denver' };
    expect(slotText(slot, denver, t)).toBe('6:00 AM · 12 left');
    expect(slotText({ ...slot, left: 0, taken: 20 }, denver, t)).toBe('6:00 AM · full');
    expect(slotLabel(slot, 'Ridge Hike', denver, t)).toBe('Ridge Hike, Tue, Dec 8, 6:00 AM: 12 of 20 seats left');
    expect(slotText(slot, { locale: 'es-US', timeZone: 'America/Denver' }, tEs)).toMatch(/^6:00\s?a\.\s?m\. · quedan 12$/);
    expect(freeCellLabel('Cabin 2', '2026-12-24', undefined, en, t)).toBe('Cabin 2, Thu, 24 Dec: free');
  });
});

describe('the address', () => {
  const context = { today: '2026-12-24', model: 'nightly' as const, narrow: false };

  it('opens a little before today, 14 days wide (7 on phones; a day for interval tenants)', () => {
    expect(readBoardAddress('', context)).toEqual({ from: '2026-12-22', days: 14, canceled: false });
    expect(readBoardAddress('', { ...context, narrow: true })).toEqual({ from: '2026-12-23', days: 7, canceled: false });
    expect(defaultView('interval', false)).toBe(1);
    expect(readBoardAddress('', { ...context, model: 'interval' }).from).toBe('2026-12-24');
    expect(defaultView('timeslot', false)).toBe(7);
  });

  it('reads and writes the range and view, ignoring nonsense', () => {
    const address = readBoardAddress('?from=2027-02-01&days=30&canceled=1', context);
    expect(address).toEqual({ from: '2027-02-01', days: 30, canceled: true });
    expect(boardSearch(address)).toBe('?from=2027-02-01&days=30&canceled=1');
    expect(readBoardAddress('?from=2027-02-31&days=9', context)).toEqual({ from: '2026-12-22', days: 14, canceled: false });
    // A day is for interval tenants only.
    expect(readBoardAddress('?days=1', context).days).toBe(14);
  });

  it('a new view keeps today (or the range’s anchor) near its start', () => {
    expect(changeView({ from: '2026-12-22', days: 14, canceled: false }, 30, '2026-12-24')).toEqual({ from: '2026-12-21', days: 30, canceled: false });
    expect(changeView({ from: '2027-03-08', days: 14, canceled: false }, 7, '2026-12-24')).toEqual({ from: '2027-03-09', days: 7, canceled: false });
  });
});
