// Transactional e-mail end to end, through the real berth and the loopback
// SMTP sink of the global setup: a staff user opts in to new requests by
// e-mail → a guest asks to book on the public site → "request received"
// reaches the guest and "new request" the staff user → staff confirm the
// stay in the admin app → "confirmed" reaches the guest with the stay as an
// iCalendar attachment → the settings' message log lists them as sent, and
// one is sent again from there.
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';
import { readMailbox, type Mail } from './mailbox';

interface Answer<T> {
  data?: T;
  errors?: { message: string }[];
}

async function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await request.post('/graphql', { data: { query, variables }, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const { data, errors } = (await response.json()) as Answer<T>;
  if (errors?.length || !data) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
  return data;
}

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, days: number) => iso(new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000));

/** A free two-night stay for two on the unit, `days` or more days from today. */
async function freeStay(request: APIRequestContext, unitId: string, days: number) {
  const from = addDays(iso(new Date()), days);
  for (let i = 0; i < 120; i++) {
    const checkIn = addDays(from, i);
    const { quote } = await gql<{ quote: { available: boolean } }>(
      request,
      'query ($i: QuoteInput!) { quote(tenant: "alpine-cabins", input: $i) { available } }',
      { i: { unitId, guests: 2, period: { checkIn, checkOut: addDays(checkIn, 2) } } },
    );
    if (quote.available) return checkIn;
  }
  throw new Error('no free two-night stay');
}

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

/** The messages to `address`, oldest first, once there are at least `count`. */
async function mailTo(address: string, count: number): Promise<Mail[]> {
  let found: Mail[] = [];
  await expect
    .poll(
      () => {
        found = readMailbox().filter((m) => m.to.includes(address));
        return found.length;
      },
      { timeout: 30_000, message: `${count} message(s) to ${address}` },
    )
    .toBeGreaterThanOrEqual(count);
  return found;
}

/** A guest's booking request on the public site (JavaScript off, as the simplest guest). */
async function requestBooking(browser: Browser, baseURL: string, unitId: string, checkIn: string, name: string, email: string) {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false, locale: 'en-US', timezoneId: 'UTC' });
  try {
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => route.abort('blockedbyclient'),
    );
    const visitor = await context.newPage();
    await visitor.goto(`/alpine-cabins/units/${unitId}`);
    const estimator = visitor.getByRole('region', { name: 'Price and booking' });
    await estimator.getByLabel('Arrival date').fill(checkIn);
    await estimator.getByLabel('Nights').fill('2');
    await estimator.getByLabel('Guests').fill('2');
    await estimator.getByRole('button', { name: 'Show price' }).click();
    const form = visitor.getByRole('form', { name: 'Request this booking' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('E-mail').fill(email);
    await form.getByLabel(/Phone/).fill('+41 79 555 01 23');
    await form.getByRole('button', { name: 'Send booking request' }).click();
    await expect(visitor.getByRole('heading', { level: 1, name: 'Your booking request is on its way' })).toBeVisible();
    const id = await visitor.locator('[data-reservation-id]').getAttribute('data-reservation-id');
    expect(id).toBeTruthy();
    return id ?? '';
  } finally {
    await context.close();
  }
}

test.describe('e-mail', () => {
  test('a request, its confirmation with the stay attached, and the log', async ({ page, admin, browser, baseURL, request }) => {
    test.setTimeout(120_000);
    // A staff user who wants new requests by e-mail, opting in on their
    // notification settings.
    await signInAt(page, admin, '/settings/email');
    await expect(page.getByText('bookings@berth.test', { exact: false })).toBeVisible();
    const staffEmail = `mail-staff-${unique()}@alpine-cabins.example.org`;
    const staffPassword = `pw-${unique()}-long-enough`;
    const { login } = await gql<{ login: { token: string } }>(
      request,
      'mutation ($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }',
      { t: admin.tenant, e: admin.email, p: admin.password },
    );
    await gql(request, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: staffEmail, p: staffPassword }, login.token);
    const staffContext = await browser.newContext({ baseURL, locale: 'en-US', timezoneId: 'UTC' });
    try {
      const staff = await staffContext.newPage();
      await signInAt(staff, { tenant: admin.tenant, email: staffEmail, password: staffPassword }, '/settings/notifications');
      const byEmail = staff.getByRole('region', { name: 'By e-mail' });
      await expect(byEmail.getByText(`E-mails to ${staffEmail}`, { exact: false })).toBeVisible();
      const optIn = byEmail.getByRole('switch', { name: 'E-mail me new booking requests' });
      await expect(optIn).toBeEnabled();
      if (!(await optIn.isChecked())) {
        await optIn.click();
        await expect(byEmail.getByText('Saved.')).toBeVisible();
      }
      await expect(optIn).toBeChecked();
      expect(await seriousViolations(staff)).toEqual([]);
    } finally {
      await staffContext.close();
    }

    // The guest asks to book.
    const { units } = await gql<{ units: { id: string; name: string }[] }>(request, 'query { units(tenant: "alpine-cabins") { id name } }');
    const unit = units.find((u) => u.name.startsWith('Birch'));
    expect(unit).toBeTruthy();
    const checkIn = await freeStay(request, unit?.id ?? '', 230);
    const guestEmail = `guest.${unique()}@example.org`;
    const reservationId = await requestBooking(browser, baseURL ?? '', unit?.id ?? '', checkIn, `Mail Guest ${unique()}`, guestEmail);

    const [received] = await mailTo(guestEmail, 1);
    expect(received?.headers.from).toContain('bookings@berth.test');
    expect(received?.headers.from).toContain('Alpine Cabins');
    expect(received?.headers['reply-to']).toContain('hallo@alpine-cabins.example.ch');
    expect(received?.headers['message-id']).toBeTruthy();
    expect(received?.headers.date).toBeTruthy();
    expect(received?.hasCalendar).toBe(false);
    const [toStaff] = await mailTo(staffEmail, 1);
    expect(toStaff?.subject).toBeTruthy();

    // Staff confirm it in the admin app: the guest hears, with the stay attached.
    await page.goto(`/admin/reservations/${reservationId}`);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('region', { name: 'Record' })).toContainText('Confirmed');
    const afterConfirm = await mailTo(guestEmail, 2);
    const confirmation = afterConfirm[1];
    expect(confirmation?.hasCalendar).toBe(true);
    expect(confirmation?.raw).toMatch(/BEGIN:VCALENDAR/);
    expect(confirmation?.headers['message-id']).not.toBe(received?.headers['message-id']);

    // The log lists them as sent; one is sent again.
    await page.goto('/admin/settings/email');
    const log = page.getByRole('table', { name: 'Messages' });
    const requestRow = log.getByRole('row', { name: `Request received, ${guestEmail}, Sent` });
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(log.getByRole('row', { name: `Booking confirmed, ${guestEmail}, Sent` })).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    await expect(requestRow).toBeVisible();
    await expect(log.getByRole('row', { name: `New request (staff), ${staffEmail}, Sent` })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await requestRow.getByRole('button', { name: `Resend Request received, ${guestEmail}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Send this message again?' });
    await expect(confirm.getByText(guestEmail, { exact: false })).toBeVisible();
    await confirm.getByRole('button', { name: 'Send again' }).click();
    await expect(page.getByText('The message is queued to be sent again.')).toBeVisible();
    const again = await mailTo(guestEmail, 3);
    expect(again[2]?.headers['message-id']).toBe(received?.headers['message-id']);
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(requestRow.getByText(/^2 attempts · answered 250/)).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 20_000 });

    // The status filter, kept in the address: nothing failed here.
    await page.locator('label', { hasText: /^Failed$/ }).click();
    await expect(page.getByRole('radio', { name: 'Failed' })).toBeChecked();
    await expect(page).toHaveURL(/status=failed/);
    await expect(page.getByText('No messages with the status Failed.')).toBeVisible();
  });
});
