// Registers the service worker (src/sw.ts, built to /admin/sw.js) that makes
// the app installable and lets its shell open offline. Production builds only:
// in `vite dev` there is no built worker, and a stale one would serve old code.
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const base = import.meta.env.BASE_URL;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch((error: unknown) => {
      // The app works without it (online only); say why in the console.
      console.warn('berth: the service worker could not be registered', error);
    });
  });
}
