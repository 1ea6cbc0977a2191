// The occupancy chart: hand-written SVG bars (no chart library), one per
// date, week or month, on a 0–100% axis. The SVG is one image to assistive
// technology with a summary as its name (overall, highest, lowest); a bar's
// figures appear in words under the chart when the pointer is on it, or when
// the chart has the focus and the arrow keys pick a bar. The same numbers are
// in the table beside it.
import { useState, type KeyboardEvent } from 'react';
import { Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useFormat } from '@/lib/use-format';
import type { Bucket, BucketSize } from './chart-data';
import { summaryOf } from './chart-data';
import classes from './dashboard.module.css';
import { formatNumber } from './numbers';

const height = 240;
const margin = { top: 12, right: 8, bottom: 44, left: 48 };
const ticks = [0, 0.25, 0.5, 0.75, 1];

/** A bar's label: the date, the week's first date, or the month. */
export function useBucketLabel(size: BucketSize) {
  const format = useFormat();
  return {
    long: (bucket: Bucket) =>
      size === 'month'
        ? format.date(bucket.from, { month: 'long', year: 'numeric' })
        : size === 'week'
          ? format.dateRange(bucket.from, bucket.to)
          : format.date(bucket.from),
    /** For the table: the date without its year (the range above says it). */
    row: (bucket: Bucket) =>
      size === 'month'
        ? format.date(bucket.from, { month: 'long', year: 'numeric' })
        : size === 'week'
          ? format.dateRange(bucket.from, bucket.to, { day: 'numeric', month: 'short' })
          : format.date(bucket.from, { weekday: 'short', day: 'numeric', month: 'short' }),
    short: (bucket: Bucket) =>
      size === 'month' ? format.date(bucket.from, { month: 'short' }) : format.date(bucket.from, { day: 'numeric', month: 'short' }),
  };
}

interface Props {
  buckets: Bucket[];
  size: BucketSize;
  rangeText: string;
}

export function OccupancyChart({ buckets, size, rangeText }: Props) {
  const { t } = useTranslation('dashboard');
  const format = useFormat();
  const { ref, width } = useElementSize<HTMLDivElement>();
  const [active, setActive] = useState<number>();
  const label = useBucketLabel(size);

  const plotWidth = Math.max(0, width - margin.left - margin.right);
  const plotHeight = height - margin.top - margin.bottom;
  const step = buckets.length > 0 ? plotWidth / buckets.length : 0;
  const barWidth = Math.max(1, step * (buckets.length > 40 ? 0.8 : 0.68));
  // Room for about one label per 56 px.
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.max(1, Math.floor(plotWidth / 56))));
  const y = (ratio: number) => margin.top + plotHeight * (1 - Math.min(1, Math.max(0, ratio)));

  const summary = summaryOf(buckets);
  const bars = t(`occupancy.bars.${size}`);
  const name =
    summary.ratio === null || !summary.high || !summary.low
      ? t('occupancy.summaryClosed', { bars, range: rangeText })
      : t('occupancy.summary', {
          bars,
          range: rangeText,
          overall: format.percent(summary.ratio),
          high: format.percent(summary.high.ratio ?? 0),
          highLabel: label.long(summary.high),
          low: format.percent(summary.low.ratio ?? 0),
          lowLabel: label.long(summary.low),
        });

  const current = active === undefined ? undefined : buckets[active];
  const readout = current
    ? current.ratio === null
      ? t('occupancy.readoutClosed', { label: label.long(current) })
      : t('occupancy.readout', {
          label: label.long(current),
          occupied: formatNumber(current.occupied, format.locale),
          capacity: formatNumber(current.capacity, format.locale),
          percent: format.percent(current.ratio),
        })
    : t('occupancy.hint');

  function onKeyDown(event: KeyboardEvent) {
    const last = buckets.length - 1;
    const at = active ?? -1;
    const next =
      event.key === 'ArrowRight' || event.key === 'ArrowUp'
        ? Math.min(last, at + 1)
        : event.key === 'ArrowLeft' || event.key === 'ArrowDown'
          ? Math.max(0, at < 0 ? last : at - 1)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    setActive(next);
  }

  return (
    <div>
      <div
        ref={ref}
        className={classes.chart}
        tabIndex={0}
        role="group"
        aria-label={t('occupancy.chartLabel')}
        aria-describedby="dashboard-occupancy-readout"
        onKeyDown={onKeyDown}
        onBlur={() => setActive(undefined)}
        onPointerLeave={() => setActive(undefined)}
      >
        <svg role="img" aria-label={name} width={width} height={height} className={classes.svg}>
          {width > 0 ? (
            <>
              {ticks.map((tick) => (
                <g key={tick}>
                  <line x1={margin.left} x2={margin.left + plotWidth} y1={y(tick)} y2={y(tick)} className={tick === 0 ? classes.axisLine : classes.gridLine} />
                  <text x={margin.left - 6} y={y(tick)} dy="0.32em" textAnchor="end" className={classes.tick}>
                    {format.percent(tick)}
                  </text>
                </g>
              ))}
              {buckets.map((bucket, index) => {
                const x = margin.left + step * index + (step - barWidth) / 2;
                const top = bucket.ratio === null ? y(0) : y(bucket.ratio);
                return (
                  <g key={bucket.from} onPointerEnter={() => setActive(index)}>
                    {/* The whole column answers the pointer, not only the bar. */}
                    <rect x={margin.left + step * index} y={margin.top} width={step} height={plotHeight} fill="transparent" />
                    {bucket.ratio === null ? (
                      <rect x={x} y={y(0) - 3} width={barWidth} height={3} className={classes.closedBar} />
                    ) : (
                      <rect x={x} y={top} width={barWidth} height={Math.max(0, y(0) - top)} className={index === active ? classes.barActive : classes.bar} />
                    )}
                    {index % labelEvery === 0 ? (
                      <text x={margin.left + step * index + step / 2} y={y(0) + 16} textAnchor="middle" className={classes.tick}>
                        {label.short(bucket)}
                      </text>
                    ) : null}
                  </g>
                );
              })}
              <text x={margin.left + plotWidth / 2} y={height - 6} textAnchor="middle" className={classes.axisTitle}>
                {t(`occupancy.axisX.${size}`)}
              </text>
              <text transform={`translate(12 ${margin.top + plotHeight / 2}) rotate(-90)`} textAnchor="middle" className={classes.axisTitle}>
                {t('occupancy.axisY')}
              </text>
            </>
          ) : null}
        </svg>
      </div>
      <Text id="dashboard-occupancy-readout" fz="sm" c={current ? undefined : 'dimmed'} mt={4} aria-live="polite" className={classes.readout}>
        {readout}
      </Text>
    </div>
  );
}
