// The month heatmap: a grid of the month's weeks, each day of the month a
// button coloured by its occupancy with the percentage printed, named like
// `2026-12-24: 3 of 5 occupied (60%)` (the web contract). Days of the
// neighbouring months fill the first and last week, muted, and are not
// buttons.
//
// Keyboard (WAI-ARIA grid, roving tabindex): one day is in the tab order; the
// arrows move a day or a week (crossing into the neighbouring month), Home and
// End to the week's start and end, Page Up / Page Down a month (Shift: a
// year); Enter or Space opens the day. The screen decides which month is shown,
// so moves that leave the month go through `onNavigate`.
import { useEffect, useRef, type CSSProperties, type KeyboardEvent } from 'react';
import { VisuallyHidden } from '@mantine/core';
import { addDays, formatDate } from '@/lib/format';
import classes from './calendar.module.css';
import { dayLabel, formatAmount, hasCapacity, type CalendarT, type DayFigures } from './day-label';
import { heatColors, heatStep, percentOf } from './heatmap-scale';
import { monthOf, monthWeeks, moveFocus, weekdayOrder, type Month } from './month';

export interface MonthHeatmapProps {
  month: Month;
  /** Today at the business. */
  today: string;
  /** ISO weekday that starts a week (1 Monday … 7 Sunday). */
  firstDay: number;
  /** The month's figures by date; undefined while unknown. */
  days: ReadonlyMap<string, DayFigures> | undefined;
  /** Whether the figures are being fetched. */
  loading: boolean;
  /** The day in the tab order (a day of `month`). */
  focusDate: string;
  /** The formatting locale (numbers, weekday names). */
  locale: string;
  t: CalendarT;
  /** The id of the month's heading, which names the grid. */
  labelledBy: string;
  /** The id of a hint on the keys, which describes the grid. */
  describedBy?: string;
  /** A day was chosen (click, Enter, Space). */
  onOpen: (date: string) => void;
  /** The focus should move to `date`, possibly in another month. */
  onNavigate: (date: string) => void;
}

/** A date whose weekday is `isoWeekday` (2024-01-01 was a Monday). */
function weekdayDate(isoWeekday: number): string {
  return addDays('2024-01-01', isoWeekday - 1);
}

export function MonthHeatmap(props: MonthHeatmapProps) {
  const { month, today, firstDay, days, loading, focusDate, locale, t, onOpen, onNavigate } = props;
  const grid = useRef<HTMLTableElement>(null);
  // The day a key moved the focus to: once it is drawn (perhaps in another
  // month), it receives the focus.
  const moved = useRef<string | null>(null);

  useEffect(() => {
    if (!moved.current || moved.current !== focusDate) return;
    const button = grid.current?.querySelector<HTMLButtonElement>(`button[data-date="${focusDate}"]`);
    if (button) {
      moved.current = null;
      button.focus();
    }
  }, [focusDate, month]);

  function onKeyDown(event: KeyboardEvent<HTMLTableElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const from = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-date]')?.dataset.date;
    if (!from) return;
    const target = moveFocus(from, { key: event.key, shiftKey: event.shiftKey }, firstDay);
    if (!target) return;
    event.preventDefault();
    moved.current = target;
    onNavigate(target);
  }

  const weeks = monthWeeks(month, firstDay);
  const noCapacityId = `${props.labelledBy}-no-capacity`;

  return (
    <>
      <VisuallyHidden component="span" id={noCapacityId}>
        {t('legend.closed')}
      </VisuallyHidden>
      <table
        ref={grid}
        role="grid"
        className={classes.grid}
        aria-labelledby={props.labelledBy}
        aria-describedby={props.describedBy}
        aria-busy={loading || undefined}
        onKeyDown={onKeyDown}
      >
        <thead>
          <tr>
            {weekdayOrder(firstDay).map((weekday) => (
              <th key={weekday} scope="col" className={classes.weekday} abbr={formatDate(weekdayDate(weekday), locale, { weekday: 'long' })}>
                {formatDate(weekdayDate(weekday), locale, { weekday: 'short' })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]?.date}>
              {week.map(({ date, inMonth }) =>
                inMonth ? (
                  <td key={date} className={classes.cell}>
                    <DayButton
                      date={date}
                      figures={days?.get(date)}
                      pending={!days?.has(date) && loading}
                      today={date === today}
                      tabStop={date === focusDate}
                      locale={locale}
                      t={t}
                      noCapacityId={noCapacityId}
                      onOpen={onOpen}
                      onFocusDay={(d) => {
                        if (d !== focusDate && monthOf(d) === month) onNavigate(d);
                      }}
                    />
                  </td>
                ) : (
                  <td key={date} className={classes.outside} aria-hidden="true">
                    {Number(date.slice(8))}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

interface DayButtonProps {
  date: string;
  figures: DayFigures | undefined;
  pending: boolean;
  today: boolean;
  tabStop: boolean;
  locale: string;
  t: CalendarT;
  /** The id of the words "No capacity", which describe a day without capacity. */
  noCapacityId: string;
  onOpen: (date: string) => void;
  onFocusDay: (date: string) => void;
}

function DayButton(props: DayButtonProps) {
  const { date, figures, pending, today, tabStop, locale, t, onOpen, onFocusDay } = props;
  const step = figures ? heatStep(hasCapacity(figures) ? figures.ratio : null) : 0;
  const colors = heatColors[step];
  const style = { '--heat-bg': colors.background, '--heat-text': colors.text } as CSSProperties;
  const className = [classes.day, step === 'closed' ? classes.closed : '', today ? classes.today : '']
    .filter(Boolean)
    .join(' ');
  const percent = figures && hasCapacity(figures) ? percentOf(figures.ratio) : null;

  return (
    <button
      type="button"
      className={className}
      style={style}
      data-date={date}
      data-step={step}
      tabIndex={tabStop ? 0 : -1}
      aria-label={dayLabel(date, figures, t, locale)}
      aria-describedby={step === 'closed' ? props.noCapacityId : undefined}
      aria-current={today ? 'date' : undefined}
      aria-haspopup="dialog"
      onClick={() => onOpen(date)}
      onFocus={() => onFocusDay(date)}
    >
      <span className={classes.dayNumber} aria-hidden="true">
        {Number(date.slice(8))}
      </span>
      <span className={classes.reading} aria-hidden="true">
        {pending ? (
          <span className={classes.pending} />
        ) : figures ? (
          percent === null ? (
            <span className={classes.percent}>–</span>
          ) : (
            <>
              <span className={classes.percent}>{percent}%</span>
              <span className={classes.figures}>
                {t('day.short', {
                  occupied: formatAmount(figures.occupied, locale),
                  capacity: formatAmount(figures.capacity, locale),
                })}
              </span>
            </>
          )
        ) : null}
      </span>
    </button>
  );
}
