// The lock on the range a user is booking (or moving a reservation to), held
// while the panel or dialog is open, so that a colleague sees it taken and
// cannot book over it.
//
// - Taken (`acquireLock`) once the unit and a complete period are chosen, and
//   again whenever they change: the new range is locked first, then the old
//   one released (the user's own locks never block each other).
// - Renewed (`renewLock`) every `renewEveryMs`, well inside its lease
//   (`ttlSeconds`); a renewal that finds the lock gone takes it again.
// - Released when the range is cleared, when the panel closes (unmount), and
//   when the page goes away (`pagehide`, by a keepalive fetch the browser
//   sends even as the page unloads; under the service worker, the worker sends
//   it: sw.ts); the lease's expiry is the last resort.
// - A booking that names the lock (`lockId`) ends it on the server.
//
// The lock mutations go over HTTP with the session cookie — as the booking
// does — so the lock is held by the sign-in's session, and the user's own
// booking is not refused by the user's own lock (docs/decisions/0050).
import { useCallback, useEffect, useRef, useState } from 'react';
import { stringifyDocument, useClient, type CombinedError } from 'urql';
import {
  BookingAcquireLockDocument,
  BookingReleaseLockDocument,
  BookingRenewLockDocument,
  type BookingLockFieldsFragment,
  type PeriodInput,
} from '@/gql/graphql';
import { hasErrorCode } from '@/lib/errors';
import { periodKey } from './period';

export type HeldLock = BookingLockFieldsFragment;

export type RangeLockState =
  /** Nothing to lock (no unit or no complete period). */
  | { status: 'idle' }
  /** Asking for the lock. */
  | { status: 'acquiring' }
  /** Held: nobody else can book this range. */
  | { status: 'held'; lock: HeldLock }
  /** Refused (LOCKED: another user holds the range) or failed. */
  | { status: 'failed'; error: CombinedError };

export interface RangeLockTarget {
  unitId: string;
  period: PeriodInput;
}

export interface RangeLockOptions {
  /** The lease asked for. */
  ttlSeconds?: number;
  /** How often the lease is renewed (well inside the lease). */
  renewEveryMs?: number;
  /** Quiet time after a change of range before the new range is locked. */
  settleMs?: number;
}

export interface RangeLock {
  state: RangeLockState;
  /** The held lock's id, to pass as `lockId` to the booking. */
  lockId: string | null;
  /** Try again after a failure. */
  retry: () => void;
  /** The booking ended the lock on the server: do not release or renew it. */
  consumed: () => void;
}

const releaseQuery = stringifyDocument(BookingReleaseLockDocument);

/**
 * Releases a lock as the page goes away: a plain JSON POST with the session
 * cookie that the browser completes after the page is gone (`keepalive`).
 */
export function releaseOnExit(lockId: string): void {
  try {
    void fetch('/graphql', {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: releaseQuery, operationName: 'BookingReleaseLock', variables: { id: lockId } }),
    }).catch(() => undefined);
  } catch {
    // The page is going away; the lease's expiry frees the range.
  }
}

function targetOf(key: string): RangeLockTarget {
  const [unitId, , period] = JSON.parse(key) as [string, string, PeriodInput];
  return { unitId, period };
}

/** Locks `target` while the calling component is mounted (null: nothing to lock). */
export function useRangeLock(target: RangeLockTarget | null, options: RangeLockOptions = {}): RangeLock {
  const { ttlSeconds = 30, renewEveryMs = 10_000, settleMs = 300 } = options;
  const client = useClient();
  const [state, setState] = useState<RangeLockState>(() => (target ? { status: 'acquiring' } : { status: 'idle' }));
  const [attempt, setAttempt] = useState(0);
  // The lock held now (id), read by the heartbeat, pagehide and unmount.
  const held = useRef<string | null>(null);
  // The range as a value: the effect below runs when it changes, not when
  // the caller makes a new object for the same range.
  const key = target ? JSON.stringify([target.unitId, periodKey(target.period), target.period]) : '';

  // A new range (or another attempt): idle without one, else acquiring.
  // Until the new range is held, the old lock (still held, released once the
  // new one is) is not offered to a booking.
  const [asked, setAsked] = useState({ key, attempt });
  if (asked.key !== key || asked.attempt !== attempt) {
    setAsked({ key, attempt });
    setState(key ? { status: 'acquiring' } : { status: 'idle' });
  }

  const release = useCallback(
    (id: string) => {
      void client.mutation(BookingReleaseLockDocument, { id }, { requestPolicy: 'network-only' }).toPromise();
    },
    [client],
  );

  // Take the lock for the current range (after it settles), then let go of
  // the previous one.
  useEffect(() => {
    const wanted = key ? targetOf(key) : null;
    if (!wanted) {
      if (held.current) release(held.current);
      held.current = null;
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      void client
        .mutation(BookingAcquireLockDocument, { input: wanted, ttlSeconds }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          const lock = result.data?.acquireLock;
          if (!current) {
            // The range changed (or the panel closed) while asking.
            if (lock) release(lock.id);
            return;
          }
          const previous = held.current;
          if (lock) {
            held.current = lock.id;
            if (previous && previous !== lock.id) release(previous);
            setState({ status: 'held', lock });
          } else if (result.error) {
            held.current = null;
            if (previous) release(previous);
            setState({ status: 'failed', error: result.error });
          }
        });
    }, settleMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, attempt, client, release, settleMs, ttlSeconds]);

  // The heartbeat.
  useEffect(() => {
    if (state.status !== 'held') return;
    const id = state.lock.id;
    const timer = setInterval(() => {
      if (held.current !== id) return;
      void client
        .mutation(BookingRenewLockDocument, { id, ttlSeconds }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (held.current !== id) return;
          if (result.data?.renewLock) {
            const lock = result.data.renewLock;
            setState((before) => (before.status === 'held' && before.lock.id === id ? { status: 'held', lock } : before));
          } else if (result.error && !hasErrorCode(result.error, 'UNAUTHENTICATED')) {
            // The lease ran out (the tab slept) or the lock was taken away:
            // take the range again; a colleague who took it meanwhile shows
            // as a refusal.
            held.current = null;
            setAttempt((n) => n + 1);
          }
        });
    }, renewEveryMs);
    return () => clearInterval(timer);
  }, [state, client, renewEveryMs, ttlSeconds]);

  // Leaving the page: release by keepalive fetch; coming back from the
  // back-forward cache: take the range again.
  useEffect(() => {
    const onHide = () => {
      if (held.current) releaseOnExit(held.current);
      held.current = null;
    };
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted) setAttempt((n) => n + 1);
    };
    window.addEventListener('pagehide', onHide);
    window.addEventListener('pageshow', onShow);
    return () => {
      window.removeEventListener('pagehide', onHide);
      window.removeEventListener('pageshow', onShow);
    };
  }, []);

  // Closing the panel (unmount): release.
  useEffect(
    () => () => {
      if (held.current) release(held.current);
      held.current = null;
    },
    [release],
  );

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const consumed = useCallback(() => {
    held.current = null;
  }, []);

  return { state, lockId: state.status === 'held' ? state.lock.id : null, retry, consumed };
}
