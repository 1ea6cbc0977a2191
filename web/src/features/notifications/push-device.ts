// Push on this device: whether the browser can do it, whether the user allowed
// it, and the subscription the service worker holds — and the steps that turn
// it on (permission, subscribe with the server's VAPID key, register with
// berth) and off (unsubscribe in the browser, then unregister with berth).
//
// The browser and the API come in as a `PushEnvironment`, so the steps are
// tested with a fake PushManager (push-device.test.ts).

/** What berth's API is asked to do with this device's subscription. */
export interface PushApi {
  register: (endpoint: string, keys: { p256dh: string; auth: string }) => Promise<void>;
  unregister: (endpoint: string) => Promise<void>;
}

/** The parts of the browser the steps use. */
export interface PushEnvironment {
  /** Service workers, the Push API and notifications exist here. */
  supported: boolean;
  /** A secure context (https or 127.0.0.1): push needs one. */
  secure: boolean;
  /** `Notification.permission`. */
  permission(): NotificationPermission;
  /** `Notification.requestPermission()`: call it from the user's click. */
  requestPermission(): Promise<NotificationPermission>;
  /** The service worker's push manager (waits for the worker, or null if it never comes). */
  pushManager(): Promise<PushManager | null>;
  /** `navigator.onLine`. */
  online(): boolean;
}

/** Where push stands on this device. */
export type DeviceStatus =
  /** Still finding out. */
  | 'checking'
  /** The browser has no push (or no service worker: an old browser, a private window, `npm run dev`). */
  | 'unsupported'
  /** The page is not on https: browsers give push to secure pages only. */
  | 'insecure'
  /** The server does not send push (no VAPID key): nothing to subscribe to. */
  | 'no-server-key'
  /** The user blocked notifications for this site. */
  | 'denied'
  /** Possible, not subscribed. */
  | 'off'
  /** Subscribed and registered with berth. */
  | 'on';

/** Why a step failed, for the words beside the switch. */
export type DeviceProblem =
  /** No network: berth cannot be told. */
  | 'offline'
  /** The user closed the permission prompt without answering. */
  | 'dismissed'
  /** The browser refused to subscribe (its push service unreachable, or another reason). */
  | 'subscribe-failed'
  /** berth refused or could not be reached while registering. */
  | 'register-failed'
  /** Turned off in the browser, but berth could not be told (it forgets the device at its next push). */
  | 'unregister-failed';

export class DeviceError extends Error {
  readonly problem: DeviceProblem;
  override readonly cause?: unknown;
  constructor(problem: DeviceProblem, cause?: unknown) {
    super(problem);
    this.name = 'DeviceError';
    this.problem = problem;
    this.cause = cause;
  }
}

/** The result of a step: where push stands, and the endpoint when subscribed. */
export interface DeviceState {
  status: DeviceStatus;
  endpoint?: string;
}

/** base64url (padded or not) → bytes. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes → unpadded base64url. */
export function bytesToBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Whether the subscription was made with `vapidKey` (unknown: assume it was). */
export function madeWithKey(subscription: PushSubscription, vapidKey: string): boolean {
  const key = subscription.options.applicationServerKey;
  if (!key) return true;
  return bytesToBase64Url(key) === bytesToBase64Url(base64UrlToBytes(vapidKey));
}

/** The endpoint and keys berth registers, from a browser subscription. */
export function subscriptionKeys(subscription: PushSubscription): { endpoint: string; keys: { p256dh: string; auth: string } } {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh ?? keyOf(subscription, 'p256dh');
  const auth = json.keys?.auth ?? keyOf(subscription, 'auth');
  if (!p256dh || !auth) throw new DeviceError('subscribe-failed', new Error('the subscription has no keys'));
  return { endpoint: json.endpoint ?? subscription.endpoint, keys: { p256dh, auth } };
}

function keyOf(subscription: PushSubscription, name: PushEncryptionKeyName): string | undefined {
  const key = subscription.getKey(name);
  return key ? bytesToBase64Url(key) : undefined;
}

/** What is possible before looking at subscriptions. */
function limits(env: PushEnvironment, vapidKey: string | null): DeviceStatus | null {
  if (!env.supported) return 'unsupported';
  if (!env.secure) return 'insecure';
  if (!vapidKey) return 'no-server-key';
  if (env.permission() === 'denied') return 'denied';
  return null;
}

/** Where push stands on this device now. */
export async function detect(env: PushEnvironment, vapidKey: string | null): Promise<DeviceState> {
  const limit = limits(env, vapidKey);
  if (limit) return { status: limit };
  if (env.permission() !== 'granted') return { status: 'off' };
  const manager = await env.pushManager();
  if (!manager) return { status: 'unsupported' };
  const subscription = await manager.getSubscription();
  return subscription ? { status: 'on', endpoint: subscription.endpoint } : { status: 'off' };
}

/**
 * Turns push on: permission (asked first, while the click still counts as the
 * user's), a subscription with the server's key (a subscription made with an
 * older key is replaced), then berth's registration. A failed registration
 * undoes the subscription, so the switch never shows "on" for a device berth
 * does not know.
 */
export async function enable(env: PushEnvironment, vapidKey: string | null, api: PushApi): Promise<DeviceState> {
  const limit = limits(env, vapidKey);
  if (limit || !vapidKey) return { status: limit ?? 'no-server-key' };
  let permission = env.permission();
  if (permission === 'default') permission = await env.requestPermission();
  if (permission === 'denied') return { status: 'denied' };
  if (permission !== 'granted') throw new DeviceError('dismissed');
  if (!env.online()) throw new DeviceError('offline');

  const manager = await env.pushManager();
  if (!manager) return { status: 'unsupported' };
  let subscription = await manager.getSubscription();
  if (subscription && !madeWithKey(subscription, vapidKey)) {
    await subscription.unsubscribe().catch(() => false);
    subscription = null;
  }
  if (!subscription) {
    try {
      subscription = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(vapidKey) });
    } catch (error) {
      if (env.permission() === 'denied') return { status: 'denied' };
      throw new DeviceError('subscribe-failed', error);
    }
  }
  const { endpoint, keys } = subscriptionKeys(subscription);
  try {
    await api.register(endpoint, keys);
  } catch (error) {
    await subscription.unsubscribe().catch(() => false);
    throw new DeviceError(env.online() ? 'register-failed' : 'offline', error);
  }
  return { status: 'on', endpoint };
}

/**
 * Turns push off: the browser's subscription first (that works offline, and
 * the push service then answers berth's next message with "gone", which makes
 * berth forget the device), then berth's registration. When berth cannot be
 * told, push is still off here and the error says so.
 */
export async function disable(env: PushEnvironment, api: PushApi): Promise<DeviceState> {
  const manager = env.supported ? await env.pushManager() : null;
  const subscription = manager ? await manager.getSubscription() : null;
  if (!subscription) return { status: 'off' };
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  try {
    await api.unregister(endpoint);
  } catch (error) {
    throw new DeviceError('unregister-failed', error);
  }
  return { status: 'off' };
}

/**
 * On app start: a device already subscribed is registered again (harmless,
 * and it moves the device to whoever is signed in now); one subscribed with an
 * older key is subscribed again with the current one. Quiet: failures are left
 * for the next start.
 */
export async function refresh(env: PushEnvironment, vapidKey: string | null, api: PushApi): Promise<DeviceState> {
  const state = await detect(env, vapidKey);
  if (state.status !== 'on' || !vapidKey || !env.online()) return state;
  return enable(env, vapidKey, api);
}

/** The browser's own push, notifications and service worker. */
export function browserEnvironment(scope: string, waitMs = 10_000): PushEnvironment {
  const supported =
    typeof window !== 'undefined' &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window &&
    typeof ServiceWorkerRegistration !== 'undefined' &&
    'showNotification' in ServiceWorkerRegistration.prototype;
  return {
    supported,
    secure: typeof window !== 'undefined' && window.isSecureContext,
    permission: () => Notification.permission,
    requestPermission: () => Notification.requestPermission(),
    online: () => navigator.onLine,
    async pushManager() {
      // The registration for the app's scope; `ready` never settles without
      // a worker (a dev server), hence the wait's limit.
      const existing = await navigator.serviceWorker.getRegistration(scope);
      if (existing?.active) return existing.pushManager;
      // `vite dev` registers no worker (lib/service-worker.ts): none will come.
      if (import.meta.env.DEV && !existing) return null;
      const ready = navigator.serviceWorker.ready.then((r) => r.pushManager);
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), waitMs));
      return Promise.race([ready, timeout]);
    },
  };
}
