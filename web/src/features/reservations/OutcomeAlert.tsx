// An action's failure in words, beside the action; a stale edit offers to
// reload the reservation (then the user can try again on what is there now).
import { Button, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '@/components/ProblemAlert';
import type { ActionOutcome } from './use-action';

export function OutcomeAlert({ outcome, onReload, reloading }: { outcome: ActionOutcome; onReload: () => void; reloading?: boolean }) {
  const { t } = useTranslation('reservations');
  if (!outcome.problem) return null;
  return (
    <Stack gap={6} align="flex-start">
      <ProblemAlert problem={outcome.problem} title={outcome.stale ? t('stale.title') : t('actionFailed')} />
      {outcome.stale ? (
        <Button variant="default" size="compact-md" onClick={onReload} loading={reloading}>
          {t('stale.reload')}
        </Button>
      ) : null}
    </Stack>
  );
}
