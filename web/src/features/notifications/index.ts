// The notifications feature's public entry: the shell mounts
// <LiveNotifications /> once (in-app messages, the device's registration at
// start). Its code loads after the first render, in a chunk of its own.
import { createElement, lazy, Suspense } from 'react';

const Live = lazy(() => import('./LiveNotifications'));

/** In-app messages for reservation events, and push kept registered; renders nothing. */
export function LiveNotifications() {
  return createElement(Suspense, { fallback: null }, createElement(Live));
}
