// The board's geometry: bar columns for the three booking models, clipping at
// the range's edges, nightly half-cell offsets (same-day turnover), lanes for
// overlapping bars, daylight-saving days in the tenant's time zone, timeslot
// day cells, and what the cursor finds in a cell.
import { describe, expect, it } from 'vitest';
import {
  BAR_HEIGHT,
  LANE_HEIGHT,
  LINE_HEIGHT,
  MIN_ROW_HEIGHT,
  ROW_PADDING,
  SLOT_LIST_LIMIT,
  assignLanes,
  blockSpan,
  buildAxis,
  cellAtX,
  clipSpan,
  hoursOf,
  instantX,
  layoutRow,
  lockSpan,
  nightsOf,
  reservationSpan,
  targetsAt,
} from './layout';
import { localDate, wallClock, zonedInstant } from './time';

const zurich = 'Europe/Zurich';
const denver = 'America/Denver';
const berlin = 'Europe/Berlin';

const nightly = buildAxis({ model: 'nightly', from: '2026-12-20', days: 14, timeZone: zurich });

function stay(id: string, checkIn: string, checkOut: string) {
  // Zurich in winter is UTC+1: check-in 15:00 is 14:00Z, check-out 10:00 is 09:00Z.
  return { id, checkIn, checkOut, start: `${checkIn}T14:00:00Z`, end: `${checkOut}T09:00:00Z` };
}

describe('time in the tenant’s zone', () => {
  it('reads wall clocks and dates in the zone, not the browser’s', () => {
    expect(wallClock('2026-12-24T23:30:00Z', zurich)).toEqual({ date: '2026-12-25', minutes: 30 });
    expect(localDate('2026-12-25T05:00:00Z', denver)).toBe('2026-12-24');
  });

  it('turns wall times into instants across daylight-saving changes', () => {
    // Zurich springs forward on 2026-03-29 at 02:00 (UTC+1 → UTC+2).
    expect(new Date(zonedInstant('2026-03-29', 0, zurich)).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(zonedInstant('2026-03-29', 15 * 60, zurich)).toISOString()).toBe('2026-03-29T13:00:00.000Z');
    expect(new Date(zonedInstant('2026-03-30', 0, zurich)).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // Denver falls back on 2026-11-01 at 02:00 (UTC-6 → UTC-7): that day has 25 hours.
    expect(zonedInstant('2026-11-02', 0, denver) - zonedInstant('2026-11-01', 0, denver)).toBe(25 * 3_600_000);
    // The repeated 01:30 is the first of the two.
    expect(new Date(zonedInstant('2026-11-01', 90, denver)).toISOString()).toBe('2026-11-01T07:30:00.000Z');
  });
});

describe('nightly bars', () => {
  it('run from the check-in afternoon to the check-out morning (half cells)', () => {
    expect(reservationSpan(nightly, stay('a', '2026-12-24', '2026-12-27'))).toEqual({ x0: 4.5, x1: 7.5 });
    // Without dates (a lock, an imported block with times), the instants' local dates.
    expect(lockSpan(nightly, { id: 'l', start: '2026-12-24T14:00:00Z', end: '2026-12-27T09:00:00Z' })).toEqual({ x0: 4.5, x1: 7.5 });
    expect(blockSpan(nightly, { id: 'b', start: '2026-12-21T14:00:00Z', end: '2026-12-23T09:00:00Z', firstDay: '2026-12-21', endDay: '2026-12-23' })).toEqual({ x0: 1.5, x1: 3.5 });
  });

  it('share a lane on a same-day turnover, each in its half of the column', () => {
    const row = layoutRow(nightly, {
      unitId: 'u',
      reservations: [stay('leaving', '2026-12-21', '2026-12-24'), stay('arriving', '2026-12-24', '2026-12-26')],
      blocks: [],
      locks: [],
    });
    expect(row.lanes).toBe(1);
    expect(row.bars.map((b) => [b.id, b.x0, b.x1, b.lane])).toEqual([
      ['leaving', 1.5, 4.5, 0],
      ['arriving', 4.5, 6.5, 0],
    ]);
    expect(row.height).toBe(MIN_ROW_HEIGHT);
  });

  it('are clipped at the range’s edges and say that they go on', () => {
    const row = layoutRow(nightly, {
      unitId: 'u',
      reservations: [stay('early', '2026-12-15', '2026-12-22'), stay('late', '2027-01-01', '2027-01-08'), stay('outside', '2026-12-10', '2026-12-19')],
      blocks: [],
      locks: [],
    });
    expect(row.bars).toEqual([
      { kind: 'reservation', id: 'early', x0: 0, x1: 2.5, before: true, after: false, lane: 0 },
      { kind: 'reservation', id: 'late', x0: 12.5, x1: 14, before: false, after: true, lane: 0 },
    ]);
    // Check-out on the first date: its morning half is on the board.
    expect(clipSpan(reservationSpan(nightly, stay('x', '2026-12-18', '2026-12-20')), 14)).toEqual({ x0: 0, x1: 0.5, before: true, after: false });
  });

  it('stack in lanes when a unit of several items has overlapping stays', () => {
    const row = layoutRow(nightly, {
      unitId: 'rooms',
      reservations: [
        stay('a', '2026-12-21', '2026-12-25'),
        stay('b', '2026-12-22', '2026-12-23'),
        stay('c', '2026-12-23', '2026-12-24'),
        stay('d', '2026-12-24', '2026-12-28'),
      ],
      blocks: [],
      locks: [{ id: 'lock', start: '2026-12-22T14:00:00Z', end: '2026-12-25T09:00:00Z' }],
    });
    const lanes = Object.fromEntries(row.bars.map((b) => [b.id, b.lane]));
    // Equal starts: the longer first (the lock), then the next lane.
    expect(lanes).toEqual({ a: 0, lock: 1, b: 2, c: 2, d: 2 });
    expect(row.lanes).toBe(3);
    expect(row.height).toBe(3 * LANE_HEIGHT + 2 * ROW_PADDING - (LANE_HEIGHT - BAR_HEIGHT));
  });

  it('are placed by the tenant’s dates on a daylight-saving weekend', () => {
    const spring = buildAxis({ model: 'nightly', from: '2026-03-27', days: 7, timeZone: zurich });
    // 15:00 on 2026-03-29 is 13:00Z (summer time), 10:00 on 2026-03-31 is 08:00Z.
    expect(lockSpan(spring, { id: 'l', start: '2026-03-28T14:00:00Z', end: '2026-03-31T08:00:00Z' })).toEqual({ x0: 1.5, x1: 4.5 });
    // An instant just after local midnight is on the next date, not the UTC one.
    expect(instantX(spring, '2026-03-29T22:30:00Z')).toBe(3.5);
  });

  it('a whole-unit lock spans the range', () => {
    expect(clipSpan(lockSpan(nightly, { id: 'l', start: null, end: null }), 14)).toEqual({ x0: 0, x1: 14, before: true, after: true });
  });
});

describe('interval bars', () => {
  // River Gear opens 09:00–19:00 on weekdays, 08:00–20:00 at weekends, closed Mondays.
  const openHours = [
    { date: '2026-12-12', opens: '2026-12-12T07:00:00Z', closes: '2026-12-12T19:00:00Z' }, // Sat
    { date: '2026-12-13', opens: '2026-12-13T07:00:00Z', closes: '2026-12-13T19:00:00Z' }, // Sun
    { date: '2026-12-15', opens: '2026-12-15T08:00:00Z', closes: '2026-12-15T18:00:00Z' }, // Tue
  ];
  const axis = buildAxis({ model: 'interval', from: '2026-12-12', days: 4, timeZone: berlin, openHours });

  it('show an hour grid over the window of the opening hours', () => {
    expect(axis.window).toEqual({ start: 8 * 60, end: 20 * 60 });
    expect(axis.cells).toHaveLength(4 * 12);
    expect(axis.open.get('2026-12-15')).toEqual([[9 * 60, 19 * 60]]);
    expect(axis.open.has('2026-12-14')).toBe(false);
    const first = axis.cells[0]!;
    expect([first.date, new Date(first.start!).toISOString(), new Date(first.end!).toISOString()]).toEqual([
      '2026-12-12',
      '2026-12-12T07:00:00.000Z',
      '2026-12-12T08:00:00.000Z',
    ]);
  });

  it('place a rental by its wall-clock hours', () => {
    // 10:00–13:00 Berlin on the first day: hours 2 to 5 of a 12-hour window.
    expect(reservationSpan(axis, { id: 'r', start: '2026-12-12T09:00:00Z', end: '2026-12-12T12:00:00Z' })).toEqual({ x0: 2 / 12, x1: 5 / 12 });
  });

  it('run a rental through the night and a closed day', () => {
    // Sunday 18:00 to Tuesday 10:00: to the end of Sunday, across Monday, into Tuesday.
    const span = reservationSpan(axis, { id: 'r', start: '2026-12-13T17:00:00Z', end: '2026-12-15T09:00:00Z' });
    expect(span.x0).toBeCloseTo(1 + 10 / 12);
    expect(span.x1).toBeCloseTo(3 + 2 / 12);
    // Times outside the window sit at its edges.
    expect(instantX(axis, '2026-12-12T21:00:00Z')).toBe(1);
    expect(instantX(axis, '2026-12-13T05:00:00Z')).toBe(1);
  });

  it('keep wall-clock hours on a daylight-saving day', () => {
    const autumn = buildAxis({
      model: 'interval',
      from: '2026-10-24',
      days: 3,
      timeZone: berlin,
      openHours: [
        { date: '2026-10-24', opens: '2026-10-24T06:00:00Z', closes: '2026-10-24T18:00:00Z' }, // CEST
        { date: '2026-10-25', opens: '2026-10-25T07:00:00Z', closes: '2026-10-25T19:00:00Z' }, // CET from 03:00
      ],
    });
    expect(autumn.window).toEqual({ start: 8 * 60, end: 20 * 60 });
    // 09:00 local on both days is the same place in the column, an hour apart in UTC.
    expect(instantX(autumn, '2026-10-24T07:00:00Z') - 0).toBeCloseTo(1 / 12);
    expect(instantX(autumn, '2026-10-25T08:00:00Z') - 1).toBeCloseTo(1 / 12);
    const sunday = autumn.cells.filter((c) => c.date === '2026-10-25');
    expect(new Date(sunday[0]!.start!).toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });

  it('stack overlapping rentals of a fleet in lanes', () => {
    const row = layoutRow(axis, {
      unitId: 'kayaks',
      reservations: [
        { id: 'a', start: '2026-12-12T08:00:00Z', end: '2026-12-12T11:00:00Z' },
        { id: 'b', start: '2026-12-12T09:00:00Z', end: '2026-12-12T10:00:00Z' },
        { id: 'c', start: '2026-12-12T11:00:00Z', end: '2026-12-12T12:00:00Z' },
      ],
      blocks: [],
      locks: [],
    });
    expect(Object.fromEntries(row.bars.map((b) => [b.id, b.lane]))).toEqual({ a: 0, b: 1, c: 0 });
  });

  it('turn a selection of hours into instants', () => {
    expect(hoursOf(axis, 3, 1)).toEqual({ start: Date.parse('2026-12-12T08:00:00Z'), end: Date.parse('2026-12-12T11:00:00Z') });
    expect(cellAtX(axis, 1.5).date).toBe('2026-12-13');
    expect(cellAtX(axis, 1.5).index).toBe(12 + 6);
  });
});

describe('timeslot days', () => {
  const axis = buildAxis({ model: 'timeslot', from: '2026-12-06', days: 7, timeZone: denver });
  // 06:00 and 13:00 Denver (UTC-7).
  const slots = [
    { unitId: 't', start: '2026-12-08T13:00:00Z', end: '2026-12-08T16:00:00Z' },
    { unitId: 't', start: '2026-12-08T20:00:00Z', end: '2026-12-08T23:00:00Z' },
    { unitId: 't', start: '2026-12-09T13:00:00Z', end: '2026-12-09T16:00:00Z' },
  ];

  it('put a booking in its slot’s day column', () => {
    expect(reservationSpan(axis, { id: 'r', start: '2026-12-08T20:00:00Z', end: '2026-12-08T23:00:00Z' })).toEqual({ x0: 2, x1: 3 });
    // 20:00 Denver on the 8th is 03:00Z on the 9th: still the 8th's column.
    expect(reservationSpan(axis, { id: 'r', start: '2026-12-09T03:00:00Z', end: '2026-12-09T06:00:00Z' })).toEqual({ x0: 2, x1: 3 });
  });

  it('list each day’s slots with their bookings below them', () => {
    const reservations = [
      { id: 'r1', start: '2026-12-08T13:00:00Z', end: '2026-12-08T16:00:00Z' },
      { id: 'r2', start: '2026-12-08T13:00:00Z', end: '2026-12-08T16:00:00Z' },
    ];
    const row = layoutRow(axis, {
      unitId: 't',
      reservations,
      blocks: [],
      locks: [{ id: 'lk', start: '2026-12-08T20:00:00Z', end: '2026-12-08T23:00:00Z' }],
      slots,
    });
    const top = ROW_PADDING;
    expect(row.lines.map((l) => [l.kind, l.id, l.day, l.top])).toEqual([
      ['slot', `slot:${Date.parse(slots[0]!.start)}`, 2, top],
      ['reservation', 'r1', 2, top + LINE_HEIGHT],
      ['reservation', 'r2', 2, top + 2 * LINE_HEIGHT],
      ['slot', `slot:${Date.parse(slots[1]!.start)}`, 2, top + 3 * LINE_HEIGHT],
      ['lock', 'lk', 2, top + 4 * LINE_HEIGHT],
      ['slot', `slot:${Date.parse(slots[2]!.start)}`, 3, top],
    ]);
    expect(row.height).toBe(top + 5 * LINE_HEIGHT + ROW_PADDING);
  });

  it('list at most a few bookings per slot, then how many more', () => {
    const many = Array.from({ length: SLOT_LIST_LIMIT + 3 }, (_, i) => ({ id: `r${i}`, start: slots[0]!.start, end: slots[0]!.end }));
    const row = layoutRow(axis, { unitId: 't', reservations: many, blocks: [], locks: [], slots });
    const day = row.lines.filter((l) => l.slot === Date.parse(slots[0]!.start));
    expect(day.map((l) => l.kind)).toEqual(['slot', ...Array<string>(SLOT_LIST_LIMIT).fill('reservation'), 'more']);
    expect(day.at(-1)?.hidden).toBe(3);
  });

  it('put blocks on top, across days, in local days (midnight to midnight)', () => {
    const block = { id: 'b', start: new Date(zonedInstant('2026-12-08', 0, denver)).toISOString(), end: new Date(zonedInstant('2026-12-10', 0, denver)).toISOString() };
    const row = layoutRow(axis, { unitId: 't', reservations: [], blocks: [block], locks: [], slots });
    expect(row.bars).toEqual([{ kind: 'block', id: 'b', x0: 2, x1: 4, before: false, after: false, lane: 0 }]);
    expect(row.lines[0]?.top).toBe(ROW_PADDING + LANE_HEIGHT);
  });
});

describe('lanes', () => {
  it('take the first free lane, longest first on equal starts', () => {
    expect(assignLanes([{ x0: 0, x1: 2 }, { x0: 0, x1: 5 }, { x0: 2, x1: 3 }, { x0: 4, x1: 6 }])).toEqual({ lanes: [1, 0, 1, 1], count: 2 });
    expect(assignLanes([])).toEqual({ lanes: [], count: 0 });
  });
});

describe('what the cursor finds in a cell', () => {
  const row = layoutRow(nightly, {
    unitId: 'u',
    reservations: [stay('leaving', '2026-12-21', '2026-12-24'), stay('arriving', '2026-12-24', '2026-12-26')],
    blocks: [{ id: 'blk', start: '2026-12-28T14:00:00Z', end: '2026-12-30T09:00:00Z', firstDay: '2026-12-28', endDay: '2026-12-30' }],
    locks: [],
  });

  it('the stay of the night that starts on the cell’s date', () => {
    // The 24th: the departing guest left in the morning; the night is the arriving guest's.
    expect(targetsAt(nightly, row, nightly.cells[4]!, { inventory: 1 })).toEqual([{ kind: 'reservation', id: 'arriving' }]);
    expect(targetsAt(nightly, row, nightly.cells[3]!, { inventory: 1 })).toEqual([{ kind: 'reservation', id: 'leaving' }]);
    expect(targetsAt(nightly, row, nightly.cells[6]!, { inventory: 1 })).toEqual([{ kind: 'free' }]);
    expect(targetsAt(nightly, row, nightly.cells[8]!, { inventory: 1 })).toEqual([{ kind: 'block', id: 'blk' }]);
  });

  it('and room for more when the unit has several items', () => {
    expect(targetsAt(nightly, row, nightly.cells[4]!, { inventory: 3 })).toEqual([{ kind: 'reservation', id: 'arriving' }, { kind: 'free' }]);
    // A canceled stay takes nothing.
    expect(targetsAt(nightly, row, nightly.cells[4]!, { inventory: 1, busy: () => false })).toEqual([{ kind: 'reservation', id: 'arriving' }, { kind: 'free' }]);
  });

  it('nights of a selection', () => {
    expect(nightsOf(nightly, 6, 4)).toEqual({ checkIn: '2026-12-24', checkOut: '2026-12-27' });
  });
});
