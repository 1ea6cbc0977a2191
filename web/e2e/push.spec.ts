// Notifications through the real berth (which runs with web push configured:
// its VAPID key is made beside the secret file). Headless Chromium refuses
// `pushManager.subscribe()`, so the page's PushManager is stubbed with a
// subscription built from real P-256 keys (WebCrypto) and an endpoint that is
// no push service (https://127.0.0.1:9/push/…). Then: turning notifications on
// stores the subscription with berth; a push delivered to the service worker
// over CDP (ServiceWorker.deliverPushMessage, shaped like berth's message)
// shows a notification whose click takes the app to the reservation; another
// session's booking appears as an in-app message; turning off unsubscribes;
// a device berth forgot is registered again when the app starts; blocked
// notifications say how to allow them; axe at 1280 and 375.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs a GraphQL operation from the page, with its session cookie (the app's own way). */
async function api<T>(page: Page, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await page.evaluate(
    async ({ query, variables }) => {
      const response = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as unknown;
    },
    { query, variables },
  );
  const { data, errors } = answer as GraphqlAnswer<T>;
  if (errors?.length || !data) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
  return data;
}

interface Device {
  endpoint: string;
  pushService: string;
}

async function devices(page: Page): Promise<Device[]> {
  return (await api<{ pushSubscriptions: Device[] }>(page, '{ pushSubscriptions { endpoint pushService } }')).pushSubscriptions;
}

/**
 * Stubs the Push API in every page of the context: `subscribe` makes a
 * subscription from a fresh P-256 key pair and a random 16-byte secret (kept
 * in localStorage, as a browser keeps its subscription across reloads);
 * `getSubscription` returns it; `unsubscribe` forgets it.
 */
async function stubPush(context: BrowserContext) {
  await context.addInitScript(() => {
    const storageKey = 'e2e.push-subscription';
    interface Stored {
      endpoint: string;
      p256dh: string;
      auth: string;
      serverKey: string;
    }
    const b64url = (bytes: ArrayBuffer | Uint8Array) => {
      const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      let binary = '';
      for (const byte of view) binary += String.fromCharCode(byte);
      return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    };
    const bytes = (text: string) => {
      const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
      const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
      return Uint8Array.from(binary, (c) => c.charCodeAt(0));
    };
    const load = (): Stored | null => {
      const text = localStorage.getItem(storageKey);
      return text ? (JSON.parse(text) as Stored) : null;
    };
    const subscription = (stored: Stored) => ({
      endpoint: stored.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true, applicationServerKey: bytes(stored.serverKey).buffer },
      getKey: (name: string) => bytes(name === 'auth' ? stored.auth : stored.p256dh).buffer,
      toJSON: () => ({ endpoint: stored.endpoint, expirationTime: null, keys: { p256dh: stored.p256dh, auth: stored.auth } }),
      unsubscribe: () => {
        localStorage.removeItem(storageKey);
        return Promise.resolve(true);
      },
    });
    PushManager.prototype.getSubscription = function getSubscription() {
      const stored = load();
      return Promise.resolve((stored ? subscription(stored) : null) as unknown as PushSubscription | null);
    };
    PushManager.prototype.subscribe = async function subscribe(options?: PushSubscriptionOptionsInit) {
      const key = options?.applicationServerKey;
      if (!options?.userVisibleOnly || !key || typeof key === 'string') throw new DOMException('bad options', 'NotAllowedError');
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
      const stored: Stored = {
        endpoint: `https://127.0.0.1:9/push/${crypto.randomUUID()}`,
        p256dh: b64url(raw),
        auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
        serverKey: b64url(key instanceof ArrayBuffer ? key : new Uint8Array(key.buffer, key.byteOffset, key.byteLength)),
      };
      localStorage.setItem(storageKey, JSON.stringify(stored));
      return subscription(stored);
    };
  });
}

async function serviceWorkerReady(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
}

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

const deviceSwitch = (page: Page) => page.getByRole('switch', { name: 'Enable notifications on this device' });

/** Today at the tenant, and days after it. */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Books a free stay of two nights through the API of `page`'s session. */
async function book(page: Page, guest: string, days: number) {
  const { me } = await api<{ me: { tenant: { slug: string; timezone: string } } }>(page, '{ me { tenant { slug timezone } } }');
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: me.tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const { units } = await api<{ units: { id: string; name: string }[] }>(page, '{ units { id name } }');
  for (const unit of units) {
    for (let i = 0; i < 60; i++) {
      const checkIn = addDays(today, days + i);
      const checkOut = addDays(checkIn, 2);
      const { quote } = await api<{ quote: { available: boolean; violations: unknown[] } }>(
        page,
        'query ($t: String!, $i: QuoteInput!) { quote(tenant: $t, input: $i) { available violations { code } } }',
        { t: me.tenant.slug, i: { unitId: unit.id, period: { checkIn, checkOut }, guests: 2 } },
      );
      if (!quote.available || quote.violations.length > 0) continue;
      const { createReservation } = await api<{ createReservation: { id: string } }>(
        page,
        'mutation ($i: CreateReservationInput!) { createReservation(input: $i) { id } }',
        { i: { unitId: unit.id, period: { checkIn, checkOut }, guests: 2, client: { name: guest } } },
      );
      return { id: createReservation.id, unit: unit.name };
    }
  }
  throw new Error('no free stay to book');
}

/** A second signed-in session of the same admin, in a context of its own (the fixtures' host guard too). */
async function otherSession(browser: Browser, baseURL: string, login: { tenant: string; email: string; password: string }) {
  const context = await browser.newContext({ baseURL, locale: 'en-US', timezoneId: 'UTC' });
  await context.route(
    (url) => new URL(url.href).hostname !== '127.0.0.1',
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  await signInAt(page, login, '/account');
  return { context, page };
}

/** The service worker's registration id, from CDP (ServiceWorker.workerRegistrationUpdated). */
async function registrationId(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const scope = new URL('/admin/', page.url()).href;
  const found = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const registration = registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (registration) resolve(registration.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  return { cdp, id: await found };
}

async function shownNotifications(page: Page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const list = await registration.getNotifications();
    return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as { url?: string } | null)?.url ?? null }));
  });
}

test.describe('notifications', () => {
  test.beforeEach(async ({ context, baseURL }) => {
    await context.grantPermissions(['notifications'], { origin: baseURL! });
    await stubPush(context);
  });

  test('on: the device is stored; a push shows a notification that opens the reservation; an in-app message for another session’s booking; off unsubscribes', async ({
    page,
    admin,
    browser,
    baseURL,
    context,
  }) => {
    // Two sessions, a booking and a push round trip: 29–38 s on a slow machine.
    test.setTimeout(60_000);
    await signInAt(page, admin, '/settings/notifications');
    await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
    await serviceWorkerReady(page);
    const before = await devices(page);

    // On: subscribed with the server's key, registered with berth.
    await expect(deviceSwitch(page)).toBeEnabled();
    await expect(deviceSwitch(page)).not.toBeChecked();
    await deviceSwitch(page).click();
    await expect(deviceSwitch(page)).toBeChecked();
    await expect(page.getByText('On: this device receives notifications.')).toBeVisible();
    const endpoint = await page.evaluate(() => (JSON.parse(localStorage.getItem('e2e.push-subscription')!) as { endpoint: string }).endpoint);
    expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:9\/push\//);
    const stored = await devices(page);
    expect(stored.map((d) => d.endpoint)).toContain(endpoint);
    expect(stored).toHaveLength(before.length + 1);
    expect(stored.find((d) => d.endpoint === endpoint)!.pushService).toBe('https://127.0.0.1:9');
    // The screen lists it as this device.
    const list = page.getByRole('list', { name: 'Your devices' });
    await expect(list.getByRole('listitem').filter({ hasText: 'This device' })).toContainText('Through 127.0.0.1:9');

    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: width === 1280 ? 800 : 812 });
      expect(await seriousViolations(page), `axe at ${width}`).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // A reservation to be told about.
    const guest = `Heidi Push${Date.now().toString(36)}`;
    const other = await otherSession(browser, baseURL!, admin);
    try {
      // Another session books while this one is open: an in-app message.
      const frames: string[] = [];
      page.on('websocket', (ws) => ws.on('framesent', (f) => frames.push(String(f.payload))));
      await page.reload();
      await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
      await expect.poll(() => frames.some((f) => f.includes('InAppReservationEvents')), { timeout: 15_000 }).toBe(true);
      // (The server starts the stream just after the subscribe message.)
      await page.waitForTimeout(1000);
      const booked = await book(other.page, guest, 200);
      const message = page.getByRole('alert').filter({ hasText: 'New reservation' }).filter({ hasText: guest });
      await expect(message).toBeVisible();
      await expect(message).toContainText(booked.unit);
      expect(await seriousViolations(page), 'axe with the message').toEqual([]);
      await message.getByRole('link', { name: `Open the reservation of ${guest}` }).click();
      await expect(page).toHaveURL(new RegExp(`/admin/reservations/${booked.id}$`));
      await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();

      // A push, as berth sends it, delivered to the service worker.
      await page.goto('/admin/settings/notifications');
      await expect(deviceSwitch(page)).toBeChecked();
      const payload = {
        kind: 'reservation_created',
        tenant: admin.tenant,
        title: 'New reservation',
        body: `${booked.unit}, 2 guests`,
        reservation_id: booked.id,
        url: `/reservations/${booked.id}`,
        event_id: `e2e-${Date.now()}`,
        at: new Date().toISOString(),
      };
      const { cdp, id } = await registrationId(page);
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(baseURL!).origin, registrationId: id, data: JSON.stringify(payload) });
      await expect.poll(() => shownNotifications(page)).toEqual([
        { title: 'New reservation', body: payload.body, tag: `${admin.tenant}:${booked.id}`, url: `/admin/reservations/${booked.id}` },
      ]);

      // Its click (dispatched in the worker: CDP has no notification click)
      // takes the open window to the reservation.
      const worker = context.serviceWorkers().find((w) => w.url().endsWith('/admin/sw.js')) ?? (await context.waitForEvent('serviceworker'));
      await worker.evaluate(async () => {
        // (In the worker: its global scope and NotificationEvent.)
        const scope = self as unknown as {
          registration: ServiceWorkerRegistration;
          dispatchEvent(event: Event): boolean;
          NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
        };
        const [notification] = await scope.registration.getNotifications();
        if (!notification) throw new Error('no notification shown');
        scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
      });
      await expect(page).toHaveURL(new RegExp(`/admin/reservations/${booked.id}$`));
      await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
      await expect.poll(() => shownNotifications(page)).toEqual([]);
      await cdp.detach();
    } finally {
      await other.context.close();
    }

    // Off: unsubscribed in the browser, forgotten by berth.
    await page.goto('/admin/settings/notifications');
    await expect(deviceSwitch(page)).toBeChecked();
    await deviceSwitch(page).click();
    await expect(deviceSwitch(page)).not.toBeChecked();
    await expect(page.getByText('Off: this device receives no notifications.')).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('e2e.push-subscription'))).toBeNull();
    expect((await devices(page)).map((d) => d.endpoint)).not.toContain(endpoint);
    await expect(list.getByText('This device')).toHaveCount(0);
  });

  test('a device berth forgot is registered again when the app starts; an old device is removed from the list', async ({ page, admin }) => {
    await signInAt(page, admin, '/settings/notifications');
    await serviceWorkerReady(page);
    await deviceSwitch(page).click();
    await expect(deviceSwitch(page)).toBeChecked();
    const endpoint = await page.evaluate(() => (JSON.parse(localStorage.getItem('e2e.push-subscription')!) as { endpoint: string }).endpoint);

    // berth forgets it (as when a push service said "gone"); the app starts again.
    await api(page, 'mutation ($e: String!) { unregisterPushSubscription(endpoint: $e) }', { e: endpoint });
    expect((await devices(page)).map((d) => d.endpoint)).not.toContain(endpoint);
    await page.goto('/admin/account');
    await expect(page.getByRole('heading', { level: 1, name: 'Account' })).toBeVisible();
    await expect.poll(async () => (await devices(page)).map((d) => d.endpoint)).toContain(endpoint);

    // An old device (another browser) removed from the list, after a confirmation.
    const old = `https://127.0.0.1:9/push/old-${Date.now()}`;
    const keys = await page.evaluate(async () => {
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const b64 = (b: ArrayBuffer | Uint8Array) =>
        btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      return { p256dh: b64(await crypto.subtle.exportKey('raw', pair.publicKey)), auth: b64(crypto.getRandomValues(new Uint8Array(16))) };
    });
    await api(page, 'mutation ($e: String!, $k: PushSubscriptionKeysInput!) { registerPushSubscription(endpoint: $e, keys: $k) { id } }', { e: old, k: keys });
    await page.getByRole('link', { name: 'Set up notifications' }).click();
    await expect(page).toHaveURL(/\/admin\/settings\/notifications$/);
    const items = page.getByRole('list', { name: 'Your devices' }).getByRole('listitem');
    await expect(items.filter({ hasText: 'This device' })).toHaveCount(1);
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(2);
    const count = await items.count();
    const oldItem = items.filter({ hasNotText: 'This device' }).last();
    await oldItem.getByRole('button', { name: /^Remove the device/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this device?' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('It stops receiving your notifications.');
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await seriousViolations(page), 'axe at 375, removal confirmation').toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByRole('button', { name: 'Remove device' }).click();
    await expect(dialog).toBeHidden();
    await expect(items).toHaveCount(count - 1);
    expect((await devices(page)).map((d) => d.endpoint)).not.toContain(old);
    // This device stays on.
    await expect(deviceSwitch(page)).toBeChecked();
    await deviceSwitch(page).click();
    await expect(deviceSwitch(page)).not.toBeChecked();
  });

  test('kinds of notification switch on and off, and blocked notifications say how to allow them', async ({ page, admin, context }) => {
    await signInAt(page, admin, '/settings/notifications');
    const kinds = page.getByRole('region', { name: 'What to notify' });
    const canceled = kinds.getByRole('switch', { name: 'Canceled reservations' });
    await expect(canceled).toBeChecked();
    await canceled.click();
    await expect(kinds.getByText('Saved.')).toBeVisible();
    await expect(canceled).not.toBeChecked();
    const { notificationSettings } = await api<{ notificationSettings: { reservationCanceled: boolean; reservationCreated: boolean } }>(
      page,
      '{ notificationSettings { reservationCanceled reservationCreated } }',
    );
    expect(notificationSettings).toEqual({ reservationCanceled: false, reservationCreated: true });
    await canceled.click();
    await expect(canceled).toBeChecked();

    // Blocked for the site: the switch cannot be turned on, and the words say where to allow it.
    await context.addInitScript(() => {
      Object.defineProperty(Notification, 'permission', { get: () => 'denied' });
    });
    await page.reload();
    await expect(deviceSwitch(page)).toBeDisabled();
    await expect(page.getByText(/Notifications are blocked for this site\. To allow them/)).toBeVisible();
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await seriousViolations(page), 'axe at 375, blocked').toEqual([]);
  });
});
