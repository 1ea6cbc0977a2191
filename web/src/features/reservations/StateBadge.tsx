// A reservation's state as a badge: its name in words (colour only helps),
// with a small mark per state for those who cannot tell the colours apart.
import type { ReservationState } from '@/gql/graphql';
import { useTranslation } from 'react-i18next';
import classes from './reservations.module.css';

const marks: Record<ReservationState, string> = {
  HELD: '◔',
  CONFIRMED: '●',
  CHECKED_IN: '▶',
  FINISHED: '✓',
  CANCELED: '✕',
  ABSENT: '–',
};

export function StateBadge({ state, size = 'sm' }: { state: ReservationState; size?: 'sm' | 'md' }) {
  const { t } = useTranslation('reservations');
  return (
    <span className={classes.state} data-state={state} data-size={size}>
      <span aria-hidden className={classes.stateMark}>
        {marks[state]}
      </span>
      {t(`state.${state}`)}
    </span>
  );
}
