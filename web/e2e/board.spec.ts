// The board (tape chart) through the real berth: today and the seeded
// reservations as named bars, the range controls and the address, details by
// keyboard, the timeslot and interval views, blocking and lifting dates (and a
// block over a stay refused naming it), a stay booked from the board with the
// pointer and one with the keyboard alone, two staff users watching each
// other's locks live, and axe at desktop and phone widths.
//
// The "live locks" test is also run on PostgreSQL by scripts/test
// (BERTH_E2E_DATABASE_URL; `npm run e2e -- e2e/board.spec.ts --grep "live locks"`).
import type { Browser, Locator, Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import type { DemoLogin } from './global-setup';
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

interface BoardAnswer {
  board: {
    units: { id: string; name: string; inventory: number }[];
    reservations: {
      id: string;
      state: string;
      start: string;
      end: string;
      checkIn: string | null;
      checkOut: string | null;
      client: { name: string } | null;
      unit: { id: string };
    }[];
    slots: { unitId: string; start: string; capacity: number; left: number }[];
    openHours: { unitId: string; date: string; opens: string; closes: string }[];
  };
}

const boardQuery = `query ($from: Date!, $to: Date!) {
  board(from: $from, to: $to) {
    units { id name inventory }
    reservations { id state start end checkIn checkOut client { name } unit { id } }
    slots { unitId start capacity left }
    openHours { unitId date opens closes }
  }
}`;

interface Me {
  me: { id: string; email: string; tenant: { slug: string; timezone: string } };
}

async function me(page: Page): Promise<Me['me']> {
  return (await api<Me>(page, '{ me { id email tenant { slug timezone } } }')).me;
}

/** Today at the signed-in tenant (its timezone). */
async function tenantToday(page: Page): Promise<string> {
  const { tenant } = await me(page);
  return new Intl.DateTimeFormat('en-CA', { timeZone: tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function grid(page: Page): Locator {
  return page.getByRole('grid', { name: /^Board/ });
}

/**
 * Resolves once the page has sent the `boardEvents` subscription over its
 * WebSocket, and berth has had a moment to start following the feed. The
 * board's answer carries no event cursor (decision 0046), so a change made
 * before the subscription is set up would not reach this board.
 */
function boardFollowing(page: Page): Promise<void> {
  return new Promise((resolve) => {
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString();
        if (text.includes('"subscribe"') && text.includes('boardEvents')) setTimeout(resolve, 300);
      });
    });
  });
}

async function openBoard(page: Page, search = '') {
  const following = boardFollowing(page);
  await page.goto(`/admin/board${search}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Board' })).toBeVisible();
  await expect(grid(page)).toBeVisible();
  await following;
}

/** The dates of the columns shown. */
async function shownDates(page: Page): Promise<string[]> {
  return page.locator('[role="columnheader"][data-date]').evaluateAll((heads) => heads.map((h) => h.getAttribute('data-date') ?? ''));
}

/**
 * Nights on a unit that the tenant's rules accept and nothing takes, from
 * `after` on (asked through the public quote, as a guest would).
 */
async function freeStay(page: Page, unitId: string, after: string, nights: number): Promise<{ checkIn: string; checkOut: string }> {
  const { tenant } = await me(page);
  const days = 150;
  // One read of the unit's bookings over the whole window spares a quote per
  // taken day (the demo's winter season fills weeks in a row); the quote still
  // decides, since the rules (arrival days, minimum stays) refuse some free days.
  const taken: (readonly [string, string])[] = [];
  for (let from = 0; from < days + nights; from += 62) {
    // The board answers at most 62 days at a time.
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: addDays(after, from), to: addDays(after, from + 61) });
    for (const r of board.reservations) {
      if (r.unit.id === unitId) taken.push([r.checkIn ?? r.start.slice(0, 10), r.checkOut ?? r.end.slice(0, 10)]);
    }
  }
  for (let i = 0; i < days; i++) {
    const checkIn = addDays(after, i);
    const checkOut = addDays(checkIn, nights);
    if (taken.some(([start, end]) => checkIn < end && checkOut > start)) continue;
    const { quote } = await api<{ quote: { available: boolean; violations: { code: string }[] } }>(
      page,
      'query ($t: String!, $i: QuoteInput!) { quote(tenant: $t, input: $i) { available violations { code } } }',
      { t: tenant.slug, i: { unitId, period: { checkIn, checkOut }, guests: 2 } },
    );
    if (quote.available && quote.violations.length === 0) return { checkIn, checkOut };
  }
  throw new Error(`no free ${nights} nights on ${unitId} after ${after}`);
}

/** Presses on the first date's column of a unit's row and drags to the last date's. */
async function dragDays(page: Page, unitId: string, first: string, last: string) {
  const track = page.locator(`[data-unit="${unitId}"] [data-track]`);
  const box = await track.boundingBox();
  const a = await page.locator(`[role="columnheader"][data-date="${first}"]`).boundingBox();
  const b = await page.locator(`[role="columnheader"][data-date="${last}"]`).boundingBox();
  if (!box || !a || !b) throw new Error('the row or the columns are not on screen');
  const y = box.y + box.height / 2;
  await page.mouse.move(a.x + a.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, y, { steps: 6 });
  await page.mouse.up();
}

/** A new staff user of the signed-in admin's tenant (`createUser`), signed in in a context of its own. */
async function staffPage(browser: Browser, adminPage: Page, baseURL: string, tenant: string, label: string) {
  const email = `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@${tenant}.example.org`;
  const password = `pw-${label}-${Date.now()}-long-enough`;
  await api(adminPage, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: email, p: password });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  // The host guard of the fixtures, for this context too.
  await context.route((url) => new URL(url.href).hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
  const page = await context.newPage();
  await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
  await signIn(page, { tenant, email, password });
  await expect(page.getByRole('heading', { level: 1, name: 'Board' })).toBeVisible();
  return { page, context, email };
}

/** Chooses an option of a segmented control (its radio is visually hidden: the label is what people click). */
async function choose(scope: Page | Locator, name: string) {
  await scope.locator('label').filter({ hasText: new RegExp(`^${escapeRegExp(name)}$`) }).click();
}

function login(logins: DemoLogin[], tenant: string): DemoLogin {
  const found = logins.find((l) => l.tenant === tenant);
  if (!found) throw new Error(`no demo login for ${tenant}`);
  return found;
}

test.describe('the board', () => {
  test('shows today and the seeded reservations as named bars, by state, with a legend', async ({ page, admin }) => {
    await page.goto('/admin/sign-in');
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Board' }).click(); // the web contract's name, matched as a checker would
    await expect(page.getByRole('heading', { level: 1, name: 'Board' })).toBeVisible();
    await expect(grid(page)).toBeVisible();

    // Today is on the board, marked, and not the first column (the range starts a little before).
    const today = await tenantToday(page);
    const todayHead = page.locator('[role="columnheader"][aria-current="date"]');
    await expect(todayHead).toHaveAttribute('data-date', today);
    const dates = await shownDates(page);
    expect(dates.length).toBe(14);
    expect(dates.indexOf(today)).toBeGreaterThan(0);

    // Every reservation that takes the cabins is a bar named for its guest, unit, dates and state.
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: dates[0], to: dates.at(-1) });
    const shown = board.reservations.filter((r) => r.state !== 'CANCELED' && r.client);
    expect(shown.length).toBeGreaterThan(0);
    for (const r of shown) {
      const unit = board.units.find((u) => u.id === r.unit.id)!;
      const bar = grid(page).getByRole('gridcell', { name: new RegExp(`^${escapeRegExp(r.client!.name)}, ${escapeRegExp(unit.name)}, .+, [a-z -]+$`) });
      await expect(bar).toBeVisible();
      await expect(bar).toContainText(r.client!.name);
    }
    // The legend says what the colours mean; states carry icons, not colour alone.
    const legend = page.getByRole('list', { name: 'What the colours and patterns mean' });
    await expect(legend).toContainText('Confirmed');
    await expect(legend).toContainText('Blocked by staff');
    await expect(legend).toContainText('Being booked (locked)');
    await expect(grid(page).locator('[data-state] svg').first()).toBeVisible();
  });

  test('moves through ranges and views, kept in the address', async ({ page, admin }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const first = (await shownDates(page))[0]!;

    await page.getByRole('button', { name: 'Next 14 days' }).click();
    await expect(page).toHaveURL(new RegExp(`from=${addDays(first, 14)}&days=14`));
    await expect(page.locator('[role="columnheader"][data-date]').first()).toHaveAttribute('data-date', addDays(first, 14));

    await choose(page, '30 days');
    await expect(page).toHaveURL(/days=30/);
    await expect(page.locator('[role="columnheader"][data-date]')).toHaveCount(30);

    await page.getByLabel('Go to date').fill('2027-05-20');
    await expect(page).toHaveURL(/from=2027-05-17&days=30/);
    // The address opens the same board.
    await page.reload();
    await expect(page.locator('[role="columnheader"][data-date]').first()).toHaveAttribute('data-date', '2027-05-17');

    await choose(page, '7 days');
    await expect(page.locator('[role="columnheader"][data-date]')).toHaveCount(7);
    await page.getByRole('button', { name: 'Today' }).click();
    const today = await tenantToday(page);
    await expect(page.locator('[role="columnheader"][aria-current="date"]')).toHaveAttribute('data-date', today);
  });

  test('shows a bar’s details from the keyboard and opens it with Enter', async ({ page, admin }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const dates = await shownDates(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: dates[0], to: dates.at(-1) });
    const target = board.reservations.find((r) => r.state === 'CONFIRMED' && r.checkIn && r.checkIn > dates[0]! && r.client);
    if (!target) throw new Error('no confirmed stay to visit');
    const unitName = board.units.find((u) => u.id === target.unit.id)!.name;

    await grid(page).focus();
    // Down to the unit's row, then right until the cursor rests on the stay.
    for (let i = 0; i < 40; i++) {
      const active = await grid(page).getAttribute('aria-activedescendant');
      const label = active ? await page.locator(`[id="${active}"]`).getAttribute('aria-label') : '';
      if (label?.startsWith(`${target.client!.name}, ${unitName}`)) break;
      const onRow = label?.includes(unitName) ?? false;
      await page.keyboard.press(onRow ? 'ArrowRight' : 'ArrowDown');
    }
    const tooltip = page.getByRole('tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toContainText(target.client!.name);
    await expect(tooltip).toContainText('Nights');
    await expect(tooltip).toContainText('Guests');
    await expect(tooltip).toContainText('Total');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/admin/reservations/${target.id}$`));
  });

  test('a timeslot tenant sees each day’s slots with the seats left', async ({ page, logins }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, login(logins, 'summit-tours'));
    await expect(grid(page)).toBeVisible();
    const dates = await shownDates(page);
    expect(dates).toHaveLength(7);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: dates[0], to: dates.at(-1) });
    const { tenant } = await me(page);
    expect(board.slots.length).toBeGreaterThan(0);
    for (const slot of board.slots.slice(0, 6)) {
      const unit = board.units.find((u) => u.id === slot.unitId)!;
      const time = new Intl.DateTimeFormat('en-US', { timeStyle: 'short', timeZone: tenant.timezone }).format(new Date(slot.start));
      const cell = grid(page).getByRole('gridcell', {
        name: new RegExp(`^${escapeRegExp(unit.name)}, .+, ${escapeRegExp(time)}: ${slot.left} of ${slot.capacity} seats left$`),
      });
      await expect(cell.first()).toContainText(slot.left === 0 ? `${time} · full` : `${time} · ${slot.left} left`);
    }
    for (const r of board.reservations.filter((x) => x.state !== 'CANCELED' && x.client)) {
      await expect(grid(page).getByRole('gridcell', { name: new RegExp(`^${escapeRegExp(r.client!.name)}, `) }).first()).toBeVisible();
    }
  });

  test('an interval tenant sees the day’s hour grid, and rentals across the hours', async ({ page, logins }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, login(logins, 'river-gear'));
    await expect(grid(page)).toBeVisible();
    // Opening: today's hours.
    const today = await tenantToday(page);
    expect(await shownDates(page)).toEqual([today]);
    await expect(page.getByRole('radio', { name: 'Day', exact: true })).toBeChecked();
    const head = page.locator(`[role="columnheader"][data-date="${today}"]`);
    // The day's hours (tenants/river-gear/tenant.yaml): from 09 Tuesday to
    // Friday, from 08 at weekends and on Monday (closed; the grid's default).
    const weekday = new Date(`${today}T12:00:00Z`).getUTCDay();
    await expect(head).toContainText(weekday >= 2 && weekday <= 5 ? '09' : '08');
    await expect(head).toContainText('12');

    // A week: the seeded rentals as bars.
    await choose(page, '7 days');
    await expect(page.locator('[role="columnheader"][data-date]')).toHaveCount(7);
    const dates = await shownDates(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: dates[0], to: dates.at(-1) });
    const rentals = board.reservations.filter((r) => r.state !== 'CANCELED' && r.client);
    expect(rentals.length).toBeGreaterThan(0);
    for (const r of rentals) {
      await expect(grid(page).getByRole('gridcell', { name: new RegExp(`^${escapeRegExp(r.client!.name)}, `) }).first()).toBeAttached();
    }
  });

  test('blocks dates with a reason, hatched, lifts them, and refuses a block over a stay naming it', async ({ page, admin }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const today = await tenantToday(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: today, to: addDays(today, 30) });
    const unit = board.units.at(-1)!;
    const stay = await freeStay(page, unit.id, addDays(today, 70), 2);

    await openBoard(page, `?from=${addDays(stay.checkIn, -2)}&days=14`);
    await dragDays(page, unit.id, stay.checkIn, addDays(stay.checkOut, -1));
    const selection = page.getByRole('region', { name: 'Selection' });
    await expect(selection).toContainText(`${unit.name} · `);
    await expect(selection).toContainText('2 nights');
    await selection.getByRole('button', { name: 'Block dates' }).click();
    const dialog = page.getByRole('dialog', { name: 'Block dates' });
    await dialog.getByRole('radio', { name: "Owner's use" }).check();
    await dialog.getByRole('button', { name: 'Block dates' }).click();
    await expect(dialog).toBeHidden();

    const block = grid(page).getByRole('gridcell', { name: new RegExp(`^Blocked \\(Owner's use\\), ${escapeRegExp(unit.name)}, `) });
    await expect(block).toBeVisible();
    await expect(block).toContainText("Owner's use");
    expect(await block.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('repeating-linear-gradient');

    // Lifting: from the block, with a confirmation.
    await block.click();
    const lift = page.getByRole('dialog', { name: 'Lift block' });
    await expect(lift).toContainText("Owner's use");
    await lift.getByRole('button', { name: 'Lift block' }).click();
    await expect(lift).toBeHidden();
    await expect(block).toBeHidden();

    // A block over a stay is refused, naming it, with a link to it.
    const near = await api<BoardAnswer>(page, boardQuery, { from: today, to: addDays(today, 40) });
    const booked = near.board.reservations.find((r) => r.state === 'CONFIRMED' && r.checkIn && r.checkOut && r.checkIn > today && r.client);
    if (!booked) throw new Error('no confirmed stay to block over');
    await openBoard(page, `?from=${addDays(booked.checkIn!, -1)}&days=14`);
    await dragDays(page, booked.unit.id, booked.checkIn!, addDays(booked.checkOut!, -1));
    await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'Block dates' }).click();
    await dialog.getByRole('button', { name: 'Block dates' }).click();
    const refusal = dialog.getByRole('alert');
    await expect(refusal).toContainText('The dates were not blocked');
    await expect(refusal).toContainText(booked.client!.name);
    await expect(dialog.getByRole('link', { name: 'Open the reservation in the way' })).toHaveAttribute('href', `/admin/reservations/${booked.id}`);
  });

  test('shows an imported calendar’s block live, hatched with its source, and does not offer to lift it', async ({ page, admin }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const today = await tenantToday(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: today, to: addDays(today, 1) });
    const unit = board.units[1] ?? board.units[0]!;
    const stay = await freeStay(page, unit.id, addDays(today, 160), 2);
    await openBoard(page, `?from=${addDays(stay.checkIn, -2)}&days=14`);

    const ics = (events: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//berth e2e//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');
    const event = [
      'BEGIN:VEVENT',
      `UID:board-e2e-${Date.now()}@example.org`,
      `DTSTAMP:20261201T000000Z`,
      `DTSTART;VALUE=DATE:${stay.checkIn.replaceAll('-', '')}`,
      `DTEND;VALUE=DATE:${stay.checkOut.replaceAll('-', '')}`,
      'SUMMARY:Reserved',
      'END:VEVENT',
    ];
    const importCalendar = 'mutation ($u: ID!, $ics: String!) { importCalendar(unitId: $u, ics: $ics, source: "airbnb") { __typename } }';
    await api(page, importCalendar, { u: unit.id, ics: ics(event) });
    try {
      // Live: the board reads the unit's blocks again after the import's event.
      const imported = grid(page).getByRole('gridcell', { name: new RegExp(`^Imported from airbnb, ${escapeRegExp(unit.name)}, `) });
      await expect(imported).toBeVisible();
      await expect(imported).toContainText('Imported: airbnb');
      expect(await imported.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('repeating-linear-gradient');
      await imported.click();
      const selection = page.getByRole('region', { name: 'Selection' });
      await expect(selection).toContainText('it cannot be lifted here');
      await expect(selection.getByRole('button', { name: 'Lift block' })).toHaveCount(0);
      await expect(page.getByRole('dialog', { name: 'Lift block' })).toHaveCount(0);
    } finally {
      // An empty calendar clears the source.
      await api(page, importCalendar, { u: unit.id, ics: ics([]) });
    }
    await expect(grid(page).getByRole('gridcell', { name: /^Imported from airbnb/ })).toHaveCount(0);
  });

  test('books a stay from a selection on the board, and the bar appears', async ({ page, admin }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const today = await tenantToday(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: today, to: addDays(today, 1) });
    const unit = board.units[0]!;
    const stay = await freeStay(page, unit.id, addDays(today, 100), 3);
    await openBoard(page, `?from=${addDays(stay.checkIn, -2)}&days=14`);
    await dragDays(page, unit.id, stay.checkIn, addDays(stay.checkOut, -1));
    await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'New reservation' }).click();

    const panel = page.getByRole('dialog', { name: 'New reservation' });
    await expect(panel).toBeVisible();
    await expect(panel.getByLabel('Check-in')).toHaveValue(stay.checkIn);
    await expect(panel.getByLabel('Check-out')).toHaveValue(stay.checkOut);
    await choose(panel, 'New client');
    const guest = `Board Guest ${Date.now()}`;
    await panel.getByRole('textbox', { name: 'Name' }).fill(guest);
    await expect(panel.getByText('Total').first()).toBeVisible();
    await panel.getByRole('button', { name: 'Book', exact: true }).click();
    await expect(panel).toBeHidden();
    await expect(grid(page).getByRole('gridcell', { name: new RegExp(`^${escapeRegExp(guest)}, ${escapeRegExp(unit.name)}, `) })).toBeVisible();
  });

  test('books a stay with the keyboard alone', async ({ page, admin }) => {
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const today = await tenantToday(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: today, to: addDays(today, 1) });
    const unit = board.units[1] ?? board.units[0]!;
    const stay = await freeStay(page, unit.id, addDays(today, 130), 3);
    await openBoard(page, `?from=${stay.checkIn}&days=14`);

    // Tab to the grid (one tab stop), down to the unit, Shift+→ over the nights, Enter.
    await page.locator('body').focus();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await grid(page).evaluate((el) => el === document.activeElement)) break;
    }
    await expect(grid(page)).toBeFocused();
    for (let i = 0; i < 20; i++) {
      const active = await grid(page).getAttribute('aria-activedescendant');
      const label = (active && (await page.locator(`[id="${active}"]`).getAttribute('aria-label'))) || '';
      if (label.startsWith(`${unit.name}, `) && label.endsWith(': free')) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect(page.getByRole('region', { name: 'Selection' })).toContainText('3 nights');
    await page.keyboard.press('Enter');

    const panel = page.getByRole('dialog', { name: 'New reservation' });
    await expect(panel).toBeVisible();
    await expect(panel.getByLabel('Check-in')).toHaveValue(stay.checkIn);
    // The drawer settles first: its focus trap moves the focus into it when its
    // opening transition ends, and on two loaded cores that can come after the
    // first key presses, sending the → that picks "New client" elsewhere.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await expect.poll(() => panel.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    // In the panel: to the guest choice (→ picks "New client"), to the name, type it, Enter books.
    const focusedName = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : '';
      return (el.getAttribute('aria-label') ?? label ?? '').trim();
    });
    // A key press lost to a re-render of the drawer is pressed again, as a
    // person would (seen only in full CI runs on two loaded cores; the cause is
    // not found yet — see decision 0024).
    await expect(async () => {
      for (let i = 0; i < 40 && !['Existing client', 'New client'].includes(await focusedName()); i++) await page.keyboard.press('Tab');
      if ((await focusedName()) === 'Existing client') await page.keyboard.press('ArrowRight');
      await expect(panel.getByRole('radio', { name: 'New client' })).toBeChecked({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    for (let i = 0; i < 10 && !(await focusedName()).startsWith('Name'); i++) await page.keyboard.press('Tab');
    const guest = `Keyboard Guest ${Date.now()}`;
    await page.keyboard.type(guest);
    await expect(panel.getByText('Total').first()).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(panel).toBeHidden();
    const bar = grid(page).getByRole('gridcell', { name: new RegExp(`^${escapeRegExp(guest)}, ${escapeRegExp(unit.name)}, `) });
    await expect(bar).toBeVisible();
    // The cursor is on the new stay.
    await expect(grid(page)).toHaveAttribute('aria-activedescendant', (await bar.getAttribute('id'))!);
  });
});

test.describe('live locks', () => {
  test('two staff users: A’s panel locks the range on B’s board with A’s name, B is refused naming A, A cancels and the range is free', async ({ browser, page, admin, baseURL }) => {
    // Three sign-ins (two new staff users) with the debug build's Argon2, and
    // CI runs this test alone on PostgreSQL: about 30 s on a slow machine.
    test.setTimeout(60_000);
    await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
    await signIn(page, admin);
    await expect(grid(page)).toBeVisible();
    const today = await tenantToday(page);
    const { board } = await api<BoardAnswer>(page, boardQuery, { from: today, to: addDays(today, 1) });
    const unit = board.units[0]!;
    const stay = await freeStay(page, unit.id, addDays(today, 45), 2);
    const search = `?from=${addDays(stay.checkIn, -2)}&days=14`;
    const lastNight = addDays(stay.checkOut, -1);

    const a = await staffPage(browser, page, baseURL!, admin.tenant, 'staff-a');
    const b = await staffPage(browser, page, baseURL!, admin.tenant, 'staff-b');
    try {
      await openBoard(a.page, search);
      await openBoard(b.page, search);
      const lockOnB = grid(b.page).getByRole('gridcell', { name: new RegExp(`^Locked by ${escapeRegExp(a.email)} until \\d`) });
      await expect(lockOnB).toHaveCount(0);

      // A opens the panel on the range: it takes the lock.
      await dragDays(a.page, unit.id, stay.checkIn, lastNight);
      const acquired = a.page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('acquireLock'));
      await a.page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'New reservation' }).click();
      const panelA = a.page.getByRole('dialog', { name: 'New reservation' });
      await expect(panelA).toBeVisible();
      expect((await acquired).ok()).toBe(true);
      // B sees it within a second, greyed and hatched, with A's name printed on it.
      await expect(lockOnB).toBeVisible({ timeout: 1_000 });
      await expect(lockOnB).toContainText(a.email);
      expect(await lockOnB.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('repeating-linear-gradient');

      // B's booking over it is refused, naming A.
      await dragDays(b.page, unit.id, stay.checkIn, lastNight);
      await b.page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'New reservation' }).click();
      const panelB = b.page.getByRole('dialog', { name: 'New reservation' });
      await expect(panelB.getByRole('alert').filter({ hasText: a.email })).toBeVisible();
      await expect(panelB).toContainText(`${a.email} is booking this range right now`);
      await panelB.getByRole('button', { name: 'Close the new reservation' }).click();
      await expect(panelB).toBeHidden();

      // A cancels: B's board shows the range free, live.
      await panelA.getByRole('button', { name: 'Cancel' }).click();
      await expect(panelA).toBeHidden();
      await expect(lockOnB).toHaveCount(0, { timeout: 3_000 });
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });
});

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
]) {
  test.describe(`axe at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('the board, with a lock, a block and a bar’s details showing', async ({ browser, page, admin, baseURL }) => {
      await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
      await signIn(page, admin);
      await expect(grid(page)).toBeVisible();
      const today = await tenantToday(page);
      const dates = await shownDates(page);
      const { board } = await api<BoardAnswer>(page, boardQuery, { from: dates[0], to: dates.at(-1) });
      const unit = board.units.at(-1)!;
      // Another user's lock and a staff block near today, on a free range.
      const other = await staffPage(browser, page, baseURL!, admin.tenant, 'axe');
      let blockId: string | undefined;
      let lockId: string | undefined;
      try {
        const lockStay = await freeStay(page, unit.id, addDays(today, 1), 2);
        const lock = await api<{ acquireLock: { id: string } }>(other.page, 'mutation ($i: LockInput!) { acquireLock(input: $i, ttlSeconds: 120) { id } }', {
          i: { unitId: unit.id, period: lockStay },
        });
        lockId = lock.acquireLock.id;
        const blockStay = await freeStay(page, board.units[0]!.id, addDays(today, 1), 2);
        const made = await api<{ blockUnit: { id: string } }>(page, 'mutation ($i: BlockUnitInput!) { blockUnit(input: $i) { id } }', {
          i: { unitId: board.units[0]!.id, period: blockStay, reason: 'Maintenance' },
        });
        blockId = made.blockUnit.id;
        await openBoard(page, `?from=${addDays(today, -1)}&days=14`);
        await expect(grid(page).getByRole('gridcell', { name: /^Locked by / }).first()).toBeAttached();
        await expect(grid(page).getByRole('gridcell', { name: /^Blocked \(Maintenance\)/ }).first()).toBeAttached();
        expect(await seriousViolations(page)).toEqual([]);
        // With the cursor on the board and a selection.
        await grid(page).focus();
        await page.keyboard.press('Shift+ArrowRight');
        await expect(page.getByRole('region', { name: 'Selection' })).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
        // In Spanish.
        if (viewport.width >= 768) {
          await page.getByLabel('Language').selectOption('es');
          await expect(page.getByRole('heading', { level: 1, name: 'Tablero' })).toBeVisible();
          expect(await seriousViolations(page)).toEqual([]);
          await page.getByLabel('Idioma').selectOption('en');
        }
      } finally {
        if (blockId) await api(page, 'mutation ($id: ID!) { unblockUnit(id: $id) { id } }', { id: blockId });
        if (lockId) await api(other.page, 'mutation ($id: ID!) { releaseLock(id: $id) { id } }', { id: lockId });
        await other.context.close();
      }
    });
  });
}
