// The board as the screen draws it: the axis of the range, each unit's row
// laid out, lookups by id, and what the cursor finds in each cell. Built
// from the live board data in one pass (200 units × 30 days × 2,000
// reservations take a few milliseconds).
import type { BoardBlockFragment, BoardLockFragment, BoardReservationFragment } from '@/gql/graphql';
import { buildAxis, layoutRow, targetsAt, type Axis, type Model, type RowLayout, type Target } from './layout';
import { activeStates, type BoardData, type BoardSlot } from './live';
import { toMs } from './time';

export type BoardUnit = BoardData['units'][number];

export interface BoardModel {
  model: Model;
  axis: Axis;
  units: BoardUnit[];
  rows: RowLayout[];
  /** Row of each unit. */
  rowOf: Map<string, number>;
  reservations: Map<string, BoardReservationFragment>;
  blocks: Map<string, BoardBlockFragment>;
  locks: Map<string, BoardLockFragment>;
  /** Slots by `unitId|start ms`. */
  slots: Map<string, BoardSlot>;
  /** What the cursor finds at a cell of a row, top to bottom (at least one target). */
  targets: (row: number, col: number) => Target[];
}

export function slotKey(unitId: string, start: number | string): string {
  return `${unitId}|${toMs(start)}`;
}

/** Whether a bar takes capacity (what a cell still offers depends on it). */
function takesCapacity(reservations: Map<string, BoardReservationFragment>, id: string): boolean {
  const r = reservations.get(id);
  return r ? activeStates.has(r.state) : true;
}

export function buildBoardModel(
  data: BoardData,
  options: { model: Model; timeZone: string; showCanceled: boolean },
): BoardModel {
  const { model, timeZone, showCanceled } = options;
  const axis = buildAxis({ model, from: data.from, days: dayCount(data), timeZone, openHours: data.openHours });
  const units = data.units;
  const rowOf = new Map(units.map((u, i) => [u.id, i]));

  const perUnit = units.map(() => ({
    reservations: [] as BoardReservationFragment[],
    blocks: [] as BoardBlockFragment[],
    locks: [] as BoardLockFragment[],
    slots: [] as BoardSlot[],
  }));
  const reservations = new Map<string, BoardReservationFragment>();
  for (const r of data.reservations) {
    if (!showCanceled && r.state === 'CANCELED') continue;
    const row = rowOf.get(r.unit.id);
    if (row === undefined) continue;
    reservations.set(r.id, r);
    perUnit[row]!.reservations.push(r);
  }
  const blocks = new Map<string, BoardBlockFragment>();
  for (const b of data.blocks) {
    const row = rowOf.get(b.unitId);
    if (row === undefined) continue;
    blocks.set(b.id, b);
    perUnit[row]!.blocks.push(b);
  }
  const locks = new Map<string, BoardLockFragment>();
  for (const l of data.locks) {
    // A lock on a reservation shows on its bar, not as a range of its own.
    if (l.reservationId) continue;
    const row = rowOf.get(l.unitId);
    if (row === undefined) continue;
    locks.set(l.id, l);
    perUnit[row]!.locks.push(l);
  }
  const slots = new Map<string, BoardSlot>();
  for (const s of data.slots) {
    const row = rowOf.get(s.unitId);
    if (row === undefined) continue;
    slots.set(slotKey(s.unitId, s.start), s);
    perUnit[row]!.slots.push(s);
  }

  const rows = units.map((u, i) => layoutRow(axis, { unitId: u.id, ...perUnit[i]! }));

  const cache = new Map<number, Target[]>();
  const targets = (row: number, col: number): Target[] => {
    const key = row * axis.cells.length + col;
    let found = cache.get(key);
    if (!found) {
      const layout = rows[row];
      const cell = axis.cells[col];
      found =
        layout && cell
          ? targetsAt(axis, layout, cell, {
              inventory: units[row]?.inventory ?? 1,
              busy: (id) => takesCapacity(reservations, id),
            })
          : [{ kind: 'free' }];
      cache.set(key, found);
    }
    return found;
  };

  return { model, axis, units, rows, rowOf, reservations, blocks, locks, slots, targets };
}

function dayCount(data: Pick<BoardData, 'from' | 'to'>): number {
  const a = Date.parse(`${data.from}T00:00:00Z`);
  const b = Date.parse(`${data.to}T00:00:00Z`);
  return Math.round((b - a) / 86_400_000) + 1;
}

/** Reservation locks by reservation id (shown on the reservation's bar). */
export function reservationLocks(data: BoardData): Map<string, BoardLockFragment> {
  const map = new Map<string, BoardLockFragment>();
  for (const l of data.locks) if (l.reservationId) map.set(l.reservationId, l);
  return map;
}

/** Where a reservation's bar is: its row and the cell the cursor goes to. */
export function findReservation(board: BoardModel, id: string): { row: number; col: number; layer: number } | null {
  const r = board.reservations.get(id);
  if (!r) return null;
  const row = board.rowOf.get(r.unit.id);
  if (row === undefined) return null;
  for (let col = 0; col < board.axis.cells.length; col++) {
    const layer = board.targets(row, col).findIndex((t) => t.kind === 'reservation' && t.id === id);
    if (layer >= 0) return { row, col, layer };
  }
  return null;
}
