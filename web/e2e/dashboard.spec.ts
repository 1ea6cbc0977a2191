// The dashboard through the real berth: its cards show what `stats` answers
// (fetched directly with the session cookie) for two ranges, the address keeps
// the range and the ranking, the downloaded CSV holds the same figures, the
// per-date occupancy and the top units, and axe finds nothing serious at
// desktop and phone widths, in English and Spanish.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';

interface Figures {
  from: string;
  to: string;
  occupancyPercent: number | null;
  nightsReserved: number | null;
  revenue: { amount: number; currency: string };
  activeReservations: number;
  canceledReservations: number;
  absentReservations: number;
  averageLengthOfStay: number | null;
  averageLeadTimeDays: number | null;
}

interface Answer {
  stats: Figures & { previous: Figures };
  occupancy: { days: { date: string; occupied: number; capacity: number; ratio: number | null }[] };
  topUnits: { rank: number; unit: { name: string }; nights: number | null; revenue: { amount: number; currency: string } }[];
}

const fields = 'from to occupancyPercent nightsReserved revenue { amount currency } activeReservations canceledReservations absentReservations averageLengthOfStay averageLeadTimeDays';
const query = `query ($from: Date!, $to: Date!) {
  stats(from: $from, to: $to) { ${fields} previous { ${fields} } }
  occupancy(from: $from, to: $to) { days { date occupied capacity ratio } }
  topUnits(from: $from, to: $to, limit: 10, by: REVENUE) { rank unit { name } nights revenue { amount currency } }
}`;

/** Asks berth directly, with the page's session cookie (and the Origin berth wants with a cookie). */
async function api<T>(page: Page, text: string, variables: Record<string, unknown> = {}): Promise<T> {
  const origin = new URL(page.url()).origin;
  const response = await page.request.post('/graphql', {
    headers: { Origin: origin, 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
    data: { query: text, variables },
  });
  const { data, errors } = (await response.json()) as { data?: T; errors?: unknown[] };
  if (errors?.length || !data) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
  return data;
}

async function tenantToday(page: Page): Promise<string> {
  const { me } = await api<{ me: { tenant: { timezone: string } } }>(page, '{ me { tenant { timezone } } }');
  return new Intl.DateTimeFormat('en-CA', { timeZone: me.tenant.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// alpine-cabins is de-CH: read in English, its numbers are en-CH.
const locale = 'en-CH';
const number = (n: number, digits = 1) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
const money = (m: { amount: number; currency: string }) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(m.amount / 100);
const plural = (n: number, one: string, other: string) => `${number(n)} ${n === 1 ? one : other}`;

/** What each card shows for `stats`, as the screen words it. */
function expectedCards(stats: Figures): Record<string, string> {
  return {
    Occupancy: stats.occupancyPercent === null ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(stats.occupancyPercent / 100),
    'Nights reserved': plural(stats.nightsReserved ?? 0, 'night', 'nights'),
    'Estimated revenue': money(stats.revenue),
    'Active reservations': number(stats.activeReservations, 0),
    Canceled: number(stats.canceledReservations, 0),
    'No-shows': number(stats.absentReservations, 0),
    'Average stay': stats.averageLengthOfStay === null ? '—' : plural(stats.averageLengthOfStay, 'night', 'nights'),
    'Average lead time': stats.averageLeadTimeDays === null ? '—' : plural(stats.averageLeadTimeDays, 'day', 'days'),
  };
}

async function shownCards(page: Page): Promise<Record<string, string>> {
  const cards = page.getByRole('list', { name: 'Figures' }).getByRole('listitem');
  await expect(cards).toHaveCount(8);
  const entries = await cards.evaluateAll((items) =>
    items.map((item) => [item.querySelector('[data-label]')?.textContent ?? '', item.querySelector('[data-value]')?.textContent ?? ''] as const),
  );
  return Object.fromEntries(entries);
}

/** Waits until the screen shows `from`–`to` (its request answered), then checks the cards against berth. */
async function expectCardsMatch(page: Page, from: string, to: string): Promise<Answer> {
  const answer = await api<Answer>(page, query, { from, to });
  await expect(page.getByRole('list', { name: 'Figures' })).toBeVisible();
  await expect.poll(() => shownCards(page)).toEqual(expectedCards(answer.stats));
  return answer;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** 9–16 days ahead: demo arrivals in it (9, 15 days ahead) and in the 8 days before (2, 4). */
function busyRange(today: string): { from: string; to: string } {
  return { from: addDays(today, 9), to: addDays(today, 16) };
}

function monthEnd(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

test.beforeEach(async ({ page, admin }) => {
  await page.goto('/admin/dashboard');
  await signIn(page, admin);
  await expect(page.getByRole('heading', { level: 1, name: 'Analytics' })).toBeVisible();
});

test('the cards show what `stats` answers, for this month and for this year; the address keeps the range', async ({ page }) => {
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' })).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle(/^Analytics · berth admin$/);
  const today = await tenantToday(page);

  // This month (the default), whole.
  await expect(page.getByRole('radio', { name: 'This month' })).toBeChecked();
  await expectCardsMatch(page, `${today.slice(0, 7)}-01`, monthEnd(today));

  // This year.
  await page.getByText('This year', { exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/dashboard\?range=this-year$/);
  await expectCardsMatch(page, `${today.slice(0, 4)}-01-01`, `${today.slice(0, 4)}-12-31`);
  await expect(page.getByRole('region', { name: 'Occupancy per month, as a table' }).getByRole('row')).toHaveCount(13);

  // Custom dates and the ranking from the address (as a reload or a shared
  // link): a range whose days, and the days before, hold demo reservations
  // (the demo seeds arrivals 2, 4, 9 and 15 days ahead).
  const { from, to } = busyRange(today);
  await page.goto(`/admin/dashboard?from=${from}&to=${to}&by=nights`);
  const busy = await expectCardsMatch(page, from, to);
  await expect(page.getByRole('radio', { name: 'Nights' })).toBeChecked();
  await expect(page.getByRole('form', { name: 'Custom range' }).getByLabel('From')).toHaveValue(from);
  expect(busy.stats.activeReservations).toBeGreaterThan(0);
  expect(busy.stats.previous.activeReservations).toBeGreaterThan(0);
  // Each card says its change in words, with a sign, "No change" or "No previous data".
  for (const change of await page.locator('[data-change]').allTextContents()) {
    expect(change).toMatch(/^([+\u2212][\d.,'’]+ (pts|reservations?)|[+\u2212][\d.,'’]+%|No change|No previous data)$/);
  }
  const difference = busy.stats.activeReservations - busy.stats.previous.activeReservations;
  const words = difference === 0 ? 'No change' : `${difference > 0 ? '+' : '\u2212'}${Math.abs(difference)} ${Math.abs(difference) === 1 ? 'reservation' : 'reservations'}`;
  await expect(page.locator('[data-figure="active"] [data-change]')).toHaveText(words);
  await expect(page.locator('[data-figure="active"] [data-previous]')).toHaveText(`Previous: ${busy.stats.previous.activeReservations}`);
});

test('the CSV download holds the figures, the occupancy per date and the top units', async ({ page, admin }) => {
  const today = await tenantToday(page);
  const { from, to } = busyRange(today);
  await page.goto(`/admin/dashboard?from=${from}&to=${to}`);
  const answer = await expectCardsMatch(page, from, to);
  await expect(page.getByRole('region', { name: 'Top units, as a table' })).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toBe(`berth-dashboard-${admin.tenant}-${from}_${to}.csv`);
  const bytes = await readFile(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = parseCsv(bytes.subarray(3).toString('utf8'));

  expect(rows[1]).toEqual([admin.tenant, from, to, answer.stats.previous.from, answer.stats.previous.to]);
  const figure = (name: string) => rows.find((r) => r[0] === name);
  const round = (n: number | null, digits = 2) => (n === null ? '' : String(Number(n.toFixed(digits))));
  const { stats } = answer;
  expect(figure('Occupancy (%)')?.slice(1, 3)).toEqual([round(stats.occupancyPercent), round(stats.previous.occupancyPercent)]);
  expect(figure('Nights reserved')?.slice(1, 3)).toEqual([String(stats.nightsReserved), String(stats.previous.nightsReserved)]);
  expect(figure('Estimated revenue')).toEqual([
    'Estimated revenue',
    (stats.revenue.amount / 100).toFixed(2),
    (stats.previous.revenue.amount / 100).toFixed(2),
    expect.any(String),
    expect.any(String),
    stats.revenue.currency,
  ]);
  expect(figure('Active reservations')?.slice(1, 3)).toEqual([String(stats.activeReservations), String(stats.previous.activeReservations)]);
  expect(figure('Canceled')?.slice(1, 3)).toEqual([String(stats.canceledReservations), String(stats.previous.canceledReservations)]);
  expect(figure('No-shows')?.slice(1, 3)).toEqual([String(stats.absentReservations), String(stats.previous.absentReservations)]);
  expect(figure('Average stay (nights)')?.[1]).toBe(round(stats.averageLengthOfStay));
  expect(figure('Average lead time (days)')?.[1]).toBe(round(stats.averageLeadTimeDays));
  // A change against a previous range with reservations is signed and has its unit.
  expect(stats.previous.activeReservations).toBeGreaterThan(0);
  expect(figure('Active reservations')?.slice(3, 5)).toEqual([String(stats.activeReservations - stats.previous.activeReservations), 'reservations']);
  expect(answer.topUnits.length).toBeGreaterThan(0);

  const days = rows.filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(r[0] ?? '') && r.length === 5);
  expect(days.map((r) => r[0])).toEqual(answer.occupancy.days.map((d) => d.date));
  expect(days.map((r) => [r[1], r[2], r[4]])).toEqual(
    answer.occupancy.days.map((d) => [round(d.occupied), round(d.capacity), d.ratio === null ? '' : round(d.ratio * 100)]),
  );

  const header = rows.findIndex((r) => r[0] === 'Rank');
  expect(header).toBeGreaterThan(0);
  const units = rows.slice(header + 1).filter((r) => r.length > 1);
  expect(units.map((r) => [r[0], r[1], r[3], r[4]])).toEqual(
    answer.topUnits.map((u) => [String(u.rank), u.unit.name, (u.revenue.amount / 100).toFixed(2), u.revenue.currency]),
  );
});

test('custom dates are checked beside their field, then shown', async ({ page }) => {
  await page.getByText('Custom', { exact: true }).click();
  const form = page.getByRole('form', { name: 'Custom range' });
  await form.getByLabel('From').fill('2026-03-10');
  await form.getByLabel('To').fill('2026-03-01');
  await form.getByRole('button', { name: 'Show' }).click();
  await expect(form.getByText('The end comes before the start.')).toBeVisible();
  await form.getByLabel('To').fill('2026-04-09');
  await form.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/\?from=2026-03-10&to=2026-04-09$/);
  await expectCardsMatch(page, '2026-03-10', '2026-04-09');
});

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
]) {
  test(`no serious accessibility violation at ${viewport.width}×${viewport.height}, in English and Spanish`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await expect(page.getByRole('list', { name: 'Figures' }).getByRole('listitem')).toHaveCount(8);
    await expect(page.getByRole('region', { name: 'Top units, as a table' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    // With a bar's figures read out, and the custom range open.
    await page.getByRole('group', { name: 'Occupancy chart' }).focus();
    await page.keyboard.press('End');
    await expect(page.locator('#dashboard-occupancy-readout')).toContainText(/occupied|no capacity/);
    await page.getByText('Custom', { exact: true }).click();
    await expect(page.getByRole('form', { name: 'Custom range' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await page.evaluate(() => localStorage.setItem('berth.language', 'es'));
    await page.goto('/admin/dashboard?range=this-year&by=nights');
    await expect(page.getByRole('heading', { level: 1, name: 'Estadísticas' })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Cifras' }).getByRole('listitem')).toHaveCount(8);
    await expect(page.getByRole('region', { name: 'Mejores unidades, en una tabla' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}
