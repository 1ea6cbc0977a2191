// The notifications feature's public entry: the shell mounts
// <LiveNotifications /> once (in-app messages, the device's registration at
// start). Its code loads after the first render, in a chunk of its own.
// Signing out calls forgetThisDevice first (its code loads then).
import { createElement, lazy, Suspense } from 'react';
import type { Client } from 'urql';

const Live = lazy(() => import('./LiveNotifications'));

/** In-app messages for reservation events, and push kept registered; renders nothing. */
export function LiveNotifications() {
  return createElement(Suspense, { fallback: null }, createElement(Live));
}

/** Drops this device's push subscription (browser and berth) before signing out; never throws. */
export async function forgetThisDevice(client: Client): Promise<void> {
  const { forgetDevice } = await import('./forget-device');
  await forgetDevice(client);
}
