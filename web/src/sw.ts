/// <reference lib="webworker" />
// The service worker, at /admin/sw.js with scope /admin/. It precaches the
// app shell (the build's list: index.html, the app's scripts and styles,
// icons, the manifest; never GraphiQL's page or chunks) and answers every
// navigation under /admin/ with the cached index.html, so the app opens
// offline. Nothing else is cached: /graphql and everything outside /admin/
// always go to the network, untouched.
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (string | { url: string; revision: string | null })[];
};

const base = import.meta.env.BASE_URL; // "/admin/"

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
