// Signing out forgets this device: its push subscription is dropped in the
// browser and at berth, so a shared computer stops showing the previous
// user's notifications. Best effort and quick: signing out never waits on it
// for long, and a subscription berth was not told about dies at its next
// push (the push service answers 404/410).
import type { Client } from 'urql';
import { graphqlPushApi } from './push-api';
import { browserEnvironment, disable, type PushEnvironment } from './push-device';

/** Drops this device's push subscription (browser, then berth); never throws. */
export async function forgetDevice(
  client: Client,
  waitMs = 1500,
  env: PushEnvironment = browserEnvironment(import.meta.env.BASE_URL, waitMs),
): Promise<void> {
  if (!env.supported) return;
  const steps = disable(env, graphqlPushApi(client)).then(
    () => undefined,
    () => undefined,
  );
  const limit = new Promise<void>((resolve) => setTimeout(resolve, waitMs * 2));
  await Promise.race([steps, limit]);
}
