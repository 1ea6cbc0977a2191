// The public site of a business, through the real berth with its demo tenants:
// a guest with JavaScript off goes catalog → unit → estimate → request →
// confirmation, and staff find the request held, from the public site; with
// JavaScript on the estimate follows the guest's changes live, keeping what
// they typed in the request form, and staff see the request arrive live in
// the admin app; a double submit makes one request; a refusal is said in
// words; axe finds nothing serious on any page at desktop and phone widths;
// the sitemap lists every unit.
import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';

const TENANTS = ['alpine-cabins', 'harbor-hotel', 'summit-tours', 'river-gear'];

interface Answer<T> {
  data?: T;
  errors?: { message: string }[];
}

/** A GraphQL operation over plain HTTP (public fields need no session). */
async function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await request.post('/graphql', {
    data: { query, variables },
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const { data, errors } = (await response.json()) as Answer<T>;
  if (errors?.length || !data) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
  return data;
}

async function units(request: APIRequestContext, slug: string) {
  return (await gql<{ units: { id: string; name: string }[] }>(request, 'query ($t: String) { units(tenant: $t) { id name } }', { t: slug })).units;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, days: number) => iso(new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000));

/** A free stay of `nights` nights for two guests on the unit, `days` or more days from today. */
async function freeStay(request: APIRequestContext, unitId: string, days: number, nights: number) {
  const from = addDays(iso(new Date()), days);
  for (let i = 0; i < 120; i++) {
    const checkIn = addDays(from, i);
    const { quote } = await gql<{ quote: { available: boolean; total: { amount: number; currency: string } | null } }>(
      request,
      'query ($i: QuoteInput!) { quote(tenant: "alpine-cabins", input: $i) { available total { amount currency } } }',
      { i: { unitId, guests: 2, period: { checkIn, checkOut: addDays(checkIn, nights) } } },
    );
    if (quote.available) return { checkIn, nights };
  }
  throw new Error(`no free ${nights}-night stay ${days} days out`);
}

/** A browser context like the fixture's: nothing may leave 127.0.0.1. */
async function guestContext(browser: Browser, baseURL: string, javaScriptEnabled: boolean, foreign: string[]) {
  const context = await browser.newContext({ baseURL, javaScriptEnabled, locale: 'en-US', timezoneId: 'UTC' });
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    async (route) => {
      foreign.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  return context;
}

/** The estimator filled in for a stay and (without JavaScript) sent. */
async function estimate(page: Page, stay: { checkIn: string; nights: number }, guests: number, submit: boolean) {
  const form = page.getByRole('region', { name: 'Price and booking' });
  await form.getByLabel('Arrival date').fill(stay.checkIn);
  await form.getByLabel('Nights').fill(String(stay.nights));
  await form.getByLabel('Guests').fill(String(guests));
  if (submit) await form.getByRole('button', { name: 'Show price' }).click();
  return form;
}

async function requestBooking(page: Page, guest: string) {
  const request = page.getByRole('form', { name: 'Request this booking' });
  await request.getByLabel('Name').fill(guest);
  await request.getByLabel('E-mail').fill(`${guest.toLowerCase().replace(/\W+/g, '.')}@example.org`);
  await request.getByLabel(/Phone/).fill('+41 79 555 01 23');
  await request.getByLabel(/Message/).fill('We arrive by train in the evening.');
  return request;
}

/** The reservation id the confirmation names. */
async function confirmed(page: Page) {
  await expect(page.getByRole('heading', { level: 1, name: 'Your booking request is on its way' })).toBeVisible();
  const id = await page.locator('[data-reservation-id]').getAttribute('data-reservation-id');
  expect(id).toBeTruthy();
  return id ?? '';
}

async function adminToken(request: APIRequestContext, login: { tenant: string; email: string; password: string }) {
  const data = await gql<{ login: { token: string } }>(
    request,
    'mutation ($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }',
    { t: login.tenant, e: login.email, p: login.password },
  );
  return data.login.token;
}

function uniqueGuest(name: string) {
  return `${name} ${Date.now().toString(36).slice(-5)}`;
}

test.describe('public site', () => {
  let foreign: string[] = [];
  let guest: BrowserContext | undefined;
  test.afterEach(async () => {
    await guest?.close();
    guest = undefined;
    expect(foreign, 'requests to hosts other than 127.0.0.1').toEqual([]);
    foreign = [];
  });

  test('without JavaScript: catalog, unit, estimate, request and confirmation; staff find it held', async ({ browser, baseURL, page, request, admin }) => {
    guest = await guestContext(browser, baseURL ?? '', false, foreign);
    const visitor = await guest.newPage();
    const birch = (await units(request, 'alpine-cabins')).find((u) => u.name.startsWith('Birch'));
    expect(birch).toBeTruthy();
    const stay = await freeStay(request, birch?.id ?? '', 150, 3);

    await visitor.goto('/alpine-cabins/');
    await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Alpine Cabins');
    await expect(visitor.locator('#contact').getByRole('link', { name: /\+41/ })).toHaveAttribute('href', /^tel:/);
    await expect(visitor.getByRole('link', { name: /openstreetmap/i }).first()).toBeVisible();
    await visitor.getByRole('navigation').getByRole('link', { name: 'Units' }).click();
    await expect(visitor).toHaveURL(/\/alpine-cabins\/units$/);
    await visitor.getByRole('link', { name: birch?.name ?? '' }).first().click();
    await expect(visitor.getByRole('heading', { level: 1 })).toHaveText(birch?.name ?? '');

    const estimator = await estimate(visitor, stay, 2, true);
    await expect(visitor).toHaveURL(/checkIn=/);
    await expect(estimator.getByRole('heading', { name: /Available/ })).toBeVisible();
    const total = estimator.locator('[data-total-minor]');
    await expect(total).toContainText('CHF');
    const guestName = uniqueGuest('Ines Keller');
    const form = await requestBooking(visitor, guestName);
    await form.getByRole('button', { name: 'Send booking request' }).click();
    const id = await confirmed(visitor);
    await expect(visitor.getByText('CHF').first()).toBeVisible();

    // Staff: held, from the public site, the guest as the client.
    await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin/reservations/${id}`)}`);
    await signIn(page, admin);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const record = page.getByRole('region', { name: 'Record' });
    await expect(record).toContainText('Held');
    await expect(record).toContainText('Public site');
    await expect(page.getByText(guestName).first()).toBeVisible();
  });

  test('with JavaScript: the estimate follows the changes live, and staff see the request arrive live', async ({ browser, baseURL, page, request, admin }) => {
    const pine = (await units(request, 'alpine-cabins')).find((u) => u.name.startsWith('Pine'));
    const stay = await freeStay(request, pine?.id ?? '', 170, 2);
    // Staff watch the admin app.
    await page.goto('/admin/sign-in');
    await signIn(page, admin);
    await expect(page.getByRole('link', { name: 'Calendar' })).toBeVisible();

    guest = await guestContext(browser, baseURL ?? '', true, foreign);
    const visitor = await guest.newPage();
    await visitor.goto(`/alpine-cabins/units/${pine?.id ?? ''}`);
    const answer = visitor.locator('#answer');
    await expect(answer).toHaveAttribute('aria-live', 'polite');
    const estimator = await estimate(visitor, stay, 2, false);
    // No click: the answer follows the fields.
    await expect(estimator.getByRole('heading', { name: /Available/ })).toBeVisible();
    const twoGuests = await estimator.locator('[data-total-minor]').getAttribute('data-total-minor');
    await estimator.getByLabel('Guests').fill('1');
    await expect(estimator.locator('[data-total-minor]')).not.toHaveAttribute('data-total-minor', twoGuests ?? '');
    const { quote } = await gql<{ quote: { total: { amount: number } } }>(
      request,
      'query ($i: QuoteInput!) { quote(tenant: "alpine-cabins", input: $i) { total { amount } } }',
      { i: { unitId: pine?.id, guests: 1, period: { checkIn: stay.checkIn, checkOut: addDays(stay.checkIn, stay.nights) } } },
    );
    await expect(estimator.locator('[data-total-minor]')).toHaveAttribute('data-total-minor', String(quote.total.amount));

    const guestName = uniqueGuest('Tomás Ruiz');
    const form = await requestBooking(visitor, guestName);
    // A new answer (two guests again) keeps what the guest typed.
    await estimator.getByLabel('Guests').fill('2');
    await expect(estimator.locator('[data-total-minor]')).toHaveAttribute('data-total-minor', twoGuests ?? '');
    await expect(form.getByLabel('Name')).toHaveValue(guestName);
    await expect(form.getByLabel(/Message/)).toHaveValue('We arrive by train in the evening.');
    await form.getByRole('button', { name: 'Send booking request' }).click();
    await confirmed(visitor);
    await expect(page.getByText('New booking request')).toBeVisible();
    await expect(page.getByText(new RegExp(guestName)).first()).toBeVisible();
  });

  test('a double submit makes one request', async ({ browser, baseURL, request, admin }) => {
    guest = await guestContext(browser, baseURL ?? '', false, foreign);
    const visitor = await guest.newPage();
    const chalet = (await units(request, 'alpine-cabins')).find((u) => u.name.startsWith('Summit'));
    const stay = await freeStay(request, chalet?.id ?? '', 190, 2);
    await visitor.goto(`/alpine-cabins/units/${chalet?.id ?? ''}`);
    await estimate(visitor, stay, 2, true);
    const guestName = uniqueGuest('Double Click');
    const form = await requestBooking(visitor, guestName);
    await form.getByRole('button', { name: 'Send booking request' }).dblclick();
    await confirmed(visitor);
    const token = await adminToken(request, admin);
    const found = await gql<{ reservations: { edges: { node: { state: string; channel: string } }[] } }>(
      request,
      'query ($s: String) { reservations(filter: { clientSearch: $s }) { edges { node { state channel } } } }',
      { s: guestName },
      token,
    );
    expect(found.reservations.edges.map((e) => e.node)).toEqual([{ state: 'HELD', channel: 'public' }]);
  });

  test('a request the rules refuse is said in words and writes nothing', async ({ browser, baseURL, request }) => {
    guest = await guestContext(browser, baseURL ?? '', false, foreign);
    const visitor = await guest.newPage();
    const birch = (await units(request, 'alpine-cabins')).find((u) => u.name.startsWith('Birch'));
    const stay = await freeStay(request, birch?.id ?? '', 210, 2);
    await visitor.goto(`/alpine-cabins/units/${birch?.id ?? ''}`);
    const estimator = await estimate(visitor, stay, 40, true);
    await expect(estimator.getByRole('heading', { name: 'Not available as asked' })).toBeVisible();
    await expect(estimator.locator('.reasons li').first()).not.toBeEmpty();
    await expect(visitor.getByRole('button', { name: 'Send booking request' })).toHaveCount(0);
  });

  test('the sitemap lists every unit, and robots.txt points at it', async ({ request }) => {
    for (const slug of TENANTS) {
      const response = await request.get(`/${slug}/sitemap.xml`);
      expect(response.ok()).toBe(true);
      const xml = await response.text();
      for (const unit of await units(request, slug)) {
        expect(xml, `${slug}: ${unit.name}`).toContain(`/${slug}/units/${unit.id}</loc>`);
      }
      const robots = await (await request.get('/robots.txt')).text();
      expect(robots).toContain(`/${slug}/sitemap.xml`);
    }
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`axe: nothing serious or critical on any page at ${viewport.width} px`, async ({ page, request }) => {
      test.setTimeout(120_000);
      await page.setViewportSize(viewport);
      for (const slug of TENANTS) {
        const all = await units(request, slug);
        const paths = [`/${slug}/`, `/${slug}/units`, ...all.slice(0, 2).map((u) => `/${slug}/units/${u.id}`)];
        for (const path of paths) {
          await page.goto(path);
          await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
          expect(await seriousViolations(page), path).toEqual([]);
        }
      }
      // An answered estimate and its request form.
      const birch = (await units(request, 'alpine-cabins')).find((u) => u.name.startsWith('Birch'));
      const stay = await freeStay(request, birch?.id ?? '', 230, 3);
      await page.goto(`/alpine-cabins/units/${birch?.id ?? ''}?checkIn=${stay.checkIn}&nights=3&guests=2#estimator`);
      await expect(page.getByRole('button', { name: 'Send booking request' })).toBeVisible();
      expect(await seriousViolations(page), 'estimate').toEqual([]);
    });
  }
});
