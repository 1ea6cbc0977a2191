// The tape chart: units as rows (a sticky column of their names), days as
// columns (a sticky header; interval tenants an hour grid in each), and in
// each row its reservations, blocks and locks as absolutely placed bars —
// no element per cell. Only the rows in view are in the page (TanStack
// Virtual), plus the cursor's.
//
// The grid is one tab stop (ARIA grid with aria-activedescendant): the
// cursor moves with the keys of selection.ts, and the element it rests on —
// a bar, a slot's line, or the free cell drawn under the cursor — is the
// active descendant, named for screen readers and outlined while the grid
// has the focus; its details show in a tooltip, as they do on hover.
// Pressing on a free cell and dragging along the row selects cells; a click
// on a bar opens it.
import { createPortal } from 'react-dom';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import {
  Fragment,
  memo,
  useCallback,
  useEffect,
  useMemo,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type PointerEvent,
  type ReactNode,
} from 'react';
import type { BoardBlockFragment, BoardLockFragment, BoardReservationFragment } from '@/gql/graphql';
import { BlockIcon, ImportIcon, LockIcon, StateIcon } from './icons';
import { formatDate, formatTime } from './intl';
import {
  blockLabel,
  blockText,
  blockWhen,
  freeCellLabel,
  guestName,
  lockHolder,
  lockLabel,
  reservationDetails,
  reservationLabel,
  slotLabel,
  slotText,
  type BoardT,
  type LabelFormat,
} from './labels';
import { BAR_HEIGHT, LANE_HEIGHT, LINE_HEIGHT, ROW_PADDING, cellAtX, dayIndex, instantX, type Bar, type RowLayout, type SlotLine, type Target } from './layout';
import { slotKey, type BoardModel, type BoardUnit } from './model';
import { keyDown, pointTo, pointerDown, pointerMove, pointerUp, selectedRange, type SelectedRange, type SelectionState } from './selection';
import { isoWeekday, localDate } from './time';
import classes from './board.module.css';

export interface BoardGridProps {
  board: BoardModel;
  today: string;
  dayWidth: number;
  unitWidth: number;
  headerHeight: number;
  /** CSS max-height of the scrolling grid. */
  maxHeight: string;
  selection: SelectionState;
  onSelection: (next: SelectionState) => void;
  /** Enter without a selection, or a click on a bar or line: open what is there. */
  onActivate: (target: Target, at: { row: number; col: number }) => void;
  /** Enter with a selection: book it. */
  onCreate: (range: SelectedRange, target: Target) => void;
  /** Escape with nothing selected. */
  onEscape: () => void;
  /** Locks on reservations (someone is changing them), by reservation id. */
  reservationLocks: ReadonlyMap<string, BoardLockFragment>;
  viewerId: string | undefined;
  format: LabelFormat;
  t: BoardT;
  labelledBy: string;
  describedBy: string;
  busy: boolean;
}

/** The id of the element a target is drawn as (the active descendant). */
export function targetElementId(row: number, col: number, target: Target): string {
  if (target.kind === 'free') return `board-cell-${row}-${col}`;
  const id = target.kind === 'slot' || target.kind === 'more' ? target.id.replace(':', '-') : target.id;
  return `board-${target.kind}-${row}-${id}`;
}

/** The item under the pointer or the cursor, whose details the tooltip shows. */
interface Shown {
  row: number;
  target: Target;
}

function sameTarget(a: Target, b: Target): boolean {
  return a.kind === b.kind && (a.kind === 'free' || (b.kind !== 'free' && a.id === b.id));
}

export function BoardGrid(props: BoardGridProps) {
  const { board, today, dayWidth, unitWidth, headerHeight, selection, onSelection, format, t } = props;
  const { axis, rows, units } = board;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState(false);
  const [hovered, setHovered] = useState<Shown | null>(null);
  // Set by keys: the cursor's cell is scrolled into view after the move.
  const revealCursor = useRef(false);
  const trackWidth = axis.days * dayWidth;
  // The current time, for the interval boards' "now" line (each minute).
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!axis.window) return;
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, [axis.window]);
  const cursorRow = selection.cursor.row;

  const rangeExtractor = useCallback(
    (range: Range) => {
      const list = defaultRangeExtractor(range);
      if (cursorRow < range.count && !list.includes(cursorRow)) {
        list.push(cursorRow);
        list.sort((a, b) => a - b);
      }
      return list;
    },
    [cursorRow],
  );

  // TanStack Virtual returns a stable object whose methods read fresh state;
  // this component does not rely on memoizing it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => rows[i]?.height ?? LANE_HEIGHT,
    overscan: 6,
    paddingStart: headerHeight,
    rangeExtractor,
    initialRect: { width: 1024, height: 640 },
  });
  // Row heights changed (a lock or a booking added a lane): measured again.
  const heights = useMemo(() => rows.map((r) => r.height).join(','), [rows]);
  useEffect(() => {
    virtualizer.measure();
  }, [heights, headerHeight, virtualizer]);

  // The cursor's target, and the element drawn for it.
  const cursor = selection.cursor;
  const cursorTargets = board.targets(cursor.row, cursor.col);
  const active = cursorTargets[Math.min(cursor.layer, cursorTargets.length - 1)] ?? { kind: 'free' as const };
  const activeId = rows.length > 0 ? targetElementId(cursor.row, cursor.col, active) : undefined;
  const range = selectedRange(selection);

  // Today in view when a range opens (phones scroll sideways).
  const todayIndex = dayIndex(axis, today);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const inRange = todayIndex >= 0 && todayIndex < axis.days;
    el.scrollLeft = inRange ? Math.max(0, (todayIndex - (axis.days === 1 ? 0 : 1)) * dayWidth) : 0;
    // Only when the range (or the column width) changes.
  }, [axis.from, axis.days, todayIndex, dayWidth]);

  // After a key moved the cursor: its row and cell in view.
  useEffect(() => {
    if (!revealCursor.current) return;
    revealCursor.current = false;
    const el = scrollRef.current;
    if (!el) return;
    virtualizer.scrollToIndex(cursor.row, { align: 'auto' });
    const cell = axis.cells[cursor.col];
    if (!cell) return;
    const left = cell.x0 * dayWidth;
    const right = cell.x1 * dayWidth;
    const visible = el.clientWidth - unitWidth;
    if (left < el.scrollLeft) el.scrollLeft = left;
    else if (right > el.scrollLeft + visible) el.scrollLeft = right - visible;
  }, [cursor.row, cursor.col, axis.cells, dayWidth, unitWidth, virtualizer]);

  const shape = useMemo(
    () => ({ rows: rows.length, cols: axis.cells.length, layers: (r: number, c: number) => board.targets(r, c).length }),
    [rows.length, axis.cells.length, board],
  );

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.target !== event.currentTarget) return;
    const result = keyDown(selection, event, shape);
    if (!result) return;
    event.preventDefault();
    setHovered(null);
    if (result.state !== selection) {
      revealCursor.current = true;
      onSelection(result.state);
    }
    if (result.action === 'create') {
      const picked = selectedRange(result.state);
      if (picked) props.onCreate(picked, active);
    } else if (result.action === 'activate') {
      props.onActivate(active, { row: cursor.row, col: cursor.col });
    } else if (result.action === 'escape') {
      props.onEscape();
    }
  }

  // --- Pointer: press on a free cell and drag along the row ----------------
  function colAt(event: PointerEvent<HTMLElement>, track: HTMLElement): number {
    const rect = track.getBoundingClientRect();
    return cellAtX(axis, (event.clientX - rect.left) / dayWidth).index;
  }

  function onTrackPointerDown(event: PointerEvent<HTMLDivElement>, row: number) {
    if (event.button !== 0) return;
    const element = event.target as HTMLElement;
    const item = element.closest<HTMLElement>('[data-item]');
    if (item && item.dataset.item !== 'slot') return;
    const col = colAt(event, event.currentTarget);
    let layer = 0;
    if (item?.dataset.item === 'slot') {
      const slotId = item.dataset.id;
      layer = Math.max(0, board.targets(row, col).findIndex((tg) => tg.kind === 'slot' && tg.id === slotId));
    } else {
      const targets = board.targets(row, col);
      layer = Math.max(0, targets.findIndex((tg) => tg.kind === 'free'));
    }
    event.preventDefault();
    event.currentTarget.setPointerCapture?.(event.pointerId);
    scrollRef.current?.focus({ preventScroll: true });
    onSelection(pointerDown(selection, row, col, layer));
  }

  function onTrackPointerMove(event: PointerEvent<HTMLDivElement>) {
    if (!selection.dragging) return;
    const next = pointerMove(selection, colAt(event, event.currentTarget));
    if (next !== selection) onSelection(next);
  }

  function onTrackPointerUp(event: PointerEvent<HTMLDivElement>) {
    event.currentTarget.releasePointerCapture?.(event.pointerId);
    const next = pointerUp(selection);
    if (next !== selection) onSelection(next);
  }

  function clickItem(row: number, target: Target) {
    // The cursor goes to the item's first cell that shows it.
    for (let col = 0; col < axis.cells.length; col++) {
      const layer = board.targets(row, col).findIndex((tg) => sameTarget(tg, target));
      if (layer >= 0) {
        onSelection(pointTo(selection, row, col, layer));
        props.onActivate(target, { row, col });
        return;
      }
    }
    props.onActivate(target, { row, col: selection.cursor.col });
  }

  // Rows are drawn again only when what they show changes, not when the
  // cursor moves elsewhere: their handlers are stable and read the latest
  // state when they run.
  const latest = useRef({ onTrackPointerDown, onTrackPointerMove, onTrackPointerUp, clickItem });
  useLayoutEffect(() => {
    latest.current = { onTrackPointerDown, onTrackPointerMove, onTrackPointerUp, clickItem };
  });
  const rowEvents = useMemo<RowEvents>(
    () => ({
      pointerDown: (event, row) => latest.current.onTrackPointerDown(event, row),
      pointerMove: (event) => latest.current.onTrackPointerMove(event),
      pointerUp: (event) => latest.current.onTrackPointerUp(event),
      hover: (row, target) => setHovered(target ? { row, target } : null),
      click: (row, target) => latest.current.clickItem(row, target),
    }),
    [],
  );

  // --- Drawing ----------------------------------------------------------------
  const virtualRows = virtualizer.getVirtualItems();
  const totalHeight = virtualizer.getTotalSize();
  const innerStyle = { width: unitWidth + trackWidth, height: totalHeight, '--unit-width': `${unitWidth}px` } as CSSProperties;
  const shown: Shown | null = hovered ?? (focused && active.kind !== 'free' ? { row: cursor.row, target: active } : null);

  return (
    <div
      ref={scrollRef}
      className={`${classes.scroller} ${focused ? classes.focused : ''}`}
      style={{ maxHeight: props.maxHeight }}
      role="grid"
      tabIndex={0}
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      aria-rowcount={units.length + 1}
      aria-colcount={axis.days + 1}
      aria-activedescendant={focused ? activeId : undefined}
      aria-busy={props.busy || undefined}
      aria-multiselectable="true"
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === e.currentTarget) setFocused(true);
      }}
      onBlur={(e) => {
        if (e.target === e.currentTarget) setFocused(false);
      }}
    >
      <div className={classes.inner} style={innerStyle}>
        <Header board={board} today={today} dayWidth={dayWidth} unitWidth={unitWidth} height={headerHeight} format={format} t={t} />
        <Background board={board} today={today} now={now} dayWidth={dayWidth} unitWidth={unitWidth} top={headerHeight} height={totalHeight - headerHeight} />
        {virtualRows.map((v) => {
          const row = v.index;
          const layout = rows[row];
          const unit = units[row];
          if (!layout || !unit) return null;
          const hasCursor = row === cursor.row;
          return (
            <RowView
              key={unit.id}
              row={row}
              top={v.start}
              layout={layout}
              unit={unit}
              board={board}
              dayWidth={dayWidth}
              trackWidth={trackWidth}
              activeId={hasCursor ? activeId : undefined}
              freeCol={hasCursor && active.kind === 'free' ? cursor.col : undefined}
              range={range && range.row === row ? range : undefined}
              describedId={shown && shown.row === row && shown.target.kind !== 'free' ? shown.target.id : undefined}
              reservationLocks={props.reservationLocks}
              viewerId={props.viewerId}
              format={format}
              t={t}
              events={rowEvents}
            />
          );
        })}
        {shown ? (
          <Tooltip
            board={board}
            shown={shown}
            anchorId={targetElementId(shown.row, 0, shown.target)}
            reservationLocks={props.reservationLocks}
            viewerId={props.viewerId}
            format={format}
            t={t}
          />
        ) : null}
      </div>
    </div>
  );
}

interface RowEvents {
  pointerDown: (event: PointerEvent<HTMLDivElement>, row: number) => void;
  pointerMove: (event: PointerEvent<HTMLDivElement>) => void;
  pointerUp: (event: PointerEvent<HTMLDivElement>) => void;
  hover: (row: number, target: Target | null) => void;
  click: (row: number, target: Target) => void;
}

interface RowViewProps {
  row: number;
  top: number;
  layout: RowLayout;
  unit: BoardUnit;
  board: BoardModel;
  dayWidth: number;
  trackWidth: number;
  /** The active descendant's id when the cursor is on this row. */
  activeId: string | undefined;
  /** The cursor's cell when it rests on a free cell of this row. */
  freeCol: number | undefined;
  range: SelectedRange | undefined;
  /** The item whose details the tooltip shows, on this row. */
  describedId: string | undefined;
  reservationLocks: ReadonlyMap<string, BoardLockFragment>;
  viewerId: string | undefined;
  format: LabelFormat;
  t: BoardT;
  events: RowEvents;
}

/** One unit's row: its name, then its bars (or timeslot lines), selection and cursor. */
const RowView = memo(function RowView(props: RowViewProps) {
  const { row, layout, unit, board, dayWidth, activeId, format, t, events } = props;
  return (
    <div role="row" aria-rowindex={row + 2} className={classes.row} style={{ top: props.top, height: layout.height }} data-unit={unit.id}>
      <div role="rowheader" className={classes.unit} title={unit.name}>
        <span className={classes.unitName}>{unit.name}</span>
        {unit.inventory > 1 ? (
          <span className={classes.inventory} aria-hidden="true">
            ×{unit.inventory}
          </span>
        ) : null}
      </div>
      <div
        className={classes.track}
        data-track=""
        style={{ width: props.trackWidth }}
        onPointerDown={(e) => events.pointerDown(e, row)}
        onPointerMove={events.pointerMove}
        onPointerUp={events.pointerUp}
        onPointerCancel={events.pointerUp}
      >
        {props.range ? <SelectionBox board={board} range={props.range} dayWidth={dayWidth} /> : null}
        {layout.bars.map((bar) => {
          const target: Target = { kind: bar.kind, id: bar.id };
          return (
            <BarView
              key={`${bar.kind}:${bar.id}`}
              bar={bar}
              row={row}
              unitName={unit.name}
              board={board}
              dayWidth={dayWidth}
              active={activeId === targetElementId(row, 0, target)}
              describedBy={props.describedId === bar.id ? 'board-tip' : undefined}
              reservationLock={bar.kind === 'reservation' ? props.reservationLocks.get(bar.id) : undefined}
              viewerId={props.viewerId}
              format={format}
              t={t}
              onHover={(on) => events.hover(row, on ? target : null)}
              onClick={() => events.click(row, target)}
            />
          );
        })}
        {layout.lines.map((line) => (
          <LineView
            key={line.id}
            line={line}
            row={row}
            unitId={unit.id}
            unitName={unit.name}
            board={board}
            dayWidth={dayWidth}
            activeId={activeId}
            describedBy={props.describedId === line.id ? 'board-tip' : undefined}
            viewerId={props.viewerId}
            format={format}
            t={t}
            onHover={(on) => events.hover(row, on && (line.kind === 'reservation' || line.kind === 'lock') ? { kind: line.kind, id: line.id } : null)}
            onClick={() => {
              if (line.kind !== 'slot') events.click(row, { kind: line.kind, id: line.id, slot: line.slot });
            }}
          />
        ))}
        {props.freeCol !== undefined ? (
          <FreeCell board={board} row={row} col={props.freeCol} unitName={unit.name} dayWidth={dayWidth} format={format} t={t} />
        ) : null}
      </div>
    </div>
  );
});

// --- Header and background ------------------------------------------------------

function hourLabel(minutes: number): string {
  return String(Math.floor(minutes / 60) % 24).padStart(2, '0');
}

const Header = memo(function Header(props: { board: BoardModel; today: string; dayWidth: number; unitWidth: number; height: number; format: LabelFormat; t: BoardT }) {
  const { board, today, dayWidth, unitWidth, height, format, t } = props;
  const { axis } = board;
  const narrow = dayWidth < 40;
  const window = axis.window;
  const hours = window ? (window.end - window.start) / 60 : 0;
  const hourWidth = hours ? dayWidth / hours : 0;
  const tickEvery = hourWidth >= 34 ? 1 : hourWidth >= 17 ? 2 : hourWidth >= 11 ? 3 : 6;
  return (
    <div role="row" aria-rowindex={1} className={classes.header} style={{ height }}>
      <div role="columnheader" className={classes.corner} style={{ width: unitWidth }}>
        {t('grid.unit')}
      </div>
      {axis.dates.map((date, i) => {
        const isToday = date === today;
        const weekend = isoWeekday(date) >= 6;
        const monthStart = date.endsWith('-01');
        return (
          <div
            key={date}
            role="columnheader"
            aria-colindex={i + 2}
            aria-current={isToday ? 'date' : undefined}
            data-date={date}
            aria-label={`${formatDate(date, format.locale, { weekday: 'long', day: 'numeric', month: 'long' })}${isToday ? `, ${t('grid.today')}` : ''}`}
            className={`${classes.dayHead} ${weekend ? classes.weekendHead : ''} ${isToday && axis.days > 1 ? classes.todayHead : ''} ${isToday ? classes.todayMark : ''} ${monthStart ? classes.monthStart : ''}`}
            style={{ left: unitWidth + i * dayWidth, width: dayWidth }}
          >
            <span className={classes.dayLine} aria-hidden="true">
              {window ? (
                <>
                  {formatDate(date, format.locale, { weekday: 'short' })}{' '}
                  <span className={classes.dayNumber}>{Number(date.slice(8))}</span>{' '}
                  {monthStart || i === 0 ? formatDate(date, format.locale, { month: 'short' }) : ''}
                </>
              ) : (
                <>
                  <span className={classes.weekday}>{formatDate(date, format.locale, { weekday: narrow ? 'narrow' : 'short' })}</span>
                  <span className={classes.dayNumber}>{Number(date.slice(8))}</span>
                  {monthStart && !narrow ? <span className={classes.monthTag}>{formatDate(date, format.locale, { month: 'short' })}</span> : null}
                </>
              )}
            </span>
            {window ? (
              <span className={classes.hours} aria-hidden="true">
                {Array.from({ length: hours }, (_, h) =>
                  h % tickEvery === 0 ? (
                    <span key={h} className={classes.hourTick} style={{ left: h * hourWidth }}>
                      {hourLabel(window.start + h * 60)}
                    </span>
                  ) : null,
                )}
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
});

const Background = memo(function Background(props: { board: BoardModel; today: string; now: number; dayWidth: number; unitWidth: number; top: number; height: number }) {
  const { board, today, now, dayWidth, unitWidth, top, height } = props;
  const { axis } = board;
  const window = axis.window;
  const hours = window ? (window.end - window.start) / 60 : 0;
  const style = {
    left: unitWidth,
    top,
    height,
    width: axis.days * dayWidth,
    '--day': `${dayWidth}px`,
    '--hour': hours ? `${dayWidth / hours}px` : `${dayWidth}px`,
  } as CSSProperties;
  // Interval boards: a line at the current time.
  const x = window ? instantX(axis, now) : null;
  const nowX = x !== null && localDate(now, axis.timeZone) === today && x > 0 && x < axis.days ? x : null;
  return (
    <div className={`${classes.background} ${window ? classes.hourly : ''}`} style={style} aria-hidden="true">
      {axis.dates.map((date, i) => {
        const weekend = isoWeekday(date) >= 6;
        const isToday = date === today;
        const closed: [number, number][] = [];
        if (window) {
          // The hours of the window no unit is open that day.
          let at = window.start;
          for (const [a, b] of axis.open.get(date) ?? []) {
            if (a > at) closed.push([at, a]);
            at = Math.max(at, b);
          }
          if (at < window.end) closed.push([at, window.end]);
        }
        return (
          <Fragment key={date}>
            {weekend && !isToday ? <div className={classes.weekend} style={{ left: i * dayWidth, width: dayWidth }} /> : null}
            {closed.map(([a, b]) => (
              <div
                key={a}
                className={classes.closed}
                style={{
                  left: (i + (a - window!.start) / (window!.end - window!.start)) * dayWidth,
                  width: ((b - a) / (window!.end - window!.start)) * dayWidth,
                }}
              />
            ))}
            {isToday && axis.days > 1 ? <div className={classes.today} style={{ left: i * dayWidth, width: dayWidth }} /> : null}
          </Fragment>
        );
      })}
      {window && nowX !== null ? <div className={classes.now} style={{ left: nowX * dayWidth }} /> : null}
    </div>
  );
});

// --- Items ----------------------------------------------------------------------

function barStyle(bar: Bar, dayWidth: number): CSSProperties {
  const left = bar.x0 * dayWidth;
  const width = Math.max(6, (bar.x1 - bar.x0) * dayWidth);
  return {
    left: left + (bar.before ? 0 : 1),
    width: width - (bar.before ? 0 : 1) - (bar.after ? 0 : 1),
    top: ROW_PADDING + bar.lane * LANE_HEIGHT,
    height: BAR_HEIGHT,
  };
}

interface BarViewProps {
  bar: Bar;
  row: number;
  unitName: string;
  board: BoardModel;
  dayWidth: number;
  active: boolean;
  describedBy: string | undefined;
  reservationLock: BoardLockFragment | undefined;
  viewerId: string | undefined;
  format: LabelFormat;
  t: BoardT;
  onHover: (on: boolean) => void;
  onClick: () => void;
}

function BarView(props: BarViewProps) {
  const { bar, row, unitName, board, dayWidth, active, format, t } = props;
  const style = barStyle(bar, dayWidth);
  const common = {
    id: targetElementId(row, 0, { kind: bar.kind, id: bar.id }),
    role: 'gridcell',
    'data-item': bar.kind,
    'data-id': bar.id,
    'data-before': bar.before || undefined,
    'data-after': bar.after || undefined,
    'aria-describedby': props.describedBy,
    style,
    onPointerEnter: () => props.onHover(true),
    onPointerLeave: () => props.onHover(false),
    onClick: props.onClick,
  } as const;
  const activeClass = active ? classes.active : '';

  if (bar.kind === 'reservation') {
    const r = board.reservations.get(bar.id);
    if (!r) return null;
    const lock = props.reservationLock;
    const label = reservationLabel(r, unitName, board.model, format, t);
    return (
      <div
        {...common}
        className={`${classes.bar} ${classes.reservation} ${activeClass}`}
        data-state={r.state}
        aria-label={lock ? `${label}. ${lockLabel(lock, props.viewerId, format, t)}` : label}
      >
        <BarContent before={bar.before} after={bar.after}>
          <StateIcon state={r.state} />
          <span className={classes.barText}>{guestName(r, t)}</span>
          {r.quantity > 1 ? <span className={classes.quantity}>×{r.quantity}</span> : null}
          {lock ? (
            <span className={classes.barLock} title={lockLabel(lock, props.viewerId, format, t)}>
              <LockIcon size={12} />
            </span>
          ) : null}
        </BarContent>
      </div>
    );
  }
  if (bar.kind === 'block') {
    const b = board.blocks.get(bar.id);
    if (!b) return null;
    return (
      <div
        {...common}
        className={`${classes.bar} ${b.manual ? classes.staffBlock : classes.importedBlock} ${activeClass}`}
        aria-label={blockLabel(b, unitName, board.model, format, t)}
      >
        <BarContent before={bar.before} after={bar.after}>
          {b.manual ? <BlockIcon /> : <ImportIcon />}
          <span className={classes.barText}>{blockText(b, t)}</span>
        </BarContent>
      </div>
    );
  }
  const l = board.locks.get(bar.id);
  if (!l) return null;
  const own = !!props.viewerId && l.holder.userId === props.viewerId;
  return (
    <div
      {...common}
      className={`${classes.bar} ${classes.lock} ${own ? classes.ownLock : ''} ${activeClass}`}
      aria-label={lockLabel(l, props.viewerId, format, t)}
      data-holder={l.holder.displayName}
    >
      <BarContent before={bar.before} after={bar.after}>
        <LockIcon />
        <span className={classes.barText}>{lockHolder(l, props.viewerId, t)}</span>
      </BarContent>
    </div>
  );
}

function BarContent({ before, after, children }: { before: boolean; after: boolean; children: ReactNode }) {
  return (
    <>
      {before ? (
        <span className={classes.edge} aria-hidden="true">
          ‹
        </span>
      ) : null}
      {children}
      {after ? (
        <span className={`${classes.edge} ${classes.edgeAfter}`} aria-hidden="true">
          ›
        </span>
      ) : null}
    </>
  );
}

interface LineViewProps {
  line: SlotLine;
  row: number;
  unitId: string;
  unitName: string;
  board: BoardModel;
  dayWidth: number;
  activeId: string | undefined;
  describedBy: string | undefined;
  viewerId: string | undefined;
  format: LabelFormat;
  t: BoardT;
  onHover: (on: boolean) => void;
  onClick: () => void;
}

function LineView(props: LineViewProps) {
  const { line, row, unitId, unitName, board, dayWidth, format, t } = props;
  const target: Target = { kind: line.kind, id: line.id, slot: line.slot };
  const id = targetElementId(row, line.day, target);
  // Bookings and locks are indented under their slot.
  const indent = line.kind === 'slot' ? 0 : 8;
  const style: CSSProperties = { left: line.day * dayWidth + 2 + indent, width: dayWidth - 4 - indent, top: line.top, height: LINE_HEIGHT - 2 };
  const activeClass = props.activeId === id ? classes.active : '';
  const hover = {
    onPointerEnter: () => props.onHover(true),
    onPointerLeave: () => props.onHover(false),
    'aria-describedby': props.describedBy,
  };

  if (line.kind === 'slot') {
    const slot = board.slots.get(slotKey(unitId, line.slot));
    if (!slot) {
      return (
        <div id={id} role="gridcell" data-item="slot" data-id={line.id} className={`${classes.line} ${classes.slot} ${activeClass}`} style={style}>
          {formatDate(new Date(line.slot).toISOString().slice(0, 10), format.locale, { weekday: 'short' })}
        </div>
      );
    }
    const ratio = slot.capacity > 0 ? slot.taken / slot.capacity : 1;
    return (
      <div
        id={id}
        role="gridcell"
        data-item="slot"
        data-id={line.id}
        data-full={slot.left === 0 || undefined}
        className={`${classes.line} ${classes.slot} ${activeClass}`}
        style={{ ...style, '--taken': `${Math.round(ratio * 100)}%` } as CSSProperties}
        aria-label={slotLabel(slot, unitName, format, t)}
      >
        {slotText(slot, format, t)}
      </div>
    );
  }
  if (line.kind === 'more') {
    return (
      <div id={id} role="gridcell" data-item="more" data-id={line.id} className={`${classes.line} ${classes.more} ${activeClass}`} style={style} onClick={props.onClick}>
        {t('slot.more', { count: line.hidden ?? 0 })}
      </div>
    );
  }
  if (line.kind === 'lock') {
    const l = board.locks.get(line.id);
    if (!l) return null;
    return (
      <div
        id={id}
        role="gridcell"
        data-item="lock"
        data-id={line.id}
        data-holder={l.holder.displayName}
        className={`${classes.line} ${classes.lock} ${activeClass}`}
        style={style}
        aria-label={lockLabel(l, props.viewerId, format, t)}
        {...hover}
      >
        <LockIcon size={12} />
        <span className={classes.barText}>{lockHolder(l, props.viewerId, t)}</span>
      </div>
    );
  }
  const r = board.reservations.get(line.id);
  if (!r) return null;
  return (
    <div
      id={id}
      role="gridcell"
      data-item="reservation"
      data-id={line.id}
      data-state={r.state}
      className={`${classes.line} ${classes.reservation} ${activeClass}`}
      style={style}
      aria-label={reservationLabel(r, unitName, board.model, format, t)}
      onClick={props.onClick}
      {...hover}
    >
      <StateIcon state={r.state} size={12} />
      <span className={classes.barText}>{guestName(r, t)}</span>
      {r.quantity > 1 ? <span className={classes.quantity}>×{r.quantity}</span> : null}
    </div>
  );
}

function FreeCell(props: { board: BoardModel; row: number; col: number; unitName: string; dayWidth: number; format: LabelFormat; t: BoardT }) {
  const { board, row, col, unitName, dayWidth, format, t } = props;
  const cell = board.axis.cells[col];
  if (!cell) return null;
  return (
    <div
      id={targetElementId(row, col, { kind: 'free' })}
      role="gridcell"
      aria-colindex={cell.day + 2}
      className={classes.cursor}
      style={{ left: cell.x0 * dayWidth, width: (cell.x1 - cell.x0) * dayWidth }}
      aria-label={freeCellLabel(unitName, cell.date, cell.start, format, t)}
    />
  );
}

function SelectionBox({ board, range, dayWidth }: { board: BoardModel; range: SelectedRange; dayWidth: number }) {
  const a = board.axis.cells[range.from];
  const b = board.axis.cells[range.to];
  if (!a || !b) return null;
  return <div className={classes.selection} style={{ left: a.x0 * dayWidth, width: (b.x1 - a.x0) * dayWidth }} aria-hidden="true" data-testid="board-selection" />;
}

// --- Tooltip ------------------------------------------------------------------

interface TooltipProps {
  board: BoardModel;
  shown: Shown;
  /** The id of the element it describes (placed beside it). */
  anchorId: string;
  reservationLocks: ReadonlyMap<string, BoardLockFragment>;
  viewerId: string | undefined;
  format: LabelFormat;
  t: BoardT;
}

/**
 * The details of the item under the pointer or the cursor, beside it (below,
 * or above when there is no room), over the page so that the grid's edges do
 * not cut it off. It describes the item (`aria-describedby`).
 */
function Tooltip(props: TooltipProps) {
  const { board, shown, anchorId, format, t } = props;
  const tip = useRef<HTMLDivElement>(null);
  // Placed after every render: the item moves as the grid scrolls.
  useLayoutEffect(() => {
    const element = tip.current;
    const anchor = document.getElementById(anchorId);
    if (!element) return;
    if (!anchor) {
      element.style.visibility = 'hidden';
      return;
    }
    const a = anchor.getBoundingClientRect();
    const size = element.getBoundingClientRect();
    const gap = 6;
    const fitsBelow = a.bottom + gap + size.height <= window.innerHeight;
    const top = fitsBelow || a.top - gap - size.height < 0 ? a.bottom + gap : a.top - gap - size.height;
    const left = Math.min(Math.max(4, a.left), Math.max(4, window.innerWidth - size.width - 4));
    element.style.top = `${top}px`;
    element.style.left = `${left}px`;
    element.style.visibility = 'visible';
  });
  const target = shown.target;
  if (target.kind === 'free') return null;
  const unitName = board.units[shown.row]?.name ?? '';
  let title = '';
  let lines: { term: string; value: string }[] = [];
  let hint = '';
  if (target.kind === 'reservation') {
    const r: BoardReservationFragment | undefined = board.reservations.get(target.id);
    if (!r) return null;
    title = guestName(r, t);
    lines = reservationDetails(r, unitName, board.model, format, t);
    const lock = props.reservationLocks.get(r.id);
    if (lock) lines.push({ term: t('details.lock'), value: lockLabel(lock, props.viewerId, format, t) });
    hint = t('details.openHint');
  } else if (target.kind === 'block') {
    const b: BoardBlockFragment | undefined = board.blocks.get(target.id);
    if (!b) return null;
    title = b.manual ? t('block.staff') : t('block.importedTitle');
    lines = [
      { term: t('details.unit'), value: unitName },
      { term: t('details.when'), value: blockWhen(b, board.model, format) },
      b.manual
        ? { term: t('details.reason'), value: b.reason ?? '' }
        : { term: t('details.source'), value: b.source },
    ];
    if (b.manual && b.createdBy) lines.push({ term: t('details.by'), value: b.createdBy });
    hint = b.manual ? t('block.liftHint') : t('block.importedHint');
  } else if (target.kind === 'lock') {
    const l = board.locks.get(target.id);
    if (!l) return null;
    title = t('lock.title');
    lines = [
      { term: t('details.holder'), value: lockHolder(l, props.viewerId, t) },
      { term: t('details.unit'), value: unitName },
      { term: t('details.until'), value: formatTime(l.expiresAt, format.locale, format.timeZone) },
    ];
  } else {
    return null;
  }
  return createPortal(
    <div id="board-tip" ref={tip} role="tooltip" className={classes.tooltip} style={{ visibility: 'hidden' }}>
      <div className={classes.tipTitle}>{title}</div>
      <dl className={classes.tipList}>
        {lines.map((line) => (
          <Fragment key={line.term}>
            <dt>{line.term}</dt>
            <dd>{line.value}</dd>
          </Fragment>
        ))}
      </dl>
      {hint ? <div className={classes.tipHint}>{hint}</div> : null}
    </div>,
    document.body,
  );
}
