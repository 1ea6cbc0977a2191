// The heatmap's legend: each step's colour and the percentages it covers,
// and the pattern of a day without capacity.
import classes from './calendar.module.css';
import type { CalendarT } from './day-label';
import { heatColors, heatSteps, stepRange } from './heatmap-scale';

export function HeatmapLegend({ t }: { t: CalendarT }) {
  return (
    <ul className={classes.legend} aria-label={t('legend.label')}>
      {heatSteps.map((step) => {
        const [from, to] = stepRange(step);
        const label =
          step === 0 ? t('legend.zero') : to === null ? t('legend.full', { from }) : t('legend.range', { from, to });
        return (
          <li key={step} className={classes.legendItem}>
            <span className={classes.swatch} style={{ background: heatColors[step].background }} aria-hidden="true" />
            {label}
          </li>
        );
      })}
      <li className={classes.legendItem}>
        <span className={`${classes.swatch} ${classes.closed}`} aria-hidden="true" />
        {t('legend.closed')}
      </li>
    </ul>
  );
}
