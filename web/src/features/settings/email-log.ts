// The e-mail log's rules, apart from its screen: which status filter the
// address asks for, the mark beside each status word, whether a message can
// be sent again, and what the server last answered.
import type { EmailStatus, SettingsEmailMessageFragment } from '@/gql/graphql';

/** The statuses, in the order the filter offers them. */
export const emailStatuses: readonly EmailStatus[] = ['PENDING', 'SENT', 'FAILED', 'SKIPPED'];

/** A mark beside each status word (never colour alone). */
export const statusMarks: Record<EmailStatus, string> = { PENDING: '◔', SENT: '✓', FAILED: '✕', SKIPPED: '–' };

/** The status filter `?status=failed` asks for; anything else is no filter. */
export function statusFilter(search: URLSearchParams): EmailStatus | null {
  const value = search.get('status')?.toUpperCase();
  return emailStatuses.find((s) => s === value) ?? null;
}

/** The address for the status filter `status` (null: all), other parameters kept. */
export function withStatusFilter(search: URLSearchParams, status: EmailStatus | null): URLSearchParams {
  const next = new URLSearchParams(search);
  if (status) next.set('status', status.toLowerCase());
  else next.delete('status');
  return next;
}

type Message = Pick<SettingsEmailMessageFragment, 'status' | 'recipient'>;

/**
 * Why a message cannot be sent again, or null when it can (sent or failed):
 * a pending one is on its way already, a skipped one was not to be sent (a
 * reminder of a canceled stay), an erased guest's has nobody to go to. The
 * server says CONFLICT for each; the screen offers no button.
 */
export function resendBlocked(message: Message): 'unsent' | 'erased' | null {
  if (message.status === 'PENDING' || message.status === 'SKIPPED') return 'unsent';
  if (message.recipient === null) return 'erased';
  return null;
}

/** The SMTP server's last reply code and the last error, if an attempt was made. */
export function lastAnswer(message: Pick<SettingsEmailMessageFragment, 'attemptLog' | 'lastError'>): { code: number | null; error: string | null } {
  const last = message.attemptLog.at(-1);
  return { code: last?.smtpCode ?? null, error: message.lastError ?? last?.error ?? null };
}
