// Live merge of events into the board: reservations created, changed,
// canceled, moved out of the range, older versions ignored; staff blocks
// made and lifted; imported blocks replaced (read again); locks acquired,
// renewed, released and expired; leases run out; seats left of slots; an
// answer with recent events replayed over it; and the resumable variables.
import { describe, expect, it } from 'vitest';
import type { BoardBlockFragment, BoardLockFragment, BoardReservationFragment } from '@/gql/graphql';
import {
  ResumePoint,
  applyBoardEvent,
  applyLockEvent,
  dropExpiredLocks,
  nextExpiry,
  replay,
  slotSeats,
  type BoardData,
  type BoardEvent,
  type LiveEvent,
  type LockEvent,
} from './live';

const tz = 'Europe/Zurich';

function reservation(id: string, over: Partial<BoardReservationFragment> = {}): BoardReservationFragment {
  return {
    id,
    state: 'CONFIRMED',
    start: '2026-12-24T14:00:00Z',
    end: '2026-12-27T09:00:00Z',
    checkIn: '2026-12-24',
    checkOut: '2026-12-27',
    guests: 2,
    quantity: 1,
    version: 1,
    holdExpiresAt: null,
    price: { amount: 90000, currency: 'CHF' },
    unit: { id: 'u1' },
    client: { id: 'c1', name: 'Ana Ruiz' },
    ...over,
  };
}

function block(id: string, over: Partial<BoardBlockFragment> = {}): BoardBlockFragment {
  return {
    id,
    unitId: 'u1',
    source: '@staff',
    start: '2026-12-28T14:00:00Z',
    end: '2026-12-30T09:00:00Z',
    firstDay: '2026-12-28',
    endDay: '2026-12-30',
    reason: 'Maintenance',
    createdBy: 'ana@alpine.example',
    manual: true,
    ...over,
  };
}

function lock(id: string, over: Partial<BoardLockFragment> = {}): BoardLockFragment {
  return {
    id,
    unitId: 'u1',
    reservationId: null,
    start: '2026-12-22T14:00:00Z',
    end: '2026-12-24T09:00:00Z',
    acquiredAt: '2026-12-06T10:00:00Z',
    expiresAt: '2026-12-06T10:00:30Z',
    holder: { userId: 'user-a', displayName: 'ana@alpine.example' },
    ...over,
  };
}

function board(over: Partial<BoardData> = {}): BoardData {
  return {
    from: '2026-12-20',
    to: '2027-01-02',
    truncated: false,
    cursor: '1-0',
    units: [{ id: 'u1', name: 'Birch Cabin', kind: 'cabin', inventory: 1, maxGuests: 4 }],
    reservations: [reservation('r1')],
    blocks: [],
    locks: [],
    slots: [],
    openHours: [],
    ...over,
  };
}

let seq = 0;
function event(kind: BoardEvent['kind'], over: Partial<BoardEvent> = {}): BoardEvent {
  seq += 1;
  return { cursor: `1-${seq}`, id: `e${seq}`, kind, at: '2026-12-06T10:00:00Z', unitId: 'u1', reservation: null, block: null, ...over };
}

function lockEvent(kind: LockEvent['kind'], l: BoardLockFragment): LockEvent {
  return { kind, at: '2026-12-06T10:00:00Z', lock: l };
}

describe('reservation events', () => {
  it('a new booking appears, in start order', () => {
    const early = reservation('r0', { start: '2026-12-21T14:00:00Z', end: '2026-12-23T09:00:00Z', checkIn: '2026-12-21', checkOut: '2026-12-23' });
    const { data, refetch } = applyBoardEvent(board(), event('RESERVATION_CREATED', { reservation: early }), tz);
    expect(data.reservations.map((r) => r.id)).toEqual(['r0', 'r1']);
    expect(refetch).toBe(false);
  });

  it('a change replaces the booking; an older version changes nothing', () => {
    const moved = reservation('r1', { version: 3, checkIn: '2026-12-25', start: '2026-12-25T14:00:00Z' });
    const changed = applyBoardEvent(board(), event('RESERVATION_CHANGED', { reservation: moved }), tz).data;
    expect(changed.reservations).toEqual([moved]);
    const stale = reservation('r1', { version: 2, state: 'CHECKED_IN' });
    expect(applyBoardEvent(changed, event('RESERVATION_STATE_CHANGED', { reservation: stale }), tz).data).toBe(changed);
  });

  it('a cancellation keeps the booking, canceled', () => {
    const canceled = reservation('r1', { version: 2, state: 'CANCELED' });
    const { data } = applyBoardEvent(board(), event('RESERVATION_CANCELED', { reservation: canceled }), tz);
    expect(data.reservations.map((r) => [r.id, r.state])).toEqual([['r1', 'CANCELED']]);
  });

  it('a booking moved out of the range leaves it; one outside it is ignored', () => {
    const away = reservation('r1', { version: 2, start: '2027-02-01T14:00:00Z', end: '2027-02-03T09:00:00Z', checkIn: '2027-02-01', checkOut: '2027-02-03' });
    const initial = board();
    const moved = applyBoardEvent(initial, event('RESERVATION_CHANGED', { reservation: away }), tz).data;
    expect(moved.reservations).toEqual([]);
    const elsewhere = reservation('r9', { start: '2027-02-01T14:00:00Z', end: '2027-02-03T09:00:00Z' });
    expect(applyBoardEvent(initial, event('RESERVATION_CREATED', { reservation: elsewhere }), tz).data).toBe(initial);
  });

  it('the range is the tenant’s days: a booking ending at local midnight of the first date is outside', () => {
    // Zurich midnight starting 2026-12-20 is 2026-12-19T23:00Z.
    const before = reservation('r2', { start: '2026-12-19T20:00:00Z', end: '2026-12-19T23:00:00Z', checkIn: null, checkOut: null });
    const initial = board();
    expect(applyBoardEvent(initial, event('RESERVATION_CREATED', { reservation: before }), tz).data).toBe(initial);
    const touching = reservation('r3', { start: '2026-12-19T20:00:00Z', end: '2026-12-19T23:30:00Z', checkIn: null, checkOut: null });
    expect(applyBoardEvent(initial, event('RESERVATION_CREATED', { reservation: touching }), tz).data.reservations.map((r) => r.id)).toEqual(['r3', 'r1']);
  });
});

describe('block events', () => {
  it('a staff block appears and is lifted', () => {
    const made = applyBoardEvent(board(), event('BLOCK_CREATED', { block: block('b1') }), tz).data;
    expect(made.blocks.map((b) => b.id)).toEqual(['b1']);
    // The same event twice (a replay) changes nothing more.
    expect(applyBoardEvent(made, event('BLOCK_CREATED', { block: block('b1') }), tz).data.blocks).toHaveLength(1);
    const lifted = applyBoardEvent(made, event('BLOCK_REMOVED', { block: block('b1') }), tz).data;
    expect(lifted.blocks).toEqual([]);
    expect(applyBoardEvent(lifted, event('BLOCK_REMOVED', { block: block('b1') }), tz).data).toBe(lifted);
  });

  it('imported blocks replaced: the board is read again', () => {
    const initial = board();
    expect(applyBoardEvent(initial, event('BLOCKS_REPLACED'), tz)).toEqual({ data: initial, refetch: true });
  });
});

describe('lock events', () => {
  it('a lock taken appears; renewed, it is replaced; released or expired, it goes', () => {
    const taken = applyLockEvent(board(), lockEvent('ACQUIRED', lock('l1')), tz);
    expect(taken.locks.map((l) => l.holder.displayName)).toEqual(['ana@alpine.example']);
    const renewed = applyLockEvent(taken, lockEvent('RENEWED', lock('l1', { expiresAt: '2026-12-06T10:01:00Z' })), tz);
    expect(renewed.locks.map((l) => l.expiresAt)).toEqual(['2026-12-06T10:01:00Z']);
    expect(applyLockEvent(renewed, lockEvent('RELEASED', lock('l1')), tz).locks).toEqual([]);
    expect(applyLockEvent(renewed, lockEvent('EXPIRED', lock('l1')), tz).locks).toEqual([]);
  });

  it('a renewal heard without the acquisition brings the lock (missed while away)', () => {
    expect(applyLockEvent(board(), lockEvent('RENEWED', lock('l1')), tz).locks).toHaveLength(1);
  });

  it('locks elsewhere are not shown; whole-unit and reservation locks are', () => {
    const initial = board();
    const far = lock('far', { start: '2027-03-01T14:00:00Z', end: '2027-03-03T09:00:00Z' });
    expect(applyLockEvent(initial, lockEvent('ACQUIRED', far), tz)).toBe(initial);
    const whole = lock('whole', { start: null, end: null });
    const onReservation = lock('res', { start: null, end: null, reservationId: 'r1' });
    const data = applyLockEvent(applyLockEvent(initial, lockEvent('ACQUIRED', whole), tz), lockEvent('ACQUIRED', onReservation), tz);
    expect(data.locks.map((l) => l.id)).toEqual(['whole', 'res']);
  });

  it('leases that ran out are dropped by the clock', () => {
    const data = board({ locks: [lock('a', { expiresAt: '2026-12-06T10:00:30Z' }), lock('b', { expiresAt: '2026-12-06T10:05:00Z' })] });
    const now = Date.parse('2026-12-06T10:01:00Z');
    expect(nextExpiry(data, now)).toBe(Date.parse('2026-12-06T10:05:00Z'));
    expect(dropExpiredLocks(data, now).locks.map((l) => l.id)).toEqual(['b']);
    expect(dropExpiredLocks(data, Date.parse('2026-12-06T09:00:00Z'))).toBe(data);
  });
});

describe('seats left in slots', () => {
  const slot = { unitId: 'tour', start: '2026-12-22T13:00:00Z', end: '2026-12-22T16:00:00Z', capacity: 20, taken: 6, left: 14 };
  const seat = (id: string, quantity: number, state = 'CONFIRMED') =>
    reservation(id, { unit: { id: 'tour' }, start: slot.start, end: slot.end, checkIn: null, checkOut: null, quantity, state: state as BoardReservationFragment['state'] });

  it('follow the bookings that take capacity', () => {
    expect(slotSeats(slot, [seat('a', 2), seat('b', 4), seat('c', 5, 'CANCELED')], [])).toMatchObject({ taken: 6, left: 14 });
    const data = board({ slots: [slot], reservations: [seat('a', 2), seat('b', 4)] });
    const { data: after } = applyBoardEvent(data, event('RESERVATION_CREATED', { unitId: 'tour', reservation: seat('c', 3) }), tz);
    expect(after.slots[0]).toMatchObject({ taken: 9, left: 11 });
    const { data: canceled } = applyBoardEvent(after, event('RESERVATION_CANCELED', { unitId: 'tour', reservation: seat('b', 4, 'CANCELED') }), tz);
    expect(canceled.slots[0]).toMatchObject({ taken: 5, left: 15 });
  });

  it('are none under a block, and come back when it is lifted', () => {
    const data = board({ slots: [slot], reservations: [seat('a', 6)] });
    const b = block('b', { unitId: 'tour', start: '2026-12-22T07:00:00Z', end: '2026-12-23T07:00:00Z', firstDay: null, endDay: null });
    const blocked = applyBoardEvent(data, event('BLOCK_CREATED', { unitId: 'tour', block: b }), tz).data;
    expect(blocked.slots[0]).toMatchObject({ taken: 20, left: 0 });
    const lifted = applyBoardEvent(blocked, event('BLOCK_REMOVED', { unitId: 'tour', block: b }), tz).data;
    expect(lifted.slots[0]).toMatchObject({ taken: 6, left: 14 });
  });
});

describe('a new answer with the recent events replayed over it', () => {
  it('does not undo what happened after it was computed', () => {
    const log: { item: LiveEvent }[] = [
      { item: { type: 'board', event: event('RESERVATION_CHANGED', { reservation: reservation('r1', { version: 2, state: 'CHECKED_IN' }) }) } },
      { item: { type: 'board', event: event('BLOCK_CREATED', { block: block('b1') }) } },
      { item: { type: 'board', event: event('BLOCK_REMOVED', { block: block('b1') }) } },
      { item: { type: 'lock', event: lockEvent('ACQUIRED', lock('l1')) } },
    ];
    // An answer from before the events.
    const old = replay(board(), log, tz);
    expect(old.reservations.map((r) => [r.version, r.state])).toEqual([[2, 'CHECKED_IN']]);
    expect(old.blocks).toEqual([]);
    expect(old.locks.map((l) => l.id)).toEqual(['l1']);
    // An answer from after them, which already has a later version: kept.
    const newer = board({ reservations: [reservation('r1', { version: 3, state: 'FINISHED' })] });
    expect(replay(newer, log, tz).reservations.map((r) => r.state)).toEqual(['FINISHED']);
  });
});

describe('resuming after a reconnect', () => {
  it('sends the cursor of the last event applied, read when the variables are sent', () => {
    const resume = new ResumePoint();
    const sent = () => JSON.stringify({ type: 'subscribe', payload: { variables: resume.variables } });
    expect(sent()).toBe('{"type":"subscribe","payload":{"variables":{}}}');
    resume.advance('42-7');
    expect(sent()).toBe('{"type":"subscribe","payload":{"variables":{"after":"42-7"}}}');
    resume.reset();
    expect(JSON.parse(sent())).toEqual({ type: 'subscribe', payload: { variables: {} } });
  });

  it('starts after the board answer’s cursor, unless events were applied already', () => {
    const resume = new ResumePoint();
    expect(resume.placed).toBe(false);
    resume.seed('40-1');
    expect(resume.placed).toBe(true);
    expect(resume.variables.after).toBe('40-1');
    resume.advance('42-7');
    resume.seed('41-0');
    expect(resume.variables.after).toBe('42-7');
  });
});
