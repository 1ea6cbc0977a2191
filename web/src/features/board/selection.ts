// The board's cursor and selection, as a pure state machine driven by keys
// and the pointer.
//
// The cursor rests on a cell of a row (a unit), and within the cell on one of
// its layers: the bars or lines stacked there, top to bottom, or the free
// cell. A selection is a run of cells of one row between an anchor and the
// cursor: Shift+arrows or a pointer drag make it; the arrows alone, Escape or
// a press elsewhere drop it.
//
// Keys: ←/→ move a cell, ↑/↓ a layer and then a row, Home/End to the row's
// first/last cell, Ctrl+Home/End to the first/last row, Page Up/Down ten rows;
// Shift+←/→/Home/End extend the selection along the row; Enter asks to open
// what the cursor is on, or to book the selection; Escape drops the selection.

export interface Cursor {
  row: number;
  col: number;
  layer: number;
}

export interface SelectionState {
  cursor: Cursor;
  /** Where the selection started (same row as the cursor); null: none. */
  anchor: { row: number; col: number } | null;
  /** A pointer drag is under way. */
  dragging: boolean;
}

/** The grid the cursor moves in. */
export interface GridShape {
  rows: number;
  cols: number;
  /** How many layers the cell has (at least 1). */
  layers: (row: number, col: number) => number;
}

/** What a key asks the board to do besides moving. */
export type KeyAction =
  /** Enter with a selection: book (or block) the selected cells. */
  | 'create'
  /** Enter without a selection: open what the cursor is on (or book its cell). */
  | 'activate'
  /** Escape without a selection: close whatever is open. */
  | 'escape';

export interface KeyResult {
  state: SelectionState;
  action?: KeyAction;
}

export interface KeyInput {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

export const PAGE_ROWS = 10;

export function initialSelection(row = 0, col = 0): SelectionState {
  return { cursor: { row, col, layer: 0 }, anchor: null, dragging: false };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Keeps the cursor inside the grid (after the grid changed shape). */
export function fitSelection(state: SelectionState, grid: GridShape): SelectionState {
  if (grid.rows === 0 || grid.cols === 0) return initialSelection();
  const row = clamp(state.cursor.row, 0, grid.rows - 1);
  const col = clamp(state.cursor.col, 0, grid.cols - 1);
  const layer = clamp(state.cursor.layer, 0, Math.max(0, grid.layers(row, col) - 1));
  const anchor =
    state.anchor && state.anchor.row === row && state.anchor.col < grid.cols ? state.anchor : null;
  if (
    row === state.cursor.row &&
    col === state.cursor.col &&
    layer === state.cursor.layer &&
    anchor === state.anchor
  ) {
    return state;
  }
  return { ...state, cursor: { row, col, layer }, anchor };
}

function moveTo(state: SelectionState, grid: GridShape, row: number, col: number, layer: number, extend: boolean): SelectionState {
  const r = clamp(row, 0, grid.rows - 1);
  const c = clamp(col, 0, grid.cols - 1);
  const l = clamp(layer, 0, Math.max(0, grid.layers(r, c) - 1));
  const anchor = extend ? (state.anchor ?? { row: state.cursor.row, col: state.cursor.col }) : null;
  return { cursor: { row: r, col: c, layer: l }, anchor, dragging: false };
}

/**
 * The state after a key, and what the key asks for; null when the key is not
 * the board's (let the browser have it).
 */
export function keyDown(state: SelectionState, input: KeyInput, grid: GridShape): KeyResult | null {
  if (grid.rows === 0 || grid.cols === 0) return null;
  if (input.altKey || input.metaKey) return null;
  const { row, col, layer } = state.cursor;
  const shift = !!input.shiftKey;
  const ctrl = !!input.ctrlKey;
  switch (input.key) {
    case 'ArrowLeft':
      return { state: moveTo(state, grid, row, col - 1, layer, shift) };
    case 'ArrowRight':
      return { state: moveTo(state, grid, row, col + 1, layer, shift) };
    case 'Home':
      return ctrl
        ? { state: moveTo(state, grid, 0, 0, 0, false) }
        : { state: moveTo(state, grid, row, 0, layer, shift) };
    case 'End':
      return ctrl
        ? { state: moveTo(state, grid, grid.rows - 1, grid.cols - 1, 0, false) }
        : { state: moveTo(state, grid, row, grid.cols - 1, layer, shift) };
    case 'ArrowUp':
    case 'ArrowDown': {
      // A selection stays on its row: Shift+↑/↓ keep it as it is.
      if (shift) return { state };
      const down = input.key === 'ArrowDown';
      const layers = grid.layers(row, col);
      if (down && layer < layers - 1) return { state: moveTo(state, grid, row, col, layer + 1, false) };
      if (!down && layer > 0) return { state: moveTo(state, grid, row, col, layer - 1, false) };
      const next = row + (down ? 1 : -1);
      if (next < 0 || next >= grid.rows) return { state: moveTo(state, grid, row, col, layer, false) };
      const nextLayer = down ? 0 : grid.layers(next, col) - 1;
      return { state: moveTo(state, grid, next, col, nextLayer, false) };
    }
    case 'PageUp':
    case 'PageDown': {
      const next = row + (input.key === 'PageDown' ? PAGE_ROWS : -PAGE_ROWS);
      return { state: moveTo(state, grid, next, col, 0, false) };
    }
    case 'Enter':
      return { state: { ...state, dragging: false }, action: state.anchor ? 'create' : 'activate' };
    case 'Escape':
      if (state.anchor || state.dragging) return { state: { ...state, anchor: null, dragging: false } };
      return { state, action: 'escape' };
    default:
      return null;
  }
}

/** A press on a cell: the cursor goes there and a selection starts. */
export function pointerDown(_state: SelectionState, row: number, col: number, layer = 0): SelectionState {
  return { cursor: { row, col, layer }, anchor: { row, col }, dragging: true };
}

/** The pointer moved over a cell while pressed: the selection follows along the row. */
export function pointerMove(state: SelectionState, col: number): SelectionState {
  if (!state.dragging || !state.anchor || state.cursor.col === col) return state;
  return { ...state, cursor: { ...state.cursor, col, layer: 0 } };
}

/** The press ended. */
export function pointerUp(state: SelectionState): SelectionState {
  return state.dragging ? { ...state, dragging: false } : state;
}

/** The cursor put on a cell (a click on a bar), dropping any selection. */
export function pointTo(state: SelectionState, row: number, col: number, layer = 0): SelectionState {
  if (!state.anchor && !state.dragging && state.cursor.row === row && state.cursor.col === col && state.cursor.layer === layer) {
    return state;
  }
  return { cursor: { row, col, layer }, anchor: null, dragging: false };
}

/** Drops the selection, keeping the cursor. */
export function clearSelection(state: SelectionState): SelectionState {
  return state.anchor || state.dragging ? { ...state, anchor: null, dragging: false } : state;
}

/** The selected cells: a row and a run of its cells, in order. */
export interface SelectedRange {
  row: number;
  from: number;
  to: number;
}

export function selectedRange(state: SelectionState): SelectedRange | null {
  const { anchor, cursor } = state;
  if (!anchor || anchor.row !== cursor.row) return null;
  return { row: cursor.row, from: Math.min(anchor.col, cursor.col), to: Math.max(anchor.col, cursor.col) };
}
