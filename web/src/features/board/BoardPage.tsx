// The board (tape chart): units as rows, 7, 14 or 30 days as columns (a
// day for interval tenants too), from one `board` request per range, kept
// live by `boardEvents` and `lockEvents`. Select free cells (pointer or
// keys) to open the booking panel on them or to block them; open a
// reservation from its bar; lift a staff block. The range and view are in
// the address (`?from=2026-12-22&days=14`).
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/Drawer.css';
import '@mantine/core/styles/SegmentedControl.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/Radio.css';
import '@mantine/core/styles/Input.css';
import '@mantine/core/styles/CloseButton.css';
import '@mantine/core/styles/List.css';
import { ActionIcon, Alert, Button, Checkbox, CloseButton, Group, NativeSelect, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useElementSize, useMediaQuery } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { NewReservationPanel, type NewReservationInitial } from '@/features/booking';
import { BoardDocument, type BlockUnitInput, type BoardBlockFragment, type BoardLockFragment, type PeriodInput } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { addDays, parseDate } from '@/lib/format';
import { usePageTitle } from '@/lib/page-title';
import { useTenant, useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { BlockDialog, LiftDialog, SlotListDialog } from './BoardDialogs';
import { BoardGrid } from './BoardGrid';
import { BoardLegend } from './BoardLegend';
import { Chevron } from './icons';
import { formatDate, formatDateRange, formatInstantRange, formatTime } from './intl';
import { blockWhen, type BoardT, type LabelFormat } from './labels';
import { hoursOf, nightsOf, type Model, type Target } from './layout';
import { useLiveBoard, type BoardData } from './live';
import { buildBoardModel, findReservation, reservationLocks, type BoardModel } from './model';
import { boardSearch, changeView, rangeAround, rangeEnd, readBoardAddress, viewsFor, type BoardAddress, type View } from './range';
import { clearSelection, fitSelection, initialSelection, pointTo, selectedRange, type SelectedRange, type SelectionState } from './selection';
import { localDate, startOfDay, toMs } from './time';
import classes from './board.module.css';

/** The width of the unit column. */
function unitColumn(narrow: boolean): number {
  return narrow ? 100 : 168;
}

/** A day column's width: the room shared out, but never narrower than the model needs. */
export function dayColumnWidth(model: Model, days: number, room: number, hoursPerDay: number): number {
  const share = room / days;
  if (model === 'interval') return Math.max(share, hoursPerDay * (days === 1 ? 44 : 10));
  if (model === 'timeslot') return Math.max(share, days === 30 ? 100 : 112);
  return Math.max(share, days === 30 ? 30 : days === 14 ? 44 : 48);
}

/** What the selection bar and the dialogs work on: the selected cells of a unit. */
interface Picked {
  range: SelectedRange;
  unitId: string;
  unitName: string;
  /** Timeslot: the slot chosen (start, ms). */
  slot?: number;
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** The booking panel's period for the picked cells, in the model's shape. */
export function periodOf(board: BoardModel, picked: Picked): PeriodInput | undefined {
  const { axis } = board;
  if (board.model === 'nightly') return nightsOf(axis, picked.range.from, picked.range.to);
  if (board.model === 'interval') {
    const { start, end } = hoursOf(axis, picked.range.from, picked.range.to);
    return { start: isoOf(start), end: isoOf(end) };
  }
  return picked.slot === undefined ? undefined : { start: isoOf(picked.slot) };
}

/** A block's period for the picked cells: nights, whole local days (timeslot) or hours. */
export function blockPeriodOf(board: BoardModel, picked: Picked, timeZone: string): PeriodInput {
  const { axis } = board;
  if (board.model === 'nightly') return nightsOf(axis, picked.range.from, picked.range.to);
  if (board.model === 'interval') {
    const { start, end } = hoursOf(axis, picked.range.from, picked.range.to);
    return { start: isoOf(start), end: isoOf(end) };
  }
  const first = axis.cells[picked.range.from]!.date;
  const last = axis.cells[picked.range.to]!.date;
  return { start: isoOf(startOfDay(first, timeZone)), end: isoOf(startOfDay(addDays(last, 1), timeZone)) };
}

/** The slots of a unit on a date, in time order. */
function slotsOn(board: BoardModel, unitId: string, date: string, timeZone: string) {
  return [...board.slots.values()]
    .filter((s) => s.unitId === unitId && localDate(s.start, timeZone) === date)
    .sort((a, b) => toMs(a.start) - toMs(b.start));
}

/** Words for the picked cells: `Birch Cabin · 24–27 Dec · 3 nights`. */
function pickedWhen(board: BoardModel, picked: Picked, f: LabelFormat, t: BoardT): string {
  const { axis } = board;
  if (board.model === 'nightly') {
    const { checkIn, checkOut } = nightsOf(axis, picked.range.from, picked.range.to);
    const nights = picked.range.to - picked.range.from + 1;
    return `${formatDateRange(checkIn, checkOut, f.locale, { day: 'numeric', month: 'short' })} · ${t('selection.nights', { count: nights })}`;
  }
  if (board.model === 'interval') {
    const { start, end } = hoursOf(axis, picked.range.from, picked.range.to);
    return formatInstantRange(new Date(start), new Date(end), f.locale, f.timeZone, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  }
  const a = axis.cells[picked.range.from]!.date;
  const b = axis.cells[picked.range.to]!.date;
  return a === b ? formatDate(a, f.locale, { weekday: 'short', day: 'numeric', month: 'short' }) : formatDateRange(a, b, f.locale, { day: 'numeric', month: 'short' });
}

/** The board model of the live data, built again only when the data or the options change. */
function useBoardModel(data: BoardData | undefined, model: Model, timeZone: string, showCanceled: boolean) {
  const board = useMemo(
    () => (data ? buildBoardModel(data, { model, timeZone, showCanceled }) : undefined),
    [data, model, timeZone, showCanceled],
  );
  const locksOnReservations = useMemo(() => (data ? reservationLocks(data) : new Map<string, BoardLockFragment>()), [data]);
  return { board, locksOnReservations };
}

/** The staff blocks in a selection (which it offers to lift). */
function staffBlocksIn(board: BoardModel, range: SelectedRange): BoardBlockFragment[] {
  const ids = new Set<string>();
  for (let col = range.from; col <= range.to; col++) {
    for (const target of board.targets(range.row, col)) if (target.kind === 'block') ids.add(target.id);
  }
  return [...ids].map((id) => board.blocks.get(id)).filter((b): b is BoardBlockFragment => !!b?.manual);
}

export default function BoardPage() {
  const { t } = useTranslation('board');
  const { t: tCommon } = useTranslation();
  const tenant = useTenant();
  const viewer = useViewer();
  const format = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  usePageTitle(t('title'));

  const model = (['nightly', 'timeslot', 'interval'].includes(tenant.model) ? tenant.model : 'nightly') as Model;
  // Read at once (not after a first render), so a phone asks for its 7 days only.
  const narrow = useMediaQuery('(max-width: 48em)', undefined, { getInitialValueInEffect: false }) ?? false;
  const today = format.today();
  const address = readBoardAddress(location.search, { today, model, narrow });
  const { from, days, canceled } = address;
  const to = rangeEnd(from, days);
  const labelFormat: LabelFormat = useMemo(() => ({ locale: format.locale, timeZone: format.timeZone }), [format.locale, format.timeZone]);

  const [{ data: answer, error, fetching }, refetch] = useQuery({
    query: BoardDocument,
    variables: { from, to },
    requestPolicy: 'network-only',
  });
  const current = answer?.board.from === from && answer.board.to === to ? answer.board : undefined;
  const live = useLiveBoard(current, tenant.timezone);
  useEffect(() => {
    if (live.stale > 0) refetch({ requestPolicy: 'network-only' });
  }, [live.stale, refetch]);

  const data = live.data && live.data.from === from && live.data.to === to ? live.data : undefined;
  const { board, locksOnReservations } = useBoardModel(data, model, tenant.timezone, canceled);

  // --- The cursor and selection (reset for each range) ---------------------
  const rangeKey = `${from}|${days}|${model}`;
  const [openedAt] = useState(() => Date.now());
  const [selection, setSelection] = useState<SelectionState>(() => initialSelection());
  const [selectionKey, setSelectionKey] = useState<string | null>(null);
  if (board && selectionKey !== rangeKey) {
    // The cursor starts on today (interval boards: the current hour, or today's first).
    const now = openedAt;
    const hour = board.axis.cells.findIndex((c) => c.date === today && c.start !== undefined && c.end !== undefined && c.start <= now && now < c.end);
    const todayCol = hour >= 0 ? hour : board.axis.cells.findIndex((c) => c.date === today);
    setSelectionKey(rangeKey);
    setSelection((s) => initialSelection(Math.min(s.cursor.row, Math.max(0, board.units.length - 1)), Math.max(0, todayCol)));
  }
  const shape = board
    ? { rows: board.units.length, cols: board.axis.cells.length, layers: (r: number, c: number) => board.targets(r, c).length }
    : null;
  const fitted = shape ? fitSelection(selection, shape) : selection;
  if (fitted !== selection) setSelection(fitted);

  const range = selectedRange(selection);
  const cursorTargets = board ? board.targets(selection.cursor.row, selection.cursor.col) : [];
  const cursorTarget = cursorTargets[Math.min(selection.cursor.layer, cursorTargets.length - 1)];

  // --- Sizes ---------------------------------------------------------------------
  const { ref: sizeRef, width } = useElementSize();
  const unitWidth = unitColumn(narrow);
  const hoursPerDay = board?.axis.window ? (board.axis.window.end - board.axis.window.start) / 60 : 12;
  const dayWidth = Math.floor(dayColumnWidth(model, days, Math.max(0, (width || 1000) - unitWidth - 2), hoursPerDay));
  const headerHeight = model === 'interval' ? 50 : 42;

  // --- Navigation ------------------------------------------------------------------
  function go(next: BoardAddress) {
    void navigate({ search: boardSearch(next) }, { replace: true });
  }
  const [jumpValue, setJumpValue] = useState('');

  // --- Actions ----------------------------------------------------------------------
  const [booking, setBooking] = useState<{ key: number; initial: NewReservationInitial } | null>(null);
  const [blocking, setBlocking] = useState<{ input: Omit<BlockUnitInput, 'reason'>; unitName: string; when: string } | null>(null);
  const [lifting, setLifting] = useState<BoardBlockFragment | null>(null);
  const [slotList, setSlotList] = useState<{ unitId: string; slot: number; title: string } | null>(null);
  const [status, setStatus] = useState('');
  const [focusReservation, setFocusReservation] = useState<string | null>(null);
  const [chosenSlot, setChosenSlot] = useState<number | undefined>(undefined);
  const gridWrap = useRef<HTMLDivElement>(null);

  function focusGrid() {
    gridWrap.current?.querySelector<HTMLElement>('[role="grid"]')?.focus();
  }

  /** The picked cells: the selection, or the cursor's cell. */
  function pick(sel: SelectedRange | null, target: Target | undefined): Picked | null {
    if (!board) return null;
    const r = sel ?? { row: selection.cursor.row, from: selection.cursor.col, to: selection.cursor.col };
    const unit = board.units[r.row];
    if (!unit) return null;
    let slot: number | undefined;
    if (board.model === 'timeslot') {
      if (target && target.kind !== 'free' && target.slot !== undefined) slot = target.slot;
      else {
        const date = board.axis.cells[r.from]!.date;
        const slots = slotsOn(board, unit.id, date, tenant.timezone);
        slot = toMs((slots.find((s) => s.left > 0) ?? slots[0])?.start ?? NaN);
        if (!Number.isFinite(slot)) slot = undefined;
      }
    }
    return { range: r, unitId: unit.id, unitName: unit.name, slot };
  }

  const picked = board && range ? pick(range, cursorTarget) : null;
  const pickedSlot = picked && board?.model === 'timeslot' ? (chosenSlot ?? picked.slot) : undefined;

  function openBooking(p: Picked | null) {
    if (!board || !p) return;
    const period = periodOf(board, p);
    setBooking({ key: Date.now(), initial: { unitId: p.unitId, ...(period ? { period } : {}) } });
  }

  function openBlock(p: Picked | null) {
    if (!board || !p) return;
    setBlocking({
      input: { unitId: p.unitId, period: blockPeriodOf(board, p, tenant.timezone) },
      unitName: p.unitName,
      when: pickedWhen(board, p, labelFormat, t),
    });
  }

  function onActivate(target: Target, at: { row: number; col: number }) {
    if (!board) return;
    switch (target.kind) {
      case 'reservation':
        void navigate(`/reservations/${target.id}`);
        return;
      case 'block': {
        const b = board.blocks.get(target.id);
        if (b?.manual) setLifting(b);
        else if (b) setStatus(t('block.importedHint'));
        return;
      }
      case 'lock':
        return;
      case 'more': {
        const unit = board.units[at.row];
        if (unit && target.slot !== undefined) {
          setSlotList({
            unitId: unit.id,
            slot: target.slot,
            title: `${unit.name} · ${formatDate(board.axis.cells[at.col]!.date, format.locale, { weekday: 'short', day: 'numeric', month: 'short' })} ${formatTime(new Date(target.slot), format.locale, format.timeZone)}`,
          });
        }
        return;
      }
      case 'slot':
      case 'free':
        openBooking(pick({ row: at.row, from: at.col, to: at.col }, target));
        return;
    }
  }

  // After booking: the cursor goes to the new bar once it is on the board.
  const [focusTick, setFocusTick] = useState(0);
  if (focusReservation && board) {
    const at = findReservation(board, focusReservation);
    if (at) {
      setFocusReservation(null);
      setSelection((s) => pointTo(s, at.row, at.col, at.layer));
      setFocusTick((n) => n + 1);
    }
  }
  useEffect(() => {
    if (focusTick > 0) focusGrid();
  }, [focusTick]);

  // The block under the cursor (a staff block can be lifted from the bar below).
  const cursorBlock = cursorTarget?.kind === 'block' ? board?.blocks.get(cursorTarget.id) : undefined;
  const liftable = cursorBlock?.manual ? cursorBlock : board && range ? staffBlocksIn(board, range)[0] : undefined;

  const rangeTitle = formatDateRange(from, to, format.locale, { day: 'numeric', month: 'short', year: 'numeric' });
  const viewOptions = viewsFor(model).map((v) => ({ value: String(v), label: v === 1 ? t('view.day') : t('view.days', { count: v }) }));
  const problem = error && !data ? describeError(error, tCommon) : null;
  const timeslotChoices = picked && board?.model === 'timeslot' ? slotsOn(board, picked.unitId, board.axis.cells[picked.range.from]!.date, tenant.timezone) : [];

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" gap="sm">
        <div>
          <Title order={1} id="board-title" fz={{ base: 'h2', sm: 'h1' }}>
            {t('title')}
          </Title>
          <Text id="board-range" className={classes.rangeTitle} fz="sm" c="dimmed" aria-live="polite">
            {rangeTitle}
          </Text>
        </div>
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Group gap={6} role="group" aria-label={t('nav.label')} wrap="nowrap">
            <ActionIcon variant="default" size="lg" aria-label={t('nav.previous', { count: days })} onClick={() => go({ ...address, from: addDays(from, -days) })}>
              <Chevron direction="left" />
            </ActionIcon>
            <Button variant="default" onClick={() => go({ ...address, from: rangeAround(today, days) })}>
              {t('nav.today')}
            </Button>
            <ActionIcon variant="default" size="lg" aria-label={t('nav.next', { count: days })} onClick={() => go({ ...address, from: addDays(from, days) })}>
              <Chevron direction="right" />
            </ActionIcon>
          </Group>
          <TextInput
            type="date"
            size="sm"
            label={t('nav.jump')}
            value={jumpValue}
            w={150}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setJumpValue(value);
              try {
                parseDate(value);
                go({ ...address, from: rangeAround(value, days) });
              } catch {
                // Not a whole date yet.
              }
            }}
          />
          <SegmentedControl
            aria-label={t('view.label')}
            data={viewOptions}
            value={String(days)}
            onChange={(v) => go(changeView(address, Number(v) as View, today))}
          />
          <Checkbox
            label={t('view.canceled')}
            checked={canceled}
            onChange={(e) => go({ ...address, canceled: e.currentTarget.checked })}
            mb={8}
          />
        </Group>
      </Group>

      {problem ? (
        <Stack gap="xs">
          <ProblemAlert problem={problem} title={t('loadFailed')} />
          <Group>
            <Button variant="default" loading={fetching} onClick={() => refetch({ requestPolicy: 'network-only' })}>
              {t('retry')}
            </Button>
          </Group>
        </Stack>
      ) : null}
      {data?.truncated ? (
        <Alert color="yellow" variant="light">
          {t('truncated')}
        </Alert>
      ) : null}

      <div ref={sizeRef}>
        <div ref={gridWrap}>
          {board ? (
            board.units.length === 0 ? (
              <Text c="dimmed">{t('noUnits')}</Text>
            ) : (
              <BoardGrid
                board={board}
                today={today}
                dayWidth={dayWidth}
                unitWidth={unitWidth}
                headerHeight={headerHeight}
                maxHeight="max(320px, calc(100dvh - 270px))"
                selection={selection}
                onSelection={(next) => {
                  if (next.cursor.row !== selection.cursor.row || next.cursor.col !== selection.cursor.col || next.anchor?.col !== selection.anchor?.col) {
                    setChosenSlot(undefined);
                  }
                  setSelection(next);
                }}
                onActivate={onActivate}
                onCreate={(r, target) => openBooking(pick(r, target))}
                onEscape={() => setStatus('')}
                reservationLocks={locksOnReservations}
                viewerId={viewer?.id}
                format={labelFormat}
                t={t}
                labelledBy="board-title board-range"
                describedBy="board-keys"
                busy={fetching}
              />
            )
          ) : !problem ? (
            <Text c="dimmed" role="status">
              {t('loading')}
            </Text>
          ) : null}
        </div>
      </div>

      {picked || liftable || cursorBlock ? (
        <div className={classes.selectionBar} role="region" aria-label={t('selection.label')}>
          <Group justify="space-between" gap="sm" wrap="wrap">
            {picked && board ? (
              <Text fw={600} fz="sm">
                {picked.unitName} · {pickedWhen(board, picked, labelFormat, t)}
              </Text>
            ) : cursorBlock && board ? (
              <Text fw={600} fz="sm">
                {board.units[selection.cursor.row]?.name} · {blockWhen(cursorBlock, model, labelFormat)} ·{' '}
                {cursorBlock.manual ? cursorBlock.reason : t('block.imported', { source: cursorBlock.source })}
              </Text>
            ) : (
              <span />
            )}
            <Group gap="xs" wrap="wrap">
              {picked && timeslotChoices.length > 1 ? (
                <NativeSelect
                  size="xs"
                  aria-label={t('selection.slot')}
                  value={String(pickedSlot ?? '')}
                  onChange={(e) => setChosenSlot(Number(e.currentTarget.value))}
                  data={timeslotChoices.map((s) => ({
                    value: String(toMs(s.start)),
                    label: t('slot.option', { time: formatTime(s.start, format.locale, format.timeZone), count: s.left }),
                  }))}
                />
              ) : null}
              {picked ? (
                <>
                  <Button size="xs" onClick={() => openBooking({ ...picked, slot: pickedSlot })}>
                    {t('selection.book')}
                  </Button>
                  <Button size="xs" variant="default" onClick={() => openBlock(picked)}>
                    {t('selection.block')}
                  </Button>
                </>
              ) : null}
              {liftable ? (
                <Button size="xs" color="red" variant="light" onClick={() => setLifting(liftable)}>
                  {t('selection.lift')}
                </Button>
              ) : cursorBlock && !cursorBlock.manual ? (
                <Text fz="xs" c="dimmed">
                  {t('block.importedHint')}
                </Text>
              ) : null}
              {picked ? (
                <CloseButton
                  aria-label={t('selection.clear')}
                  onClick={() => {
                    setSelection((s) => clearSelection(s));
                    focusGrid();
                  }}
                />
              ) : null}
            </Group>
          </Group>
        </div>
      ) : null}

      <Text id="board-keys" fz="xs" c="dimmed">
        {t('keyboardHint')}
      </Text>
      <BoardLegend t={t} showCanceled={canceled} />
      <Text role="status" fz="sm" c="dimmed">
        {status}
      </Text>

      <NewReservationPanel
        key={booking?.key}
        opened={booking !== null}
        onClose={() => {
          setBooking(null);
          focusGrid();
        }}
        initial={booking?.initial}
        onCreated={(id) => {
          setBooking(null);
          setSelection((s) => clearSelection(s));
          setStatus(t('booked'));
          setFocusReservation(id);
        }}
      />
      <BlockDialog
        input={blocking?.input ?? null}
        unitName={blocking?.unitName ?? ''}
        when={blocking?.when ?? ''}
        onClose={() => setBlocking(null)}
        onBlocked={() => {
          setBlocking(null);
          setSelection((s) => clearSelection(s));
          setStatus(t('blocked'));
          refetch({ requestPolicy: 'network-only' });
        }}
      />
      <LiftDialog
        block={lifting}
        unitName={lifting && board ? (board.units[board.rowOf.get(lifting.unitId) ?? -1]?.name ?? '') : ''}
        when={lifting ? blockWhen(lifting, model, labelFormat) : ''}
        onClose={() => setLifting(null)}
        onLifted={() => {
          setLifting(null);
          setStatus(t('lifted'));
          refetch({ requestPolicy: 'network-only' });
        }}
      />
      <SlotListDialog
        title={slotList?.title ?? null}
        reservations={
          slotList && board
            ? [...board.reservations.values()].filter((r) => r.unit.id === slotList.unitId && toMs(r.start) === slotList.slot)
            : []
        }
        onClose={() => setSlotList(null)}
      />
    </Stack>
  );
}

