/// <reference lib="webworker" />
// The service worker, at /admin/sw.js with scope /admin/. It precaches the
// app shell (the build's list: index.html, the app's scripts and styles,
// icons, the manifest; never GraphiQL's page or chunks) and answers every
// navigation under /admin/ with the cached index.html, so the app opens
// offline. Nothing else is cached: /graphql and everything outside /admin/
// always go to the network, untouched — a `keepalive` request by way of the
// worker's own fetch (below).
//
// Push: each message from berth (server/src/push) is shown as a notification
// in the user's language (sw/push-message.ts); clicking it focuses an open
// window of the app and takes it to the reservation, or opens one there.
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { loadLanguage } from './lib/notification-language';
import { parsePayload, renderPush } from './sw/push-message';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
};

const base = import.meta.env.BASE_URL; // "/admin/"

// A request a page sends with `keepalive` as it goes away (the booking
// panel's lock released on `pagehide`, features/booking/use-range-lock.ts) is
// sent by the worker itself. Left to the network, Chromium sends a controlled
// page's request from that page's own loader, which is torn down with the
// page: the release was dropped every time, and the range stayed locked for
// the rest of its lease (docs/decisions/0050). Registered before Workbox's
// routes, which answer only the app shell.
self.addEventListener('fetch', (event) => {
  if (event.request.keepalive) event.respondWith(fetch(event.request));
});

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL(`${base}index.html`), {
    allowlist: [new RegExp(`^${base}`)],
    // GraphiQL is a separate tool page, never the app.
    denylist: [new RegExp(`^${base}graphiql`)],
  }),
);

// A new version takes over at once; a page of the old version that then
// fails to load a chunk offers a reload (components/RouteError.tsx).
void self.skipWaiting();
clientsClaim();

async function showPush(data: PushMessageData | null): Promise<void> {
  let text: string | null = null;
  try {
    text = data?.text() ?? null;
  } catch {
    text = null;
  }
  const language = await loadLanguage().catch(() => undefined);
  const { title, options } = renderPush(parsePayload(text), language ?? self.navigator.language, base);
  await self.registration.showNotification(title, options);
}

self.addEventListener('push', (event) => {
  event.waitUntil(showPush(event.data));
});

/** The page a notification opens: its own, if it is under the app's scope. */
function notificationUrl(notification: Notification): string {
  const data = notification.data as { url?: unknown } | null;
  const url = typeof data?.url === 'string' ? new URL(data.url, self.location.origin) : null;
  return url && url.origin === self.location.origin && url.pathname.startsWith(base) ? url.href : new URL(base, self.location.origin).href;
}

async function openNotification(notification: Notification): Promise<void> {
  notification.close();
  const url = notificationUrl(notification);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const app = windows.filter((w) => new URL(w.url).pathname.startsWith(base));
  // The window the user last had in front, else any window of the app.
  const target = app.find((w) => w.focused) ?? app.find((w) => w.visibilityState === 'visible') ?? app[0];
  if (target) {
    // A full navigation (the cached shell opens at once); focus may be refused
    // outside a user's click, which must not stop the navigation.
    const [, navigated] = await Promise.allSettled([target.focus(), target.navigate(url)]);
    if (navigated.status === 'fulfilled' && navigated.value) return;
  }
  await self.clients.openWindow(url);
}

self.addEventListener('notificationclick', (event) => {
  const work = openNotification(event.notification);
  // An event a test dispatches itself is not trusted and cannot be waited on.
  if (event.isTrusted) event.waitUntil(work);
});
