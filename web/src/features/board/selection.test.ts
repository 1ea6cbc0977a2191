// The board's cursor and selection: keys (arrows, layers, Shift to extend,
// Home/End, pages, Enter, Escape) and the pointer (press, drag along a row,
// release).
import { describe, expect, it } from 'vitest';
import {
  PAGE_ROWS,
  clearSelection,
  fitSelection,
  initialSelection,
  keyDown,
  pointTo,
  pointerDown,
  pointerMove,
  pointerUp,
  selectedRange,
  type GridShape,
  type KeyInput,
  type SelectionState,
} from './selection';

// 30 rows × 14 cells; row 1 cell 4 has three layers (two bars and the free cell).
const grid: GridShape = { rows: 30, cols: 14, layers: (row, col) => (row === 1 && col === 4 ? 3 : 1) };

function press(state: SelectionState, ...keys: (string | KeyInput)[]) {
  let s = state;
  let action: string | undefined;
  for (const k of keys) {
    const result = keyDown(s, typeof k === 'string' ? { key: k } : k, grid);
    if (!result) throw new Error(`key not handled: ${JSON.stringify(k)}`);
    s = result.state;
    action = result.action;
  }
  return { state: s, action };
}

describe('the keyboard', () => {
  it('moves the cursor with the arrows and stays inside the grid', () => {
    const { state } = press(initialSelection(0, 0), 'ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'ArrowUp', 'ArrowLeft', 'ArrowLeft');
    expect(state.cursor).toEqual({ row: 0, col: 0, layer: 0 });
    expect(press(initialSelection(29, 13), 'ArrowDown', 'ArrowRight').state.cursor).toEqual({ row: 29, col: 13, layer: 0 });
    expect(selectedRange(state)).toBeNull();
  });

  it('goes through a cell’s layers before the next row', () => {
    let s = press(initialSelection(0, 4), 'ArrowDown').state;
    expect(s.cursor).toEqual({ row: 1, col: 4, layer: 0 });
    s = press(s, 'ArrowDown', 'ArrowDown').state;
    expect(s.cursor).toEqual({ row: 1, col: 4, layer: 2 });
    s = press(s, 'ArrowDown').state;
    expect(s.cursor).toEqual({ row: 2, col: 4, layer: 0 });
    // Coming up from below lands on the cell's last layer.
    s = press(s, 'ArrowUp').state;
    expect(s.cursor).toEqual({ row: 1, col: 4, layer: 2 });
    // Sideways into a cell of one layer.
    expect(press(s, 'ArrowRight').state.cursor).toEqual({ row: 1, col: 5, layer: 0 });
  });

  it('extends a selection along the row with Shift, and not across rows', () => {
    let s = press(initialSelection(3, 2), { key: 'ArrowRight', shiftKey: true }, { key: 'ArrowRight', shiftKey: true }).state;
    expect(selectedRange(s)).toEqual({ row: 3, from: 2, to: 4 });
    s = press(s, { key: 'ArrowDown', shiftKey: true }).state;
    expect(selectedRange(s)).toEqual({ row: 3, from: 2, to: 4 });
    // Backwards past the anchor.
    s = press(s, { key: 'ArrowLeft', shiftKey: true }, { key: 'ArrowLeft', shiftKey: true }, { key: 'ArrowLeft', shiftKey: true }).state;
    expect(selectedRange(s)).toEqual({ row: 3, from: 1, to: 2 });
    s = press(s, { key: 'End', shiftKey: true }).state;
    expect(selectedRange(s)).toEqual({ row: 3, from: 2, to: 13 });
    // An arrow without Shift drops it.
    s = press(s, 'ArrowLeft').state;
    expect(selectedRange(s)).toBeNull();
    expect(s.cursor.col).toBe(12);
  });

  it('asks to book the selection, or to open what is under the cursor', () => {
    const selected = press(initialSelection(0, 0), { key: 'ArrowRight', shiftKey: true });
    expect(press(selected.state, 'Enter').action).toBe('create');
    expect(press(initialSelection(0, 0), 'Enter').action).toBe('activate');
  });

  it('drops the selection with Escape, then asks to close', () => {
    const selected = press(initialSelection(0, 0), { key: 'ArrowRight', shiftKey: true }).state;
    const once = press(selected, 'Escape');
    expect(selectedRange(once.state)).toBeNull();
    expect(once.action).toBeUndefined();
    expect(press(once.state, 'Escape').action).toBe('escape');
  });

  it('jumps with Home, End, Ctrl+Home, Ctrl+End and the page keys', () => {
    const s = initialSelection(5, 5);
    expect(press(s, 'Home').state.cursor).toEqual({ row: 5, col: 0, layer: 0 });
    expect(press(s, 'End').state.cursor).toEqual({ row: 5, col: 13, layer: 0 });
    expect(press(s, { key: 'Home', ctrlKey: true }).state.cursor).toEqual({ row: 0, col: 0, layer: 0 });
    expect(press(s, { key: 'End', ctrlKey: true }).state.cursor).toEqual({ row: 29, col: 13, layer: 0 });
    expect(press(s, 'PageDown').state.cursor.row).toBe(5 + PAGE_ROWS);
    expect(press(s, 'PageUp').state.cursor.row).toBe(0);
  });

  it('leaves other keys to the browser', () => {
    expect(keyDown(initialSelection(), { key: 'Tab' }, grid)).toBeNull();
    expect(keyDown(initialSelection(), { key: 'a' }, grid)).toBeNull();
    expect(keyDown(initialSelection(), { key: 'ArrowRight', altKey: true }, grid)).toBeNull();
    expect(keyDown(initialSelection(), { key: 'ArrowRight' }, { rows: 0, cols: 0, layers: () => 1 })).toBeNull();
  });
});

describe('the pointer', () => {
  it('selects the cells of one row from the press to the release', () => {
    let s = pointerDown(initialSelection(), 7, 3);
    expect(selectedRange(s)).toEqual({ row: 7, from: 3, to: 3 });
    s = pointerMove(s, 4);
    s = pointerMove(s, 6);
    expect(selectedRange(s)).toEqual({ row: 7, from: 3, to: 6 });
    s = pointerUp(s);
    expect(s.dragging).toBe(false);
    // Moving after the release changes nothing.
    expect(pointerMove(s, 9)).toBe(s);
    expect(selectedRange(s)).toEqual({ row: 7, from: 3, to: 6 });
  });

  it('drags backwards too', () => {
    const s = pointerMove(pointerDown(initialSelection(), 2, 8), 5);
    expect(selectedRange(s)).toEqual({ row: 2, from: 5, to: 8 });
  });

  it('a click on a bar moves the cursor there and drops the selection', () => {
    const selected = pointerUp(pointerMove(pointerDown(initialSelection(), 2, 8), 5));
    const s = pointTo(selected, 1, 4, 1);
    expect(s.cursor).toEqual({ row: 1, col: 4, layer: 1 });
    expect(selectedRange(s)).toBeNull();
    expect(clearSelection(s)).toBe(s);
  });
});

describe('a grid that changes shape', () => {
  it('keeps the cursor inside it', () => {
    const s: SelectionState = { cursor: { row: 20, col: 13, layer: 2 }, anchor: { row: 20, col: 10 }, dragging: false };
    const fitted = fitSelection(s, { rows: 5, cols: 7, layers: () => 1 });
    expect(fitted.cursor).toEqual({ row: 4, col: 6, layer: 0 });
    expect(fitted.anchor).toBeNull();
    const same = initialSelection(1, 1);
    expect(fitSelection(same, grid)).toBe(same);
  });
});
