// Running an action on a reservation: the mutation's outcome in words, with a
// stale edit (CONFLICT: someone changed it since this screen loaded it) told
// apart so the screen can offer to reload it.
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CombinedError } from 'urql';
import { describeError, problemKind, type Problem } from '@/lib/errors';

export interface ActionOutcome {
  problem: Problem | null;
  /** The problem is a stale edit: reload and try again. */
  stale: boolean;
}

export const noOutcome: ActionOutcome = { problem: null, stale: false };

/** The outcome of an error (null: it went through). */
export function outcomeOf(error: CombinedError | undefined, t: (key: string, options?: Record<string, unknown>) => string): ActionOutcome {
  if (!error) return noOutcome;
  const kind = problemKind(error);
  if (kind === 'CONFLICT') {
    return { problem: describeError(error, t, { CONFLICT: t('reservations:stale.message') }), stale: true };
  }
  return { problem: describeError(error, t), stale: false };
}

/** Holds the outcome of the last action of one place on the screen. */
export function useActionOutcome() {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<ActionOutcome>(noOutcome);
  const report = useCallback((error: CombinedError | undefined) => setOutcome(outcomeOf(error, t)), [t]);
  const clear = useCallback(() => setOutcome(noOutcome), []);
  return { outcome, report, clear };
}
