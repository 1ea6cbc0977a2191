// How a calendar sync's last fetch went, as a message key (`calendars.status.*`)
// and the instant it names.
import type { SettingsCalendarSyncFragment } from '@/gql/graphql';

export interface SyncOutcome {
  key: 'pending' | 'imported' | 'unchanged' | 'failed';
  /** The instant the message names (the last attempt). */
  at: string | null;
  failed: boolean;
}

export function syncOutcome(sync: Pick<SettingsCalendarSyncFragment, 'lastStatus' | 'lastAttemptAt'>): SyncOutcome {
  switch (sync.lastStatus) {
    case 'IMPORTED':
      return { key: 'imported', at: sync.lastAttemptAt ?? null, failed: false };
    case 'NOT_MODIFIED':
      return { key: 'unchanged', at: sync.lastAttemptAt ?? null, failed: false };
    case 'FAILED':
      return { key: 'failed', at: sync.lastAttemptAt ?? null, failed: true };
    default:
      return { key: 'pending', at: null, failed: false };
  }
}
