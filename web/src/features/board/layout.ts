// The board's geometry as pure functions: where each reservation, block and
// lock sits in its unit's row, in which lane, and how tall each row is.
//
// The x axis is measured in day columns: 0 is the start of the range's first
// date, `days` the end of its last, whatever the column's width in pixels.
// - nightly: a stay runs from its check-in afternoon to its check-out morning,
//   the middle of those dates' columns (x = day + ½), so a departure and an
//   arrival on one date share that column, each in its half.
// - timeslot: a booking takes its slot's day column; the column lists the
//   day's slots (seats left), each with its bookings below it.
// - interval: each column is an hour grid over the wall-clock window of the
//   range's opening hours (e.g. 08:00–20:00); a rental is placed by its wall
//   time, and runs through the nights and closed days between its ends.
// Days are the tenant's dates (its time zone), so daylight-saving days change
// nothing: a column is a date, an hour a wall-clock hour.
import { addDays, daysBetween } from '@/lib/format';
import { datesFrom, toMs, wallClock, zonedInstant, type Instant } from './time';

export type Model = 'nightly' | 'timeslot' | 'interval';

/** Heights in pixels. */
export const LANE_HEIGHT = 30;
export const BAR_HEIGHT = 26;
export const ROW_PADDING = 5;
export const LINE_HEIGHT = 22;
export const MIN_ROW_HEIGHT = 40;
/** Bookings listed under one slot before "+N more". */
export const SLOT_LIST_LIMIT = 3;

/** A selectable cell of the axis: a day (nightly, timeslot) or an hour (interval). */
export interface AxisCell {
  index: number;
  /** The day column it belongs to (0-based). */
  day: number;
  date: string;
  x0: number;
  x1: number;
  /** interval: the cell's hour as instants (ms). */
  start?: number;
  end?: number;
}

export interface Axis {
  model: Model;
  from: string;
  days: number;
  dates: string[];
  timeZone: string;
  /** interval: the wall-clock window each column shows, in minutes after midnight. */
  window: { start: number; end: number } | null;
  /** interval: per date, the hours (minutes after midnight, [start, end)) some unit is open. */
  open: Map<string, [number, number][]>;
  cells: AxisCell[];
}

export interface OpenHoursInput {
  date: string;
  opens: Instant;
  closes: Instant;
}

export interface AxisInput {
  model: Model;
  from: string;
  days: number;
  timeZone: string;
  /** interval tenants: the units' opening hours per date. */
  openHours?: readonly OpenHoursInput[];
}

/** The default window of an interval board without opening hours. */
const defaultWindow = { start: 8 * 60, end: 20 * 60 };

/** The axis of a range: its dates, (interval) hour window and selectable cells. */
export function buildAxis(input: AxisInput): Axis {
  const { model, from, days, timeZone } = input;
  const dates = datesFrom(from, days);
  const open = new Map<string, [number, number][]>();
  let window: Axis['window'] = null;
  if (model === 'interval') {
    let start = Infinity;
    let end = -Infinity;
    for (const hours of input.openHours ?? []) {
      const opens = wallClock(hours.opens, timeZone);
      const closes = wallClock(hours.closes, timeZone);
      const a = opens.date === hours.date ? opens.minutes : 0;
      const b = closes.date === hours.date ? closes.minutes : 24 * 60;
      if (b <= a) continue;
      const list = open.get(hours.date) ?? [];
      list.push([a, b]);
      open.set(hours.date, list);
      start = Math.min(start, a);
      end = Math.max(end, b);
    }
    for (const [date, list] of open) open.set(date, mergeIntervals(list));
    // Whole hours around every opening.
    window = Number.isFinite(start)
      ? { start: Math.floor(start / 60) * 60, end: Math.ceil(end / 60) * 60 }
      : { ...defaultWindow };
  }

  const cells: AxisCell[] = [];
  if (model === 'interval' && window) {
    const hours = (window.end - window.start) / 60;
    dates.forEach((date, day) => {
      for (let h = 0; h < hours; h++) {
        const minutes = window.start + h * 60;
        cells.push({
          index: cells.length,
          day,
          date,
          x0: day + h / hours,
          x1: day + (h + 1) / hours,
          start: zonedInstant(date, minutes, timeZone),
          end: zonedInstant(date, minutes + 60, timeZone),
        });
      }
    });
  } else {
    dates.forEach((date, day) => cells.push({ index: day, day, date, x0: day, x1: day + 1 }));
  }
  return { model, from, days, dates, timeZone, window, open, cells };
}

function mergeIntervals(list: [number, number][]): [number, number][] {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The column of a date (may lie outside 0..days-1). */
export function dayIndex(axis: Pick<Axis, 'from'>, date: string): number {
  return daysBetween(axis.from, date);
}

/** Where an instant falls on the axis (unclipped). */
export function instantX(axis: Axis, instant: Instant): number {
  const { date, minutes } = wallClock(instant, axis.timeZone);
  const day = dayIndex(axis, date);
  switch (axis.model) {
    case 'nightly':
      // Check-in and check-out times both sit mid-column.
      return day + 0.5;
    case 'timeslot':
      return day + minutes / (24 * 60);
    case 'interval': {
      const { start, end } = axis.window ?? defaultWindow;
      return day + Math.min(1, Math.max(0, (minutes - start) / (end - start)));
    }
  }
}

/** A span on the axis, before clipping. */
export interface Span {
  x0: number;
  x1: number;
}

export interface ReservationLike {
  id: string;
  start: string;
  end: string;
  checkIn?: string | null;
  checkOut?: string | null;
}

export interface BlockLike {
  id: string;
  start: string;
  end: string;
  firstDay?: string | null;
  endDay?: string | null;
}

export interface LockLike {
  id: string;
  start?: string | null;
  end?: string | null;
}

/** A reservation's span: nightly from check-in afternoon to check-out morning. */
export function reservationSpan(axis: Axis, r: ReservationLike): Span {
  if (axis.model === 'nightly') {
    const checkIn = r.checkIn ?? wallClock(r.start, axis.timeZone).date;
    const checkOut = r.checkOut ?? wallClock(r.end, axis.timeZone).date;
    return { x0: dayIndex(axis, checkIn) + 0.5, x1: dayIndex(axis, checkOut) + 0.5 };
  }
  if (axis.model === 'timeslot') {
    const day = dayIndex(axis, wallClock(r.start, axis.timeZone).date);
    return { x0: day, x1: day + 1 };
  }
  return { x0: instantX(axis, r.start), x1: instantX(axis, r.end) };
}

/** A block's span: nightly all-day blocks like the stays they stand for. */
export function blockSpan(axis: Axis, b: BlockLike): Span {
  if (axis.model === 'nightly' && b.firstDay && b.endDay) {
    return { x0: dayIndex(axis, b.firstDay) + 0.5, x1: dayIndex(axis, b.endDay) + 0.5 };
  }
  return { x0: instantX(axis, b.start), x1: instantX(axis, b.end) };
}

/** A lock's span; a lock on a whole unit (no period) spans every column. */
export function lockSpan(axis: Axis, lock: LockLike): Span {
  if (!lock.start || !lock.end) return { x0: -Infinity, x1: Infinity };
  if (axis.model === 'timeslot') {
    // A lock on one slot marks that slot's day.
    const startDay = dayIndex(axis, wallClock(lock.start, axis.timeZone).date);
    const endX = instantX(axis, lock.end);
    return { x0: Math.min(startDay, instantX(axis, lock.start)), x1: Math.max(startDay + 1, endX) };
  }
  return { x0: instantX(axis, lock.start), x1: instantX(axis, lock.end) };
}

/** A span cut to the range, and whether it goes on before or after it. */
export interface Clipped extends Span {
  before: boolean;
  after: boolean;
}

/** Cuts a span to 0..days; null when it lies outside (or is empty). */
export function clipSpan(span: Span, days: number): Clipped | null {
  if (!(span.x1 > 0) || !(span.x0 < days) || span.x1 <= span.x0) return null;
  return {
    x0: Math.max(0, span.x0),
    x1: Math.min(days, span.x1),
    before: span.x0 < 0,
    after: span.x1 > days,
  };
}

const epsilon = 1e-9;

/**
 * Lanes for overlapping spans (interval partitioning, greedy by start): each
 * span gets the first lane whose last span ends at or before its start, so
 * a departure and an arrival at the same instant share a lane. Returns each
 * span's lane (in input order) and the number of lanes.
 */
export function assignLanes(spans: readonly Span[]): { lanes: number[]; count: number } {
  const order = spans
    .map((span, i) => ({ span, i }))
    .sort((a, b) => a.span.x0 - b.span.x0 || b.span.x1 - a.span.x1 || a.i - b.i);
  const ends: number[] = [];
  const lanes = new Array<number>(spans.length).fill(0);
  for (const { span, i } of order) {
    let lane = ends.findIndex((end) => end <= span.x0 + epsilon);
    if (lane === -1) {
      lane = ends.length;
      ends.push(span.x1);
    } else {
      ends[lane] = span.x1;
    }
    lanes[i] = lane;
  }
  return { lanes, count: ends.length };
}

// --- Rows ------------------------------------------------------------------

export type ItemKind = 'reservation' | 'block' | 'lock';

/** A bar in a row. */
export interface Bar extends Clipped {
  kind: ItemKind;
  id: string;
  lane: number;
}

/** A line of a timeslot day cell: a slot, a booking in it, a lock on it, or "+N more". */
export interface SlotLine {
  kind: 'slot' | 'reservation' | 'lock' | 'more';
  /** Slot lines: `slot:<start ms>`; others: the item's id (`more:<slot>`). */
  id: string;
  day: number;
  /** Offset from the row's top, in pixels. */
  top: number;
  /** The slot it belongs to (start, ms). */
  slot: number;
  /** "more" lines: how many bookings are not listed. */
  hidden?: number;
}

export interface RowLayout {
  unitId: string;
  /** Bars (nightly, interval; timeslot: blocks and whole-unit locks on top). */
  bars: Bar[];
  lanes: number;
  /** Timeslot: the lines of each day cell. */
  lines: SlotLine[];
  height: number;
}

export interface SlotLike {
  unitId: string;
  start: string;
  end: string;
}

export interface RowInput {
  unitId: string;
  reservations: readonly (ReservationLike & { state?: string })[];
  blocks: readonly BlockLike[];
  locks: readonly LockLike[];
  slots?: readonly SlotLike[];
}

/**
 * A row's layout: bars in lanes (reservations, blocks and locks together, so
 * a lock or a block never hides a booking), and for timeslot tenants each
 * day's slots with their bookings listed below them.
 */
export function layoutRow(axis: Axis, input: RowInput): RowLayout {
  if (axis.model === 'timeslot') return layoutTimeslotRow(axis, input);
  const items: { kind: ItemKind; id: string; clip: Clipped }[] = [];
  const push = (kind: ItemKind, id: string, span: Span) => {
    const clip = clipSpan(span, axis.days);
    if (clip) items.push({ kind, id, clip });
  };
  for (const r of input.reservations) push('reservation', r.id, reservationSpan(axis, r));
  for (const b of input.blocks) push('block', b.id, blockSpan(axis, b));
  for (const l of input.locks) push('lock', l.id, lockSpan(axis, l));
  const { lanes, count } = assignLanes(items.map((i) => i.clip));
  const bars = items
    .map((item, i) => ({ kind: item.kind, id: item.id, lane: lanes[i] ?? 0, ...item.clip }))
    .sort((a, b) => a.x0 - b.x0 || a.lane - b.lane);
  const height = Math.max(MIN_ROW_HEIGHT, Math.max(1, count) * LANE_HEIGHT + 2 * ROW_PADDING - (LANE_HEIGHT - BAR_HEIGHT));
  return { unitId: input.unitId, bars, lanes: count, lines: [], height };
}

function layoutTimeslotRow(axis: Axis, input: RowInput): RowLayout {
  // On top: blocks and locks that are not on one slot, as bars in lanes.
  const top: { kind: ItemKind; id: string; clip: Clipped }[] = [];
  for (const b of input.blocks) {
    const clip = clipSpan(blockSpan(axis, b), axis.days);
    if (clip) top.push({ kind: 'block', id: b.id, clip });
  }
  const slotStarts = new Set((input.slots ?? []).map((s) => toMs(s.start)));
  const slotLocks = new Map<number, LockLike[]>();
  for (const l of input.locks) {
    const start = l.start ? toMs(l.start) : NaN;
    if (slotStarts.has(start)) {
      slotLocks.set(start, [...(slotLocks.get(start) ?? []), l]);
      continue;
    }
    const clip = clipSpan(lockSpan(axis, l), axis.days);
    if (clip) top.push({ kind: 'lock', id: l.id, clip });
  }
  const { lanes, count } = assignLanes(top.map((t) => t.clip));
  const bars = top
    .map((item, i) => ({ kind: item.kind, id: item.id, lane: lanes[i] ?? 0, ...item.clip }))
    .sort((a, b) => a.x0 - b.x0 || a.lane - b.lane);
  const linesTop = ROW_PADDING + count * LANE_HEIGHT;

  // Each day: its slots in time order, each followed by its bookings and locks.
  const byDay = new Map<number, { slot: number }[]>();
  for (const s of input.slots ?? []) {
    const start = toMs(s.start);
    const day = Math.floor(instantX(axis, start));
    if (day < 0 || day >= axis.days) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), { slot: start }]);
  }
  const bookings = new Map<number, ReservationLike[]>();
  for (const r of input.reservations) {
    const start = toMs(r.start);
    let slot = slotStarts.has(start) ? start : undefined;
    if (slot === undefined) {
      // A booking whose slot is gone from the schedule: its own line at its time.
      const day = Math.floor(instantX(axis, start));
      if (day < 0 || day >= axis.days) continue;
      const list = byDay.get(day) ?? [];
      if (!list.some((s) => s.slot === start)) list.push({ slot: start });
      byDay.set(day, list);
      slot = start;
    }
    bookings.set(slot, [...(bookings.get(slot) ?? []), r]);
  }
  const lines: SlotLine[] = [];
  let tallest = 0;
  for (const [day, slots] of byDay) {
    slots.sort((a, b) => a.slot - b.slot);
    let y = linesTop;
    for (const { slot } of slots) {
      lines.push({ kind: 'slot', id: `slot:${slot}`, day, top: y, slot });
      y += LINE_HEIGHT;
      for (const l of slotLocks.get(slot) ?? []) {
        lines.push({ kind: 'lock', id: l.id, day, top: y, slot });
        y += LINE_HEIGHT;
      }
      const list = bookings.get(slot) ?? [];
      const shown = list.length > SLOT_LIST_LIMIT + 1 ? SLOT_LIST_LIMIT : list.length;
      for (const r of list.slice(0, shown)) {
        lines.push({ kind: 'reservation', id: r.id, day, top: y, slot });
        y += LINE_HEIGHT;
      }
      if (shown < list.length) {
        lines.push({ kind: 'more', id: `more:${slot}`, day, top: y, slot, hidden: list.length - shown });
        y += LINE_HEIGHT;
      }
    }
    tallest = Math.max(tallest, y - linesTop);
  }
  lines.sort((a, b) => a.day - b.day || a.top - b.top);
  const height = Math.max(MIN_ROW_HEIGHT, linesTop + tallest + ROW_PADDING);
  return { unitId: input.unitId, bars, lanes: count, lines, height };
}

// --- Cells and what is at them -------------------------------------------

/**
 * The part of the axis a cell stands for when asking what is there: a
 * nightly cell is the night that starts on its date (its afternoon to the
 * next morning), other cells themselves.
 */
export function cellProbe(axis: Axis, cell: AxisCell): Span {
  return axis.model === 'nightly' ? { x0: cell.x0 + 0.5, x1: cell.x1 + 0.5 } : { x0: cell.x0, x1: cell.x1 };
}

function overlaps(a: Span, b: Span): boolean {
  return a.x0 < b.x1 - epsilon && b.x0 < a.x1 - epsilon;
}

/** What the cursor can rest on in a cell: the items there, top to bottom, or the free cell. */
export type Target = { kind: ItemKind | 'slot' | 'more'; id: string; slot?: number } | { kind: 'free' };

/**
 * The targets at a cell of a row, top to bottom: its bars by lane
 * (nightly, interval) or its lines (timeslot), then the cell itself when
 * something can still be booked there (`free`).
 */
export function targetsAt(
  axis: Axis,
  row: RowLayout,
  cell: AxisCell,
  options: { inventory: number; busy?: (id: string) => boolean },
): Target[] {
  const probe = cellProbe(axis, cell);
  const bars = row.bars.filter((b) => overlaps(b, probe)).sort((a, b) => a.lane - b.lane);
  const targets: Target[] = bars.map((b) => ({ kind: b.kind, id: b.id }));
  if (axis.model === 'timeslot') {
    for (const line of row.lines) {
      if (line.day !== cell.day) continue;
      targets.push({ kind: line.kind, id: line.id, slot: line.slot });
    }
    const blocked = bars.some((b) => b.kind === 'block');
    if (!blocked && !row.lines.some((l) => l.day === cell.day)) targets.push({ kind: 'free' });
    if (targets.length === 0) targets.push({ kind: 'free' });
    return targets;
  }
  const blocked = bars.some((b) => b.kind === 'block');
  const taking = bars.filter((b) => b.kind !== 'block' && (options.busy?.(b.id) ?? true)).length;
  if (!blocked && taking < options.inventory) targets.push({ kind: 'free' });
  if (targets.length === 0) targets.push({ kind: 'free' });
  return targets;
}

/** The cell of the axis under an x position (in day columns), clamped to the range. */
export function cellAtX(axis: Axis, x: number): AxisCell {
  const cells = axis.cells;
  if (axis.model !== 'interval') {
    const i = Math.min(cells.length - 1, Math.max(0, Math.floor(x)));
    return cells[i]!;
  }
  const perDay = cells.length / axis.days;
  const i = Math.min(cells.length - 1, Math.max(0, Math.floor(x * perDay)));
  return cells[i]!;
}

/** The dates of a nightly selection of cells: check-in and check-out. */
export function nightsOf(axis: Axis, from: number, to: number): { checkIn: string; checkOut: string } {
  const a = axis.cells[Math.min(from, to)]!;
  const b = axis.cells[Math.max(from, to)]!;
  return { checkIn: a.date, checkOut: addDays(b.date, 1) };
}

/** The instants of an interval selection of cells (hours). */
export function hoursOf(axis: Axis, from: number, to: number): { start: number; end: number } {
  const a = axis.cells[Math.min(from, to)]!;
  const b = axis.cells[Math.max(from, to)]!;
  return { start: a.start ?? 0, end: b.end ?? 0 };
}
