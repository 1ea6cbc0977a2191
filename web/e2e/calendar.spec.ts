// The calendar (home screen) through the real berth: the month heatmap's
// buttons and their names (the web contract), a seeded day's panel against the
// `day` query, the keyboard, month navigation, live updates from
// `reservationEvents`, the address, and axe on the heatmap and the open panel.
import type { Locator, Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';

const contractName = /^\d{4}-\d{2}-\d{2}: .* of .* occupied \(\d+%\)$/;

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

interface OccupancyDay {
  date: string;
  occupied: number;
  capacity: number;
  ratio: number | null;
}

interface DayAnswer {
  day: {
    date: string;
    occupancy: OccupancyDay;
    reservations: {
      id: string;
      state: string;
      checkIn: string | null;
      checkOut: string | null;
      guests: number;
      unit: { name: string };
      client: { name: string; email: string | null; phone: string | null } | null;
    }[];
  };
}

const monthQuery = `query ($from: Date!, $to: Date!) {
  occupancy(from: $from, to: $to) { days { date occupied capacity ratio } }
}`;

const dayQuery = `query ($date: Date!) {
  day(date: $date) {
    date
    occupancy { date occupied capacity ratio }
    reservations { id state checkIn checkOut guests unit { name } client { name email phone } }
  }
}`;

/** Today at the signed-in tenant (its timezone). */
async function tenantToday(page: Page): Promise<string> {
  const { me } = await api<{ me: { tenant: { timezone: string } } }>(page, '{ me { tenant { timezone } } }');
  return new Intl.DateTimeFormat('en-CA', { timeZone: me.tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** The accessible name the contract gives a day (whole numbers as in the demo data). */
function expectedName(day: OccupancyDay): string {
  const amount = (n: number) => new Intl.NumberFormat('en', { maximumFractionDigits: 1, useGrouping: false }).format(n);
  let percent = day.ratio === null ? 0 : Math.round(day.ratio * 100);
  if (day.ratio !== null && percent === 0 && day.ratio > 0) percent = 1;
  if (day.ratio !== null && percent >= 100 && day.ratio < 1) percent = 99;
  return `${day.date}: ${amount(day.occupied)} of ${amount(day.capacity)} occupied (${percent}%)`;
}

const stateWords: Record<string, string> = {
  HELD: 'Held',
  CONFIRMED: 'Confirmed',
  CHECKED_IN: 'Checked in',
  FINISHED: 'Finished',
  CANCELED: 'Canceled',
  ABSENT: 'No-show',
};

/**
 * Opens the page's address again, in its canonical form `/admin/?month=…` (as
 * a reload or a shared link would).
 */
async function openAddress(page: Page) {
  const url = new URL(page.url());
  if (url.pathname === '/admin') url.pathname = '/admin/';
  await page.goto(url.href);
}

function grid(page: Page): Locator {
  return page.getByRole('grid');
}

function dayButton(page: Page, date: string): Locator {
  return grid(page).getByRole('button', { name: new RegExp(`^${date}: `) });
}

/** Shows `month` with the month buttons, from whatever month is shown. */
async function goToMonth(page: Page, month: string, today: string) {
  const current = today.slice(0, 7);
  const steps = (Number(month.slice(0, 4)) - Number(current.slice(0, 4))) * 12 + Number(month.slice(5, 7)) - Number(current.slice(5, 7));
  await page.getByRole('button', { name: 'Today' }).click();
  for (let i = 0; i < Math.abs(steps); i++) {
    await page.getByRole('button', { name: steps > 0 ? 'Next month' : 'Previous month' }).click();
  }
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(month));
}

/** The first date from today with a reservation touching it (the demo seeds some within days). */
async function seededDay(page: Page, today: string): Promise<DayAnswer['day']> {
  const { occupancy } = await api<{ occupancy: { days: OccupancyDay[] } }>(page, monthQuery, {
    from: today,
    to: addDays(today, 60),
  });
  for (const day of occupancy.days.filter((d) => d.occupied > 0)) {
    const answer = await api<DayAnswer>(page, dayQuery, { date: day.date });
    if (answer.day.reservations.length > 0) return answer.day;
  }
  throw new Error('no seeded reservation within 60 days');
}

/** Three nights from a week ahead on that the policy accepts and some unit has free. */
async function bookableStay(page: Page, tenant: string, today: string): Promise<{ unitId: string; checkIn: string }> {
  for (let offset = 7; offset < 60; offset++) {
    const checkIn = addDays(today, offset);
    const { availability } = await api<{ availability: { unitId: string; available: boolean }[] }>(
      page,
      'query ($tenant: String!, $checkIn: Date!, $checkOut: Date!) { availability(tenant: $tenant, input: { period: { checkIn: $checkIn, checkOut: $checkOut }, guests: 1 }) { unitId available } }',
      { tenant, checkIn, checkOut: addDays(checkIn, 3) },
    );
    const unit = availability.find((a) => a.available);
    if (unit) return { unitId: unit.unitId, checkIn };
  }
  throw new Error('no bookable stay within 60 days');
}

test.beforeEach(async ({ page, admin }) => {
  await page.goto('/admin/');
  await signIn(page, admin);
  await expect(grid(page)).toBeVisible();
});

test('the home screen is the month heatmap: one button per day, named as the contract says', async ({ page }) => {
  const today = await tenantToday(page);
  const month = today.slice(0, 7);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(month));
  await expect(page).toHaveTitle(/^Calendar · berth admin$/);

  const { occupancy } = await api<{ occupancy: { days: OccupancyDay[] } }>(page, monthQuery, { from: `${month}-01`, to: monthEnd(month) });
  const buttons = grid(page).getByRole('button');
  await expect(buttons).toHaveCount(occupancy.days.length);
  // Every day's name has the contract's form, with the figures `occupancy` gives.
  await expect(buttons.first()).toHaveAccessibleName(contractName);
  const names = await buttons.evaluateAll((list) => list.map((b) => b.getAttribute('aria-label')));
  for (const name of names) expect(name).toMatch(contractName);
  expect(names).toEqual(occupancy.days.map(expectedName));
  // The percentage is printed in the cell, not only coloured.
  const busy = occupancy.days.find((d) => d.occupied > 0 && d.capacity > 0);
  if (busy) await expect(dayButton(page, busy.date)).toContainText(`${expectedName(busy).match(/\((\d+)%\)$/)?.[1]}%`);
  // Today is marked for screen readers too.
  await expect(grid(page).locator('[aria-current="date"]')).toHaveCount(1);
  await expect(dayButton(page, today)).toHaveAttribute('aria-current', 'date');
});

test('a day with a seeded reservation opens a panel that matches the `day` query, and survives a reload', async ({ page }) => {
  const today = await tenantToday(page);
  const day = await seededDay(page, today);
  await goToMonth(page, day.date.slice(0, 7), today);

  await dayButton(page, day.date).click();
  const panel = page.getByRole('dialog');
  await expect(panel).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`\\?month=${day.date.slice(0, 7)}&day=${day.date}$`));

  const check = async () => {
    await expect(panel.locator('a[href^="/admin/reservations/"]')).toHaveCount(day.reservations.length);
    for (const r of day.reservations) {
      const link = panel.locator(`a[href="/admin/reservations/${r.id}"]`);
      await expect(link).toHaveText(r.client?.name ?? 'No guest named');
      const item = panel.getByRole('listitem').filter({ has: page.locator(`a[href="/admin/reservations/${r.id}"]`) });
      await expect(item).toContainText(r.unit.name);
      await expect(item).toContainText(stateWords[r.state] ?? r.state);
      await expect(item).toContainText(`${r.guests} guest${r.guests === 1 ? '' : 's'}`);
      if (r.client?.email) await expect(item.locator(`a[href="mailto:${r.client.email}"]`)).toBeVisible();
      if (r.client?.phone) await expect(item.locator('a[href^="tel:"]')).toContainText(r.client.phone);
      if (r.checkIn && r.checkOut) {
        await expect(item).toContainText('Check-in');
        await expect(item).toContainText('Check-out');
      }
    }
    // Nightly: each reservation under arrivals, staying or departures.
    const parts = { Arrivals: 0, Staying: 0, Departures: 0 };
    for (const r of day.reservations) {
      parts[r.checkIn === day.date ? 'Arrivals' : r.checkOut === day.date ? 'Departures' : 'Staying'] += 1;
    }
    for (const [part, count] of Object.entries(parts)) {
      const region = panel.getByRole('region', { name: `${part} (${count})` });
      await expect(region).toHaveCount(count > 0 ? 1 : 0);
    }
    await expect(panel.getByRole('region', { name: 'Occupancy' })).toContainText(
      `${expectedName(day.occupancy).match(/\((\d+)%\)$/)?.[1]}%`,
    );
  };
  await check();

  // The address keeps the open day: opened again (a reload, a shared link), it shows the same panel.
  await openAddress(page);
  await expect(panel).toBeVisible();
  await check();

  // A reservation's link opens its screen.
  const first = day.reservations[0]!;
  await panel.locator(`a[href="/admin/reservations/${first.id}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/admin/reservations/${first.id}$`));
});

test('the keyboard moves between days, opens and closes the day panel, and changes the month', async ({ page }) => {
  const today = await tenantToday(page);
  const focusedDate = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.date ?? null);

  // One day is in the tab order: today.
  await page.getByRole('button', { name: 'Next month' }).focus();
  await page.keyboard.press('Tab');
  expect(await focusedDate()).toBe(today);

  const next = addDays(today, 1);
  await page.keyboard.press('ArrowRight');
  expect(await focusedDate()).toBe(next);
  if (next.slice(0, 7) !== today.slice(0, 7)) await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(next.slice(0, 7)));

  await page.keyboard.press('Enter');
  const panel = page.getByRole('dialog');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'Occupancy' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  expect(await focusedDate()).toBe(next);
  await expect(page).not.toHaveURL(/day=/);

  // Space opens it as well.
  await page.keyboard.press(' ');
  await expect(panel).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  // Page Down: the same day of the next month.
  const [y, m] = next.split('-').map(Number) as [number, number];
  const nextMonth = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
  await page.keyboard.press('PageDown');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(nextMonth));
  await expect.poll(focusedDate).toMatch(new RegExp(`^${nextMonth}-`));
  await page.keyboard.press('PageUp');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(next.slice(0, 7)));
  await expect.poll(focusedDate).toBe(next);
  // Home and End: the week's first and last day (inside the month).
  await page.keyboard.press('Home');
  const weekStart = await focusedDate();
  await page.keyboard.press('End');
  const weekEnd = await focusedDate();
  expect(weekStart && weekEnd && weekStart <= next && next <= weekEnd).toBeTruthy();
});

test('the month buttons move between months; the address keeps the month', async ({ page }) => {
  const today = await tenantToday(page);
  const month = today.slice(0, 7);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);

  await page.getByRole('button', { name: 'Next month' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(next));
  await expect(page).toHaveURL(new RegExp(`\\?month=${next}$`));
  await expect(grid(page).getByRole('button')).toHaveCount(Number(monthEnd(next).slice(8)));
  await expect(grid(page).getByRole('button').last()).toHaveAccessibleName(contractName);
  await expect(grid(page).locator('[aria-current="date"]')).toHaveCount(0);

  await page.getByRole('button', { name: 'Previous month' }).click();
  await page.getByRole('button', { name: 'Previous month' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(previous));
  await openAddress(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(previous));

  await page.getByRole('button', { name: 'Today' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(monthName(month));
  await expect(dayButton(page, today)).toHaveAttribute('aria-current', 'date');
});

test('a reload of the address the browser shows keeps the month and the open day', async ({ page }) => {
  // The app keeps the address bar on `/admin/?…` (inside the service
  // worker's scope), and berth's `/admin` → `/admin/` redirect keeps a query.
  const today = await tenantToday(page);
  await dayButton(page, today).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/admin/\\?.*day=${today}`));
  await page.reload();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`day=${today}`));
});

test('a booking made elsewhere shows in the open day and on the heatmap, without a reload', async ({ page, admin }) => {
  const today = await tenantToday(page);
  const stay = await bookableStay(page, admin.tenant, today);
  const date = addDays(stay.checkIn, 1);

  // The day is open before the booking exists.
  await goToMonth(page, date.slice(0, 7), today);
  const before = (await dayButton(page, date).getAttribute('aria-label')) ?? '';
  await dayButton(page, date).click();
  const panel = page.getByRole('dialog');
  await expect(panel.getByRole('heading', { name: 'Occupancy' })).toBeVisible();

  const { createReservation } = await api<{ createReservation: { id: string } }>(
    page,
    'mutation ($input: CreateReservationInput!) { createReservation(input: $input) { id } }',
    {
      input: {
        unitId: stay.unitId,
        period: { checkIn: stay.checkIn, checkOut: addDays(stay.checkIn, 3) },
        guests: 1,
        client: { name: 'Calendar Live Test', email: 'live@example.org' },
      },
    },
  );
  const id = createReservation.id;
  try {
    const link = panel.locator(`a[href="/admin/reservations/${id}"]`);
    await expect(link).toHaveText('Calendar Live Test', { timeout: 5000 });
    await expect(panel.getByRole('region', { name: /^Staying \(\d+\)$/ })).toContainText('Calendar Live Test');

    // Canceled elsewhere: the open day says so, live.
    await api(page, 'mutation ($id: ID!) { cancelReservation(id: $id, reason: "e2e") { id } }', { id });
    await expect(panel.getByRole('listitem').filter({ has: page.locator(`a[href="/admin/reservations/${id}"]`) })).toContainText('Canceled', {
      timeout: 5000,
    });
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
    // And the heatmap is back to what it was.
    await expect(dayButton(page, date)).toHaveAccessibleName(before, { timeout: 5000 });
  } finally {
    await api(page, 'mutation ($id: ID!) { cancelReservation(id: $id, reason: "e2e cleanup") { id } }', { id }).catch(() => undefined);
  }
});

test('a booking made elsewhere changes the heatmap, without a reload', async ({ page, admin }) => {
  const today = await tenantToday(page);
  const stay = await bookableStay(page, admin.tenant, today);
  await goToMonth(page, stay.checkIn.slice(0, 7), today);
  const before = (await dayButton(page, stay.checkIn).getAttribute('aria-label')) ?? '';

  const { createReservation } = await api<{ createReservation: { id: string } }>(
    page,
    'mutation ($input: CreateReservationInput!) { createReservation(input: $input) { id } }',
    { input: { unitId: stay.unitId, period: { checkIn: stay.checkIn, checkOut: addDays(stay.checkIn, 3) }, guests: 1, client: { name: 'Calendar Live Test' } } },
  );
  try {
    const { occupancy } = await api<{ occupancy: { days: OccupancyDay[] } }>(page, monthQuery, { from: stay.checkIn, to: stay.checkIn });
    const after = expectedName(occupancy.days[0]!);
    expect(after).not.toBe(before);
    await expect(dayButton(page, stay.checkIn)).toHaveAccessibleName(after, { timeout: 5000 });
  } finally {
    await api(page, 'mutation ($id: ID!) { cancelReservation(id: $id, reason: "e2e cleanup") { id } }', { id: createReservation.id }).catch(
      () => undefined,
    );
  }
});

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
]) {
  test(`no serious accessibility violation on the heatmap and the open day panel at ${viewport.width}×${viewport.height}`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const today = await tenantToday(page);
    await expect(grid(page).getByRole('button').first()).toHaveAccessibleName(contractName);
    expect(await seriousViolations(page)).toEqual([]);

    const day = await seededDay(page, today);
    await goToMonth(page, day.date.slice(0, 7), today);
    await dayButton(page, day.date).click();
    const panel = page.getByRole('dialog');
    await expect(panel.getByRole('heading', { name: 'Occupancy' })).toBeVisible();
    // Let the drawer finish sliding in before measuring colours.
    await page.waitForTimeout(400);
    if (viewport.width < 576) {
      // Full screen at phone width.
      const box = await panel.boundingBox();
      expect(box?.width).toBe(viewport.width);
    }
    expect(await seriousViolations(page)).toEqual([]);

    // In Spanish too.
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
    await page.evaluate(() => localStorage.setItem('berth.language', 'es'));
    await page.reload();
    await expect(grid(page).getByRole('button').first()).toHaveAccessibleName(/^\d{4}-\d{2}-\d{2}: .* de .* ocupadas \(\d+%\)$/);
    expect(await seriousViolations(page)).toEqual([]);
  });
}
