// The board, live. One `board` answer is the starting state; from then on
// the events change it in place, with no refetch:
// - `boardEvents`: a reservation created, changed, moved through its states or
//   canceled (the reservation as it is after the event: put in, replaced,
//   or dropped once it no longer touches the range; never replaced by an
//   older version), a staff block made or lifted, or a unit's imported
//   blocks replaced (the one case that reads the board again);
// - `lockEvents`: a lock taken or renewed (put in or replaced), released or
//   expired (dropped). Locks are leases: one whose lease ran out is dropped
//   even if its expiry was never heard (a dropped connection), and one
//   missed while away comes back with its next renewal.
// Timeslot tenants' seats left follow the bookings and blocks of the slot.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import {
  BoardEventsDocument,
  BoardLockEventsDocument,
  type BoardBlockFragment,
  type BoardEventsSubscription,
  type BoardLockEventsSubscription,
  type BoardLockFragment,
  type BoardQuery,
  type BoardReservationFragment,
} from '@/gql/graphql';
import { addDays } from '@/lib/format';
import { startOfDay, toMs } from './time';

export type BoardData = BoardQuery['board'];
export type BoardEvent = BoardEventsSubscription['boardEvents'];
export type LockEvent = BoardLockEventsSubscription['lockEvents'];
export type BoardSlot = BoardData['slots'][number];

/** The states in which a reservation takes capacity. */
export const activeStates: ReadonlySet<string> = new Set(['HELD', 'CONFIRMED', 'CHECKED_IN']);

/** The range of a board as instants: local midnight of `from` to that after `to`. */
export function boardSpan(data: Pick<BoardData, 'from' | 'to'>, timeZone: string): { start: number; end: number } {
  return { start: startOfDay(data.from, timeZone), end: startOfDay(addDays(data.to, 1), timeZone) };
}

function touches(item: { start: string; end: string }, span: { start: number; end: number }): boolean {
  return toMs(item.start) < span.end && toMs(item.end) > span.start;
}

function lockTouches(lock: BoardLockFragment, span: { start: number; end: number }): boolean {
  // A lock on a whole unit or on a reservation shows whatever the range.
  if (!lock.start || !lock.end) return true;
  return touches({ start: lock.start, end: lock.end }, span);
}

function sortByStart<T extends { start: string; id: string }>(list: T[]): T[] {
  return list.sort((a, b) => toMs(a.start) - toMs(b.start) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What applying an event did. */
export interface Applied {
  data: BoardData;
  /** The board must be read again (imported blocks replaced). */
  refetch: boolean;
}

/**
 * Seats taken in a slot: the bookings in it that take capacity, or every
 * seat when a block covers it. (A booking sits in exactly one slot, so the
 * sum is the slot's fullest instant.)
 */
export function slotSeats(
  slot: BoardSlot,
  reservations: readonly BoardReservationFragment[],
  blocks: readonly BoardBlockFragment[],
): BoardSlot {
  const span = { start: toMs(slot.start), end: toMs(slot.end) };
  if (blocks.some((b) => b.unitId === slot.unitId && touches(b, span))) {
    return slot.taken === slot.capacity && slot.left === 0 ? slot : { ...slot, taken: slot.capacity, left: 0 };
  }
  let taken = 0;
  for (const r of reservations) {
    if (r.unit.id === slot.unitId && activeStates.has(r.state) && touches(r, span)) taken += r.quantity;
  }
  taken = Math.min(slot.capacity, taken);
  const left = Math.max(0, slot.capacity - taken);
  return slot.taken === taken && slot.left === left ? slot : { ...slot, taken, left };
}

function recount(data: BoardData, units: ReadonlySet<string>): BoardData['slots'] {
  if (data.slots.length === 0 || units.size === 0) return data.slots;
  return data.slots.map((s) => (units.has(s.unitId) ? slotSeats(s, data.reservations, data.blocks) : s));
}

/** The board after a `boardEvents` event. */
export function applyBoardEvent(data: BoardData, event: BoardEvent, timeZone: string): Applied {
  const span = boardSpan(data, timeZone);
  switch (event.kind) {
    case 'RESERVATION_CREATED':
    case 'RESERVATION_CHANGED':
    case 'RESERVATION_STATE_CHANGED':
    case 'RESERVATION_CANCELED': {
      const next = event.reservation;
      if (!next) return { data, refetch: false };
      const index = data.reservations.findIndex((r) => r.id === next.id);
      const before = index >= 0 ? data.reservations[index] : undefined;
      // An event older than what the board shows changes nothing.
      if (before && before.version > next.version) return { data, refetch: false };
      const reservations = data.reservations.filter((r) => r.id !== next.id);
      if (touches(next, span)) reservations.push(next);
      if (!before && !touches(next, span)) return { data, refetch: false };
      const changed = { ...data, reservations: sortByStart(reservations) };
      const units = new Set([next.unit.id, ...(before ? [before.unit.id] : [])]);
      return { data: { ...changed, slots: recount(changed, units) }, refetch: false };
    }
    case 'BLOCK_CREATED': {
      const block = event.block;
      if (!block || !touches(block, span)) return { data, refetch: false };
      const blocks = sortByStart([...data.blocks.filter((b) => b.id !== block.id), block]);
      const changed = { ...data, blocks };
      return { data: { ...changed, slots: recount(changed, new Set([block.unitId])) }, refetch: false };
    }
    case 'BLOCK_REMOVED': {
      const id = event.block?.id;
      if (!id || !data.blocks.some((b) => b.id === id)) return { data, refetch: false };
      const changed = { ...data, blocks: data.blocks.filter((b) => b.id !== id) };
      return { data: { ...changed, slots: recount(changed, new Set([event.unitId])) }, refetch: false };
    }
    case 'BLOCKS_REPLACED':
      return { data, refetch: true };
    default:
      return { data, refetch: false };
  }
}

/** The board after a `lockEvents` event. */
export function applyLockEvent(data: BoardData, event: LockEvent, timeZone: string): BoardData {
  const lock = event.lock;
  switch (event.kind) {
    case 'ACQUIRED':
    case 'RENEWED': {
      const others = data.locks.filter((l) => l.id !== lock.id);
      if (!lockTouches(lock, boardSpan(data, timeZone))) {
        return others.length === data.locks.length ? data : { ...data, locks: others };
      }
      return { ...data, locks: [...others, lock] };
    }
    case 'RELEASED':
    case 'EXPIRED':
      return data.locks.some((l) => l.id === lock.id) ? { ...data, locks: data.locks.filter((l) => l.id !== lock.id) } : data;
    default:
      return data;
  }
}

/** The board without the locks whose lease ran out by `now` (the server's clock, ms). */
export function dropExpiredLocks(data: BoardData, now: number): BoardData {
  const live = data.locks.filter((l) => toMs(l.expiresAt) > now);
  return live.length === data.locks.length ? data : { ...data, locks: live };
}

/** The first lease to run out after `now`, if any (ms). */
export function nextExpiry(data: BoardData, now: number): number | undefined {
  let next: number | undefined;
  for (const l of data.locks) {
    const at = toMs(l.expiresAt);
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}

// --- The hook -----------------------------------------------------------

/** A live event as it came, for replaying over a newer answer. */
export type LiveEvent = { type: 'board'; event: BoardEvent } | { type: 'lock'; event: LockEvent };

/** The board state: the last answer with every event since applied. */
export interface LiveBoard {
  data: BoardData | undefined;
  /** The board must be read again (imported blocks replaced; a resume refused). */
  stale: number;
}

/**
 * Where a `boardEvents` subscription resumes. Its `variables` read `after`
 * when they are sent: the WebSocket client sends them again when it
 * reconnects, so a reconnected subscription resumes after the last event
 * this board applied, and the server replays what was missed.
 */
export class ResumePoint {
  private cursor: string | null = null;
  /** The subscription's variables (one object for the subscription's life). */
  readonly variables: { after?: string };

  constructor() {
    const variables = {};
    Object.defineProperty(variables, 'after', { enumerable: true, get: () => this.cursor ?? undefined });
    this.variables = variables;
  }

  /** The last event applied. */
  advance(cursor: string): void {
    this.cursor = cursor;
  }

  /** Start after a board answer's cursor, unless events were applied already. */
  seed(cursor: string): void {
    this.cursor ??= cursor;
  }

  /** Whether there is a position to resume from. */
  get placed(): boolean {
    return this.cursor !== null;
  }

  /** Follow from now (the next subscription). */
  reset(): void {
    this.cursor = null;
  }
}

/** The events of the last minute, replayed over every new answer. */
const replayWindowMs = 60_000;

interface LiveState {
  /** The answer the state started from. */
  base: BoardData | undefined;
  data: BoardData | undefined;
  /** Recent events (received at `at`, ms). */
  log: { at: number; item: LiveEvent }[];
}

function applyLive(data: BoardData, item: LiveEvent, timeZone: string): BoardData {
  return item.type === 'board' ? applyBoardEvent(data, item.event, timeZone).data : applyLockEvent(data, item.event, timeZone);
}

/** An answer with the recent events replayed over it, in order. */
export function replay(answer: BoardData, log: readonly { item: LiveEvent }[], timeZone: string): BoardData {
  let data = answer;
  for (const { item } of log) data = applyLive(data, item, timeZone);
  return data;
}

/**
 * The board of `answer` (the `board` query's data), kept live. The events of
 * the last minute are replayed over every new answer, in order, so an answer
 * computed before an event does not undo it (reservations never go back to an
 * older version; blocks and locks come and go in the order they did).
 */
export function useLiveBoard(answer: BoardData | undefined, timeZone: string): LiveBoard & { serverNow: () => number } {
  const [state, setState] = useState<LiveState>({ base: undefined, data: undefined, log: [] });
  const [stale, setStale] = useState(0);
  // The server's clock minus ours, from live lock events (leases are the server's).
  const skew = useRef(0);
  const serverNow = useCallback(() => Date.now() + skew.current, []);

  // boardEvents start after the first answer's cursor (every change the
  // answer misses comes after it), and resume after the last cursor applied
  // when the socket reconnects.
  const [resume] = useState(() => new ResumePoint());
  const [paused, setPaused] = useState(false);
  const [placed, setPlaced] = useState(false);
  if (answer && !placed) {
    resume.seed(answer.cursor);
    setPlaced(true);
  }

  // A new answer: the starting state, with the recent events replayed over it.
  if (answer !== state.base) {
    setState((s) => ({ ...s, base: answer, data: answer ? replay(answer, s.log, timeZone) : undefined }));
  }

  const receive = useCallback(
    (item: LiveEvent) => {
      const now = Date.now();
      if (item.type === 'lock') {
        const at = toMs(item.event.at);
        if (Number.isFinite(at)) skew.current = at - now;
      }
      setState((s) => {
        const log = [...s.log.filter((e) => now - e.at < replayWindowMs), { at: now, item }];
        return { ...s, log, data: s.data ? applyLive(s.data, item, timeZone) : s.data };
      });
      if (item.type === 'board' && item.event.kind === 'BLOCKS_REPLACED') setStale((n) => n + 1);
    },
    [timeZone],
  );

  const onBoardEvent = useCallback(
    (_: unknown, next: BoardEventsSubscription) => {
      resume.advance(next.boardEvents.cursor);
      receive({ type: 'board', event: next.boardEvents });
      return next;
    },
    [receive, resume],
  );
  const [boardEvents] = useSubscription(
    { query: BoardEventsDocument, variables: resume.variables, pause: paused || !placed },
    onBoardEvent,
  );
  // A resume the server refused (its events were pruned) or a stream that
  // failed: read the board again and follow from now (a new subscription).
  const failed = boardEvents.error;
  useEffect(() => {
    if (!failed) return;
    let restart: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      resume.reset();
      setStale((n) => n + 1);
      setPaused(true);
      restart = setTimeout(() => setPaused(false), 0);
    }, 1000);
    return () => {
      clearTimeout(timer);
      clearTimeout(restart);
    };
  }, [failed, resume]);

  const onLockEvent = useCallback(
    (_: unknown, next: BoardLockEventsSubscription) => {
      receive({ type: 'lock', event: next.lockEvents });
      return next;
    },
    [receive],
  );
  useSubscription({ query: BoardLockEventsDocument }, onLockEvent);

  // Leases that ran out without an event (a lost connection) are dropped.
  const data = state.data;
  useEffect(() => {
    if (!data) return;
    const now = serverNow();
    const next = nextExpiry(data, now);
    if (next === undefined) return;
    // A second of grace: the holder's renewal may be on its way.
    const timer = setTimeout(
      () => setState((s) => (s.data ? { ...s, data: dropExpiredLocks(s.data, serverNow() - 1000) } : s)),
      Math.max(0, next - now + 1000),
    );
    return () => clearTimeout(timer);
  }, [data, serverNow]);

  return { data, stale, serverNow };
}
