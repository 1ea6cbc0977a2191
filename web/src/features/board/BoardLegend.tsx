// The board's legend: each reservation state's colour with its icon (and
// pattern), staff and imported blocks, locks, and today's column.
import { BlockIcon, ImportIcon, LockIcon, StateIcon } from './icons';
import type { BoardT } from './labels';
import classes from './board.module.css';

const states = ['HELD', 'CONFIRMED', 'CHECKED_IN', 'FINISHED', 'ABSENT', 'CANCELED'] as const;

export function BoardLegend({ t, showCanceled }: { t: BoardT; showCanceled: boolean }) {
  return (
    <ul className={classes.legend} aria-label={t('legend.label')}>
      {states
        .filter((s) => showCanceled || s !== 'CANCELED')
        .map((state) => (
          <li key={state} className={classes.legendItem}>
            <span className={`${classes.bar} ${classes.swatch}`} data-state={state} aria-hidden="true">
              <StateIcon state={state} size={12} />
            </span>
            {t(`state.${state}`)}
          </li>
        ))}
      <li className={classes.legendItem}>
        <span className={`${classes.bar} ${classes.swatch} ${classes.staffBlock}`} aria-hidden="true">
          <BlockIcon size={12} />
        </span>
        {t('legend.staffBlock')}
      </li>
      <li className={classes.legendItem}>
        <span className={`${classes.bar} ${classes.swatch} ${classes.importedBlock}`} aria-hidden="true">
          <ImportIcon size={12} />
        </span>
        {t('legend.importedBlock')}
      </li>
      <li className={classes.legendItem}>
        <span className={`${classes.bar} ${classes.swatch} ${classes.lock}`} aria-hidden="true">
          <LockIcon size={12} />
        </span>
        {t('legend.lock')}
      </li>
      <li className={classes.legendItem}>
        <span className={classes.todaySwatch} aria-hidden="true" />
        {t('legend.today')}
      </li>
    </ul>
  );
}
