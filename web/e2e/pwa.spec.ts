// Installable and offline: the manifest, the service worker (scope /admin/),
// what it caches (the app shell only: nothing outside /admin/, never /graphql,
// never GraphiQL), and the app opening offline with the offline banner.
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';

interface Manifest {
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

async function serviceWorkerReady(page: Page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    // Wait until the worker controls this page (clients.claim()).
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    return { scope: registration.scope, script: registration.active?.scriptURL ?? null };
  });
}

async function cachedUrls(page: Page) {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) urls.push(request.url);
    }
    return urls;
  });
}

/**
 * Cuts the network and reloads. (In a document loaded while Playwright
 * emulates offline, Chromium reports navigator.onLine = true, so the banner
 * shows its "berth cannot be reached" form there: the app learns it from the
 * failed request. The "You are offline" form, from navigator.onLine and the
 * offline event, is checked in a page that was loaded online.)
 */
async function goOfflineAndReload(context: BrowserContext, page: Page) {
  await context.setOffline(true);
  await page.reload();
}

const offlineBanner = /You are offline|berth cannot be reached/;

/**
 * Restores the network. The banner goes when the app next reaches berth: at
 * the browser's online event, or (the document above never saw itself
 * offline, so no event comes) when the user presses "Try again".
 */
async function backOnline(context: BrowserContext, page: Page) {
  await context.setOffline(false);
  const retry = page.getByRole('button', { name: 'Try again' });
  if (await retry.isVisible()) await retry.click();
}

test('the manifest makes the app installable', async ({ page, request, baseURL }) => {
  await page.goto('/admin/sign-in');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/admin/manifest.webmanifest');
  const response = await request.get(href!);
  expect(response.ok()).toBe(true);
  const manifest = (await response.json()) as Manifest;
  expect(manifest.name).toBe('berth admin');
  expect(manifest.short_name).toBeTruthy();
  expect(manifest.start_url).toBe('/admin/');
  expect(manifest.scope).toBe('/admin/');
  expect(manifest.display).toBe('standalone');
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  for (const [size, purpose] of [
    ['192x192', 'any'],
    ['512x512', 'any'],
    ['192x192', 'maskable'],
    ['512x512', 'maskable'],
  ]) {
    const icon = manifest.icons.find((i) => i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose!));
    expect(icon, `${size} ${purpose} icon`).toBeDefined();
    const image = await request.get(new URL(icon!.src, baseURL).href);
    expect(image.headers()['content-type']).toBe('image/png');
    const png = await image.body();
    // PNG signature, then IHDR width and height.
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(size);
  }
});

test('the service worker controls /admin/ and caches only the app shell', async ({ page }) => {
  await page.goto('/admin/sign-in');
  const worker = await serviceWorkerReady(page);
  expect(new URL(worker.scope).pathname).toBe('/admin/');
  expect(new URL(worker.script!).pathname).toBe('/admin/sw.js');

  const urls = await cachedUrls(page);
  const paths = urls.map((u) => new URL(u).pathname);
  expect(paths).toContain('/admin/index.html');
  expect(paths.some((p) => /^\/admin\/assets\/index-.*\.js$/.test(p))).toBe(true);
  for (const url of urls) {
    const { pathname } = new URL(url);
    expect(pathname, url).toMatch(/^\/admin\//);
    expect(pathname, url).not.toMatch(/graphql|graphiql/i);
  }
  // The API still goes to the network, through the worker untouched.
  const answer = await page.evaluate(async () => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    return (await response.json()) as { data?: { __typename?: string } };
  });
  expect(answer.data?.__typename).toBe('Query');
  expect((await cachedUrls(page)).some((u) => u.includes('/graphql'))).toBe(false);
});

test('going offline shows the offline banner at once', async ({ page, context }) => {
  await page.goto('/admin/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('offline-banner')).toBeHidden();
  await context.setOffline(true);
  await expect(page.getByTestId('offline-banner')).toContainText('You are offline');
  const axe = await new AxeBuilder({ page }).include('[data-testid="offline-banner"]').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await context.setOffline(false);
  await expect(page.getByTestId('offline-banner')).toBeHidden();
});

test('offline, the app opens with the offline banner', async ({ page, context }) => {
  await page.goto('/admin/sign-in');
  await serviceWorkerReady(page);
  await goOfflineAndReload(context, page);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('offline-banner')).toContainText(offlineBanner);
  // A deep link opens too (navigation falls back to the cached app).
  await page.goto('/admin/sign-in?next=%2Fadmin%2Faccount');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await backOnline(context, page);
  await expect(page.getByTestId('offline-banner')).toBeHidden();
});

test('offline, the signed-in shell opens with the offline banner', async ({ page, context, admin }) => {
  await page.goto('/admin/sign-in');
  await signIn(page, admin);
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
  await serviceWorkerReady(page);
  await goOfflineAndReload(context, page);
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
  await expect(page.getByTestId('offline-banner')).toContainText(offlineBanner);
  await expect(page.getByRole('banner')).toContainText('Alpine Cabins');
  const axe = await new AxeBuilder({ page }).include('[data-testid="offline-banner"]').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  // Back online, the session is confirmed and the banner goes.
  await backOnline(context, page);
  await expect(page.getByTestId('offline-banner')).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByText(admin.email)).toBeVisible();
});
