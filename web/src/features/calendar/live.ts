// Live calendar: the `reservationEvents` subscription (over the session's
// WebSocket) tells that some reservation changed; the screen then fetches the
// month's occupancy, and the open day, again. Events come in bursts (a
// booking, then its confirmation; an import of many), so they are gathered:
// one refetch `wait` ms after the last event of a burst, and at least one
// every `maxWait` ms while events keep coming.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';
import { CalendarReservationEventsDocument, type CalendarReservationEventsSubscription } from '@/gql/graphql';

/** A trailing debounce with a ceiling: `fn` runs once per burst of `call()`s. */
export interface Debouncer {
  call(): void;
  cancel(): void;
}

export function createDebouncer(fn: () => void, wait: number, maxWait: number): Debouncer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstAt: number | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = undefined;
    firstAt = undefined;
    fn();
  };
  return {
    call() {
      const now = Date.now();
      firstAt ??= now;
      clearTimeout(timer);
      const left = Math.min(wait, firstAt + maxWait - now);
      timer = setTimeout(fire, Math.max(0, left));
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      firstAt = undefined;
    },
  };
}

/**
 * A number that grows by one after each burst of reservation events: screens
 * fetch again when it changes. 0 until the first change.
 */
export function useReservationChanges(wait = 600, maxWait = 3000): number {
  const [changes, setChanges] = useState(0);
  const debouncer = useRef<Debouncer | null>(null);

  useEffect(() => {
    const d = createDebouncer(() => setChanges((n) => n + 1), wait, maxWait);
    debouncer.current = d;
    return () => {
      d.cancel();
      debouncer.current = null;
    };
  }, [wait, maxWait]);

  const onEvent = useCallback(
    (_previous: CalendarReservationEventsSubscription | undefined, event: CalendarReservationEventsSubscription) => {
      debouncer.current?.call();
      return event;
    },
    [],
  );
  useSubscription({ query: CalendarReservationEventsDocument }, onEvent);
  return changes;
}
