// Benchmarks of the board in Chromium (not timed tests: they print figures
// and fail only when the board does not work). Run with
//   npm run e2e -- -c playwright.bench.config.ts
// - interactive: the board of 200 units × 30 days with 2,000 reservations
//   (and blocks and locks), its `board` answer served by the test at once;
//   from the click that asks for a new range to the grid drawn, and to the
//   grid answering a key (the cursor moved, the frame painted). Median of 9.
// - lock propagation: a lock taken in one browser (acquireLock over the
//   API) until the other browser's board shows it with the holder's name,
//   through the real berth. Median of 15.
import type { Page, Route } from '@playwright/test';
import { expect, signIn, test } from './fixtures';

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const states = ['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'CHECKED_IN', 'HELD', 'FINISHED', 'CANCELED'];

/** A board of `units` units and `perUnit` stays each over `days` days from `from` (Zurich, nightly). */
function syntheticBoard(from: string, days: number, units: number, perUnit: number) {
  const to = addDays(from, days - 1);
  const unitList = Array.from({ length: units }, (_, i) => ({
    id: `bench-unit-${i}`,
    name: `Cabin ${String(i + 1).padStart(3, '0')}`,
    kind: 'cabin',
    inventory: i % 10 === 0 ? 3 : 1,
    maxGuests: 4,
  }));
  const reservations = [];
  const blocks = [];
  const locks = [];
  let seq = 0;
  for (const [u, unit] of unitList.entries()) {
    // Stays of 1–4 nights back to back (same-day turnover), across the range and its edges.
    let day = -2 + (u % 3);
    for (let k = 0; k < perUnit; k++) {
      const nights = 1 + ((u + k) % 4);
      const checkIn = addDays(from, day);
      const checkOut = addDays(checkIn, nights);
      seq += 1;
      reservations.push({
        __typename: 'Reservation',
        id: `bench-r-${seq}`,
        state: states[seq % states.length],
        start: `${checkIn}T14:00:00Z`,
        end: `${checkOut}T09:00:00Z`,
        checkIn,
        checkOut,
        guests: 2,
        quantity: 1,
        version: 1,
        holdExpiresAt: null,
        price: { __typename: 'Money', amount: 45000 * nights, currency: 'CHF' },
        unit: { __typename: 'Unit', id: unit.id },
        client: { __typename: 'Client', id: `bench-c-${seq}`, name: `Guest ${seq}` },
      });
      day += nights;
    }
    if (u % 10 === 5) {
      blocks.push({
        __typename: 'CalendarBlock',
        id: `bench-b-${u}`,
        unitId: unit.id,
        source: '@staff',
        start: `${addDays(from, days - 3)}T14:00:00Z`,
        end: `${addDays(from, days - 1)}T09:00:00Z`,
        firstDay: addDays(from, days - 3),
        endDay: addDays(from, days - 1),
        reason: 'Maintenance',
        createdBy: 'bench@example.org',
        manual: true,
      });
    }
    if (u % 40 === 7) {
      locks.push({
        __typename: 'Lock',
        id: `bench-l-${u}`,
        unitId: unit.id,
        reservationId: null,
        start: `${addDays(from, days - 2)}T14:00:00Z`,
        end: `${addDays(from, days)}T09:00:00Z`,
        acquiredAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        holder: { __typename: 'LockHolder', userId: 'bench-user', displayName: 'bench@example.org' },
      });
    }
  }
  return {
    data: {
      board: {
        __typename: 'Board',
        from,
        to,
        truncated: false,
        units: unitList.map((u) => ({ __typename: 'Unit', ...u })),
        reservations,
        blocks,
        locks,
        slots: [],
        openHours: [],
      },
    },
  };
}

async function serveBoards(page: Page) {
  await page.route('**/graphql', async (route: Route) => {
    const body = route.request().postDataJSON() as { operationName?: string; variables?: { from: string; to: string } } | null;
    if (body?.operationName !== 'Board' || !body.variables) return route.fallback();
    const { from, to } = body.variables;
    const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
    const perUnit = Math.round(2000 / 200);
    await route.fulfill({
      status: 200,
      contentType: 'application/graphql-response+json',
      body: JSON.stringify(syntheticBoard(from, days, 200, perUnit)),
    });
  });
}

test('the board of 200 units × 30 days with 2,000 reservations becomes interactive', async ({ page, admin }) => {
  test.setTimeout(180_000);
  await serveBoards(page);
  await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard%3Ffrom%3D2027-01-01%26days%3D30');
  await signIn(page, admin);
  const grid = page.getByRole('grid', { name: /^Board/ });
  await expect(grid).toBeVisible();
  await expect(grid.getByRole('rowheader', { name: 'Cabin 001' })).toBeVisible();
  // The answer holds 2,000 reservations.
  expect(await page.evaluate(() => document.querySelectorAll('[role="row"][data-unit]').length)).toBeLessThan(60);

  const drawn: number[] = [];
  const interactive: number[] = [];
  const answered: number[] = [];
  for (let run = 0; run < 9; run++) {
    const result = await page.evaluate(async () => {
      const next = Array.from(document.querySelectorAll('button')).find((b) => b.getAttribute('aria-label') === 'Next 30 days')!;
      const first = () => document.querySelector('[role="columnheader"][data-date]')?.getAttribute('data-date');
      const before = first();
      const frame = () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));
      const t0 = performance.now();
      next.click();
      // Drawn: the new range's columns and its rows with their bars.
      let t1 = 0;
      for (;;) {
        await frame();
        if (first() !== before && document.querySelector('[role="row"][data-unit] [data-item="reservation"]')) {
          t1 = await frame();
          break;
        }
        if (performance.now() - t0 > 10_000) throw new Error('the board was not drawn');
      }
      // Interactive: a key moves the cursor, and the move is painted.
      const grid = document.querySelector<HTMLElement>('[role="grid"]')!;
      grid.focus();
      const active = grid.getAttribute('aria-activedescendant');
      grid.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      let t2 = 0;
      for (;;) {
        const now = await frame();
        if (grid.getAttribute('aria-activedescendant') !== active) {
          t2 = await frame();
          break;
        }
        if (now - t0 > 10_000) throw new Error('the board did not answer the key');
      }
      // When the answer had arrived (served by the test: no server work in it).
      const answer = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.endsWith('/graphql') && e.startTime >= t0)
        .map((e) => (e as PerformanceResourceTiming).responseEnd)[0] ?? t0;
      return { drawn: t1 - t0, interactive: t2 - t0, answered: answer - t0 };
    });
    drawn.push(result.drawn);
    interactive.push(result.interactive);
    answered.push(result.answered);
  }
  const fromAnswer = interactive.map((v, i) => v - answered[i]!);
  const line =
    `board 200 units × 30 days, 2,000 reservations (median of 9, from the click): answer in ${median(answered).toFixed(0)} ms, ` +
    `drawn ${median(drawn).toFixed(0)} ms, interactive ${median(interactive).toFixed(0)} ms; from the answer to interactive ${median(fromAnswer).toFixed(0)} ms ` +
    `(runs ${fromAnswer.map((v) => v.toFixed(0)).join(', ')} ms)`;
  console.log(line);
  test.info().annotations.push({ type: 'benchmark', description: line });
});

test('a lock taken in one browser appears in the other', async ({ browser, page, admin, baseURL }) => {
  test.setTimeout(180_000);
  await page.goto('/admin/sign-in?next=%2Fadmin%2Fboard');
  await signIn(page, admin);
  const grid = page.getByRole('grid', { name: /^Board/ });
  await expect(grid).toBeVisible();
  const first = await page.locator('[role="columnheader"][data-date]').first().getAttribute('data-date');
  await page.goto(`/admin/board?from=${addDays(first!, 200)}&days=30`);
  await expect(grid).toBeVisible();
  const units = await page.evaluate(() => Array.from(document.querySelectorAll('[role="row"][data-unit]')).map((r) => r.getAttribute('data-unit')!));

  // The other browser: a second user of the tenant.
  const email = `bench-${Date.now()}@${admin.tenant}.example.org`;
  const password = `bench-${Date.now()}-password`;
  await page.evaluate(
    async ({ email, password }) => {
      await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', variables: { e: email, p: password } }),
      });
    },
    { email, password },
  );
  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await otherPage.goto('/admin/sign-in?next=%2Fadmin%2Faccount');
  await signIn(otherPage, { tenant: admin.tenant, email, password });
  await expect(otherPage.getByRole('heading', { level: 1 })).toBeVisible();

  const delays: number[] = [];
  try {
    for (let run = 0; run < 15; run++) {
      const checkIn = addDays(first!, 202 + run);
      const unitId = units[run % units.length]!;
      // The watcher in this page notes when a lock named for the holder is drawn.
      await page.evaluate((holder) => {
        const w = window as unknown as { lockSeen?: Promise<number> };
        w.lockSeen = new Promise<number>((resolve) => {
          const seen = () => Array.from(document.querySelectorAll('[data-item="lock"]')).some((el) => el.getAttribute('data-holder') === holder);
          const observer = new MutationObserver(() => {
            if (seen()) {
              observer.disconnect();
              resolve(Date.now());
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        });
      }, email);
      const { sent, id } = await otherPage.evaluate(
        async ({ unitId, checkIn, checkOut }) => {
          const sent = Date.now();
          const response = await fetch('/graphql', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              query: 'mutation ($i: LockInput!) { acquireLock(input: $i) { id } }',
              variables: { i: { unitId, period: { checkIn, checkOut } } },
            }),
          });
          const body = (await response.json()) as { data: { acquireLock: { id: string } } };
          return { sent, id: body.data.acquireLock.id };
        },
        { unitId, checkIn, checkOut: addDays(checkIn, 1) },
      );
      const seenAt = await page.evaluate(() => (window as unknown as { lockSeen: Promise<number> }).lockSeen);
      delays.push(seenAt - sent);
      await otherPage.evaluate(async (lockId) => {
        await fetch('/graphql', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query: 'mutation ($id: ID!) { releaseLock(id: $id) { id } }', variables: { id: lockId } }),
        });
      }, id);
      await expect(page.locator(`[data-item="lock"][data-holder="${email}"]`)).toHaveCount(0);
    }
  } finally {
    await other.close();
  }
  const line = `lock propagation (acquireLock in one browser → drawn with the holder's name in the other): median ${median(delays).toFixed(0)} ms, max ${Math.max(...delays)} ms over ${delays.length}`;
  console.log(line);
  test.info().annotations.push({ type: 'benchmark', description: line });
});
