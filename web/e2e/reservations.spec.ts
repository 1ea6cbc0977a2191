// Reservations through the real berth: a stay booked with the form for a new
// client, found in the list by the guest's name and taken through confirm,
// check in and check out; another canceled (reason, refund shown first); a
// period changed (the new quote shown first); notes changed, and a stale edit
// (the reservation changed through the API in between) showing the conflict
// with a reload that works; booking anyway as admin with a reason, shown on
// the reservation; a staff user seeing the refusal only; the panel's lock
// held while it is open and let go on cancel and on leaving the page; one
// booking with the keyboard alone; axe on the list, the reservation and the
// open panel at desktop and phone widths.
import type { Browser, Locator, Page } from '@playwright/test';
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

interface Tenant {
  slug: string;
  timezone: string;
}

async function tenantOf(page: Page): Promise<Tenant> {
  return (await api<{ me: { tenant: Tenant } }>(page, '{ me { tenant { slug timezone } } }')).me.tenant;
}

/** Today at the tenant (its timezone). */
function todayAt(tenant: Tenant): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

async function unitId(page: Page, name: string): Promise<string> {
  const { units } = await api<{ units: { id: string; name: string }[] }>(page, '{ units { id name } }');
  const unit = units.find((u) => u.name === name);
  if (!unit) throw new Error(`no unit ${name}`);
  return unit.id;
}

interface QuoteAnswer {
  quote: { available: boolean; overridable: boolean; violations: { code: string }[]; total: { amount: number } | null };
}

/**
 * The dates (a day wider each side) of the ranges of `unit` someone holds a
 * lock on: a failed attempt's panel keeps its lock for its 30 s lease, and
 * its retry must not pick the same stay.
 */
async function lockedSpans(page: Page, unit: string): Promise<[string, string][]> {
  const { locks } = await api<{ locks: { unitId: string; start: string | null; end: string | null }[] }>(
    page,
    '{ locks { unitId start end } }',
  );
  return locks
    .filter((l) => l.unitId === unit && l.start && l.end)
    .map((l) => [addDays(l.start!.slice(0, 10), -1), addDays(l.end!.slice(0, 10), 1)]);
}

/**
 * The first stay of `nights` from `days` days after today that the quote
 * calls bookable (or, with `refused`, refused by the rules only: overridable)
 * and nobody holds a lock on.
 */
async function findStay(page: Page, unit: string, days: number, nights: number, refused = false) {
  const tenant = await tenantOf(page);
  const id = await unitId(page, unit);
  const locked = await lockedSpans(page, id);
  const from = addDays(todayAt(tenant), days);
  for (let i = 0; i < 120; i++) {
    const checkIn = addDays(from, i);
    const checkOut = addDays(checkIn, nights);
    if (locked.some(([start, end]) => checkIn <= end && checkOut >= start)) continue;
    const { quote } = await api<QuoteAnswer>(
      page,
      'query ($t: String!, $i: QuoteInput!) { quote(tenant: $t, input: $i) { available overridable violations { code } total { amount } } }',
      { t: tenant.slug, i: { unitId: id, period: { checkIn, checkOut }, guests: 2 } },
    );
    if (refused ? !quote.available && quote.overridable : quote.available && quote.violations.length === 0) {
      return { unitId: id, checkIn, checkOut };
    }
  }
  throw new Error(`no ${refused ? 'overridable' : 'free'} ${nights}-night stay on ${unit} after ${from}`);
}

interface Created {
  createReservation: { id: string; version: number };
}

/** Books a stay through the API (for the tests about what follows a booking). */
async function book(page: Page, unit: string, days: number, guest: string) {
  const stay = await findStay(page, unit, days, 2);
  const { createReservation } = await api<Created>(
    page,
    'mutation ($i: CreateReservationInput!) { createReservation(input: $i) { id version } }',
    { i: { unitId: stay.unitId, period: { checkIn: stay.checkIn, checkOut: stay.checkOut }, guests: 2, client: { name: guest } } },
  );
  return { ...stay, id: createReservation.id, version: createReservation.version };
}

function uniqueName(first: string): string {
  return `${first} Test${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** Chooses an option of a segmented control (its radio is visually hidden: people click the label). */
async function choose(scope: Locator, name: string) {
  await scope.locator('label').filter({ hasText: new RegExp(`^${name}$`) }).click();
}

async function chooseOption(page: Page, combobox: Locator, option: string) {
  await combobox.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

/** The panel open on the list, with a unit and a period filled in. */
async function openPanel(page: Page, stay: { checkIn: string; checkOut: string }, unit = 'Summit Chalet') {
  await page.getByRole('button', { name: 'New reservation' }).first().click();
  const panel = page.getByRole('dialog', { name: 'New reservation' });
  await expect(panel).toBeVisible();
  await chooseOption(page, panel.getByRole('combobox', { name: 'Unit' }), unit);
  await panel.getByLabel('Check-in').fill(stay.checkIn);
  await panel.getByLabel('Check-out').fill(stay.checkOut);
  await panel.getByRole('textbox', { name: 'Guests' }).fill('2');
  return panel;
}

/** The reservation screen's state badge (beside its heading). */
const stateOf = (page: Page) => page.locator('main [data-state]').first();

async function staffPage(browser: Browser, adminPage: Page, baseURL: string, tenant: string) {
  const email = `staff-${Date.now()}-${Math.floor(Math.random() * 1e6)}@${tenant}.example.org`;
  const password = `pw-staff-${Date.now()}-long-enough`;
  await api(adminPage, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: email, p: password });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  // The host guard of the fixtures, for this context too.
  const foreign: string[] = [];
  await context.route(
    (url) => new URL(url.href).hostname !== '127.0.0.1',
    async (route) => {
      foreign.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  await signInAt(page, { tenant, email, password }, '/reservations');
  return { page, context, email, foreign };
}

test.describe('reservations', () => {
  test('a stay booked with the form for a new client, found by guest name, confirmed, checked in and out', async ({ page, admin }) => {
    await signInAt(page, admin, '/reservations');
    await expect(page.getByRole('heading', { level: 1, name: 'Reservations' })).toBeVisible();
    const stay = await findStay(page, 'Summit Chalet', 100, 3);
    const guest = uniqueName('Ava');

    const panel = await openPanel(page, stay);
    // The live quote: its lines and total in the tenant's currency.
    const quote = panel.getByRole('region', { name: 'Quote' });
    await expect(quote.getByRole('row', { name: /^Total CHF/ })).toBeVisible();
    await expect(panel.getByText(/This range is held for you/)).toBeVisible();
    await choose(panel, 'New client');
    await panel.getByRole('textbox', { name: 'Name' }).fill(guest);
    await panel.getByRole('textbox', { name: 'E-mail' }).fill('ava@example.org');
    await panel.getByRole('textbox', { name: 'Phone' }).fill('+41 79 555 99 99');
    await choose(panel, 'Hold');
    await panel.getByRole('button', { name: 'Place hold' }).click();

    // Booked: the panel opens the new reservation.
    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
    await expect(panel).toBeHidden();

    // Found in the list by the guest's name.
    await page.getByRole('link', { name: 'Reservations', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Guest' }).fill(guest.split(' ')[1]!);
    await expect(page).toHaveURL(/guest=/);
    const link = page.getByRole('link', { name: guest });
    await expect(link).toBeVisible();
    await link.click();

    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
    await expect(page.getByRole('link', { name: 'ava@example.org' })).toBeVisible();
    await expect(stateOf(page)).toContainText('Held');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(stateOf(page)).toContainText('Confirmed');
    await page.getByRole('button', { name: 'Check in' }).click();
    await expect(stateOf(page)).toContainText('Checked in');
    await page.getByRole('button', { name: 'Check out…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Check out' });
    await expect(dialog).toContainText('finished for good');
    await dialog.getByRole('button', { name: 'Check out' }).click();
    await expect(stateOf(page)).toContainText('Finished');
    await expect(page.getByRole('region', { name: 'Actions' })).toHaveCount(0);
    // The history tells the story, newest first.
    const history = page.getByRole('region', { name: 'History' });
    await expect(history.getByRole('listitem').filter({ hasText: /^Checked out/ })).toBeVisible();
    await expect(history.getByText('Hold placed')).toBeVisible();
  });

  test('another canceled: a reason, and the refund shown before confirming', async ({ page, admin }) => {
    await signInAt(page, admin, '/reservations');
    const guest = uniqueName('Bruno');
    const stay = await book(page, 'Summit Chalet', 130, guest);
    await page.goto(`/admin/reservations/${stay.id}`);
    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel reservation…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the reservation' });
    await expect(dialog.getByText(/^The policy refunds CHF\s[\d’'.,]+ if it is canceled now\.$/)).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel reservation' }).click();
    await expect(dialog.getByText('Give the reason for canceling.')).toBeVisible();
    await dialog.getByRole('textbox', { name: 'Reason for canceling' }).fill('The guest fell ill');
    await dialog.getByRole('button', { name: 'Cancel reservation' }).click();
    await expect(stateOf(page)).toContainText('Canceled');
    await expect(page.getByRole('region', { name: 'Price' })).toContainText(/Refunded: CHF/);
    await expect(page.getByRole('region', { name: 'History' })).toContainText('Reason: The guest fell ill');
  });

  test('a period changed: the new quote shown before it is applied', async ({ page, admin }) => {
    await signInAt(page, admin, '/reservations');
    const guest = uniqueName('Chiara');
    const stay = await book(page, 'Summit Chalet', 160, guest);
    await page.goto(`/admin/reservations/${stay.id}`);
    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
    const total = await page.getByRole('region', { name: 'Price' }).getByRole('row', { name: /^Total/ }).textContent();

    await page.getByRole('button', { name: 'Change period…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the period' });
    const checkOut = addDays(stay.checkOut, 1);
    await dialog.getByLabel('Check-out').fill(checkOut);
    const quote = dialog.getByRole('region', { name: 'New quote' });
    await expect(quote.getByRole('row', { name: /^Total CHF/ })).toBeVisible();
    await expect(dialog.getByText(/^Before: CHF\s.+ more\.$/)).toBeVisible();
    await expect(dialog.getByText(/This range is held for you/)).toBeVisible();
    const newTotal = (await quote.getByRole('row', { name: /^Total/ }).textContent()) ?? '';
    expect(newTotal).not.toBe(total);
    await dialog.getByRole('button', { name: 'Apply the change' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('region', { name: 'Stay' }).getByText('Nights').locator('xpath=following-sibling::dd[1]')).toHaveText('3');
    await expect(page.getByRole('region', { name: 'Price' }).getByRole('row', { name: /^Total/ })).toHaveText(newTotal);
    await expect(page.getByRole('region', { name: 'History' }).getByText('Period changed')).toBeVisible();
  });

  test('notes changed; a stale edit shows the conflict and reloading works', async ({ page, admin }) => {
    await signInAt(page, admin, '/reservations');
    const guest = uniqueName('Dario');
    const stay = await book(page, 'Summit Chalet', 190, guest);
    await page.goto(`/admin/reservations/${stay.id}`);
    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();

    // Notes, plainly.
    await page.getByRole('button', { name: 'Change notes or client…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Change notes or client' });
    await dialog.getByRole('textbox', { name: 'Notes' }).fill('Arrives by train at 16:40');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    const record = page.getByRole('region', { name: 'Record' });
    await expect(record).toContainText('Arrives by train at 16:40');
    await expect(record.getByText('Version').locator('xpath=following-sibling::dd[1]')).toHaveText('2');

    // A stale edit: the dialog opens on version 2, a colleague changes it through the API.
    await page.getByRole('button', { name: 'Change notes or client…' }).click();
    dialog = page.getByRole('dialog', { name: 'Change notes or client' });
    await dialog.getByRole('textbox', { name: 'Notes' }).fill('Needs a cot');
    await api(page, 'mutation ($id: ID!) { updateReservation(id: $id, input: { notes: "Changed by a colleague" }, version: 2) { version } }', {
      id: stay.id,
    });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByText('Changed by someone else')).toBeVisible();
    await expect(dialog).toContainText('Someone changed this reservation after you opened it, so your change was not saved.');
    await dialog.getByRole('button', { name: 'Reload the reservation' }).click();
    await expect(dialog.getByText('Changed by someone else')).toBeHidden();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect(record).toContainText('Needs a cot');
    await expect(record.getByText('Version').locator('xpath=following-sibling::dd[1]')).toHaveText('4');
    // The colleague's change was announced too.
    await expect(page.getByText('Someone else just changed this reservation. You are seeing the current version.')).toBeVisible();
  });

  test('book anyway as admin, with a reason; the reservation shows the override', async ({ page, admin }) => {
    await signInAt(page, admin, '/reservations');
    const stay = await findStay(page, 'Summit Chalet', 220, 1, true);
    const guest = uniqueName('Elena');
    const panel = await openPanel(page, stay);
    await expect(panel.getByText(/The rules of Alpine Cabins do not allow this:/)).toBeVisible();
    await choose(panel, 'New client');
    await panel.getByRole('textbox', { name: 'Name' }).fill(guest);
    // Without the override the booking is refused in words.
    await panel.getByRole('button', { name: 'Book', exact: true }).click();
    await expect(panel.getByText(/The rules do not allow this booking \(see the quote\)/)).toBeVisible();
    await panel.getByRole('button', { name: 'Book anyway…' }).click();
    await expect(panel.getByRole('textbox', { name: 'Reason for booking anyway' })).toBeFocused();
    await panel.getByRole('textbox', { name: 'Reason for booking anyway' }).fill('Goodwill: a returning family, one night only');
    await panel.getByRole('button', { name: 'Book anyway', exact: true }).click();

    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
    const override = page.getByRole('region', { name: /Booked against the rules/ });
    await expect(override).toContainText('Goodwill: a returning family, one night only');
    await expect(override).toContainText(admin.email);
    await expect(override).toContainText(/need at least \d+ nights/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('a staff user sees the refusal only', async ({ page, admin, browser, baseURL }) => {
    await signInAt(page, admin, '/reservations');
    const stay = await findStay(page, 'Summit Chalet', 240, 1, true);
    const staff = await staffPage(browser, page, baseURL!, admin.tenant);
    try {
      const panel = await openPanel(staff.page, stay);
      await expect(panel.getByText(/The rules of Alpine Cabins do not allow this:/)).toBeVisible();
      await expect(panel.getByRole('listitem').filter({ hasText: /need at least \d+ nights/ })).toBeVisible();
      await expect(panel.getByRole('button', { name: /Book anyway/ })).toHaveCount(0);
      await choose(panel, 'New client');
      await panel.getByRole('textbox', { name: 'Name' }).fill(uniqueName('Staffed'));
      await panel.getByRole('button', { name: 'Book', exact: true }).click();
      await expect(panel.getByText('The rules do not allow this booking (see the quote).', { exact: true })).toBeVisible();
      expect(staff.foreign).toEqual([]);
    } finally {
      await staff.context.close();
    }
  });

  test('the range is locked while the panel is open, and let go on cancel and when the page goes away', async ({ page, context, admin }) => {
    await signInAt(page, admin, '/reservations');
    const stay = await findStay(page, 'Pine Cabin', 320, 2);
    // A second tab of the same session watches the tenant's locks.
    const watcher = await context.newPage();
    await watcher.goto('/admin/account');
    // Locks on the unit by id: other tests' sessions may hold some there too.
    const lockIds = async () =>
      (await api<{ locks: { id: string; unitId: string }[] }>(watcher, '{ locks { id unitId } }')).locks
        .filter((l) => l.unitId === stay.unitId)
        .map((l) => l.id);
    const openedLock = async (before: string[]) => {
      const mine = (await lockIds()).filter((id) => !before.includes(id));
      expect(mine).toHaveLength(1);
      return mine[0] ?? '';
    };
    const held = async (id: string) => (await lockIds()).includes(id);

    let before = await lockIds();
    let panel = await openPanel(page, stay, 'Pine Cabin');
    await expect(panel.getByText(/This range is held for you/)).toBeVisible();
    let lock = await openedLock(before);
    await panel.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(panel).toBeHidden();
    await expect.poll(() => held(lock), { timeout: 5_000 }).toBe(false);

    // Leaving the page: released by the keepalive request on pagehide, long before the 30 s lease ends.
    // The page navigates away: closing the tab (page.close) dropped the keepalive request
    // in 2 of 4 runs of headless Chromium, where navigating away released it 6 of 6; a
    // closed tab's lock is left to its lease (docs/decisions/0050).
    // As an installed app is: under the service worker, which must send the
    // request itself (sw.ts); left to the page's own loader it was dropped.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    before = await lockIds();
    panel = await openPanel(page, stay, 'Pine Cabin');
    await expect(panel.getByText(/This range is held for you/)).toBeVisible();
    lock = await openedLock(before);
    await page.goto('about:blank');
    // Half the lease: still proves the release (the lease alone would take
    // 30 s), with room for a browser and a server sharing two loaded cores.
    await expect.poll(() => held(lock), { timeout: 15_000 }).toBe(false);
  });

  test('a booking with the keyboard alone', async ({ page, admin }) => {
    await signInAt(page, admin, '/reservations');
    const stay = await findStay(page, 'Summit Chalet', 260, 2);
    const guest = uniqueName('Kofi');
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el) return '';
      const label = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '';
      return label.trim();
    });
    const tabTo = async (name: RegExp, limit = 40) => {
      for (let i = 0; i < limit && !name.test(await focused()); i++) await page.keyboard.press('Tab');
      expect(await focused()).toMatch(name);
    };

    await tabTo(/^New reservation$/);
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'New reservation' });
    await expect(panel).toBeVisible();
    // The unit: open the list with the arrow key, move to the unit, Enter.
    await tabTo(/^Unit/);
    const highlighted = page.locator('[data-combobox-option][data-combobox-selected]');
    for (let i = 0; i < 10 && (await highlighted.count() === 0 || (await highlighted.textContent()) !== 'Summit Chalet'); i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await expect(panel.getByRole('combobox', { name: 'Unit' })).toHaveValue('Summit Chalet');
    // Dates typed into the date fields (month, day, year in en-US).
    const typeDate = async (date: string) => {
      const [y, m, d] = date.split('-');
      await page.keyboard.type(`${m}${d}${y}`);
    };
    await tabTo(/^Check-in/);
    await typeDate(stay.checkIn);
    await tabTo(/^Check-out/);
    await typeDate(stay.checkOut);
    await expect(panel.getByLabel('Check-out')).toHaveValue(stay.checkOut);
    await tabTo(/^Guests/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await expect(panel.getByRole('region', { name: 'Quote' }).getByRole('row', { name: /^Total CHF/ })).toBeVisible();
    // The guest: the segmented choice by arrow key, then the name; Enter books.
    await tabTo(/^(Existing client|New client)$/);
    await page.keyboard.press('ArrowRight');
    await expect(panel.getByRole('radio', { name: 'New client' })).toBeChecked();
    await tabTo(/^Name/);
    await page.keyboard.type(guest);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
    await expect(stateOf(page)).toContainText('Confirmed');
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`axe at ${viewport.width}: the list, a reservation, the open panel`, async ({ page, admin }) => {
      await page.setViewportSize(viewport);
      await signInAt(page, admin, '/reservations');
      await expect(page.getByRole('heading', { level: 1, name: 'Reservations' })).toBeVisible();
      await expect(page.locator('main').getByRole('link').first()).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      const guest = uniqueName('Axel');
      const booked = await book(page, 'Pine Cabin', 280 + (viewport.width === 375 ? 20 : 0), guest);
      await page.goto(`/admin/reservations/${booked.id}`);
      await expect(page.getByRole('heading', { level: 1, name: guest })).toBeVisible();
      await expect(page.getByRole('region', { name: 'History' }).getByText('Booked')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto('/admin/reservations');
      const stay = await findStay(page, 'Birch Cabin', 280 + (viewport.width === 375 ? 20 : 0), 2);
      const panel = await openPanel(page, stay, 'Birch Cabin');
      await expect(panel.getByRole('region', { name: 'Quote' }).getByRole('row', { name: /^Total CHF/ })).toBeVisible();
      await choose(panel, 'New client');
      expect(await seriousViolations(page)).toEqual([]);
      // With the form's errors showing, and a refusal.
      await panel.getByRole('button', { name: 'Book', exact: true }).click();
      await expect(panel.getByText("Enter the guest's name.")).toBeVisible();
      await panel.getByLabel('Check-out').fill(addDays(stay.checkIn, 1));
      await expect(panel.getByText(/The rules of Alpine Cabins do not allow this:/)).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
});
