// Whether the chosen range is held for this user: a quiet line while it is,
// and in words when another user holds it (naming them) or locking failed.
import { Button, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '@/components/ProblemAlert';
import type { CombinedError } from 'urql';
import { describeError } from '@/lib/errors';
import { useViewer } from '@/lib/session/session';
import type { RangeLockState } from './use-range-lock';

/**
 * Whether the user holds the range themselves, in another session (another
 * tab's or device's sign-in, or one that just closed without letting go).
 */
export function heldBySelf(error: CombinedError, viewerId: string | undefined): boolean {
  const holder = error.graphQLErrors[0]?.extensions.holder as { actor?: unknown } | undefined;
  return !!viewerId && holder?.actor === `user:${viewerId}`;
}

export function LockStatus({ state, onRetry }: { state: RangeLockState; onRetry: () => void }) {
  const { t } = useTranslation('booking');
  const { t: tc } = useTranslation();
  const viewer = useViewer();
  if (state.status === 'idle') return null;
  if (state.status === 'failed') {
    const problem = describeError(state.error, tc);
    const words =
      problem.kind !== 'LOCKED'
        ? problem
        : heldBySelf(state.error, viewer?.id)
          ? { ...problem, message: t('lock.heldBySelf') }
          : { ...problem, message: problem.holder ? t('lock.heldBy', { holder: problem.holder }) : t('lock.heldByOther') };
    return (
      <Stack gap={6}>
        <ProblemAlert problem={words} title={problem.kind === 'LOCKED' ? t('lock.refusedTitle') : t('lock.failedTitle')} />
        <Group>
          <Button variant="default" size="compact-sm" onClick={onRetry} type="button">
            {t('lock.retry')}
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Text fz="sm" c="dimmed" role="status" aria-live="polite" data-lock-status={state.status}>
      {state.status === 'held' ? t('lock.held') : t('lock.acquiring')}
    </Text>
  );
}
