// The unsaved-changes guard: while the editor holds changes not yet
// published, leaving the page asks first — a link inside the app (react-
// router's blocker; the page shows a dialog: stay, or leave and lose them)
// and closing or reloading the tab (the browser's own question, through
// `beforeunload`). Moving within the page (its query string, its hash) is not
// leaving.
import { useEffect } from 'react';
import { useBlocker, type Blocker, type Location } from 'react-router';

/** Whether moving from `current` to `next` leaves the page while `dirty`. */
export function leavesWithChanges(dirty: boolean, current: Pick<Location, 'pathname'>, next: Pick<Location, 'pathname'>): boolean {
  return dirty && current.pathname !== next.pathname;
}

/** Blocks leaving while `dirty`; the page shows a dialog while the blocker is `blocked`. */
export function useUnsavedChangesGuard(dirty: boolean): Blocker {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => leavesWithChanges(dirty, currentLocation, nextLocation));

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the question only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Changes published or reverted while a navigation waits: let it go on.
  useEffect(() => {
    if (blocker.state === 'blocked' && !dirty) blocker.proceed();
  }, [blocker, dirty]);

  return blocker;
}
