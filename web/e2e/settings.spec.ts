// Settings against the real berth: an API key's secret shown once (gone
// after closing) and usable as a bearer token; a user added and their role
// changed; a webhook to a loopback receiver with its deliveries, one resent;
// a unit's iCal link copied, fetched, and replaced; a staff user gets no
// Settings link and the "Not for your role" page; axe on every section at
// 1280 and 375.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
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

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** A loopback HTTP receiver that answers 204 and records what it got. */
async function receiver(): Promise<{ url: string; received: { path: string; headers: IncomingMessage['headers']; body: string }[]; close: () => Promise<void> }> {
  const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/berth-hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test.describe('settings', () => {
  test('an API key: its secret shown once, gone after closing, and usable', async ({ page, admin, request }) => {
    await signInAt(page, admin, '/settings');
    await expect(page).toHaveURL(/\/admin\/settings\/users$/);
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'API keys' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();

    const name = `e2e key ${unique()}`;
    await page.getByRole('button', { name: 'Create key' }).first().click();
    const form = page.getByRole('dialog', { name: 'Create an API key' });
    // The roles offered stop at the viewer's own (the demo user is an admin).
    await expect(form.getByRole('combobox', { name: /Acts as/ }).locator('option')).toHaveText([/^Admin/, /^Staff/, /^Viewer/]);
    await form.getByRole('button', { name: 'Create key' }).click();
    await expect(form.getByText('Give the key a name.')).toBeVisible();
    await form.getByRole('textbox', { name: 'Name' }).fill(name);
    await form.getByRole('combobox', { name: /Acts as/ }).selectOption('STAFF');
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByRole('dialog', { name: 'API key created' });
    await expect(shown).toBeVisible();
    await expect(shown.getByText('You will not see this again.', { exact: false })).toBeVisible();
    const secret = await shown.getByRole('textbox', { name: 'Key' }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await expect(shown).toBeHidden();
    // Gone: nowhere on the page, and not in the page's storage.
    expect(await page.content()).not.toContain(secret);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(secret);
    const row = page.getByRole('listitem', { name, exact: true });
    await expect(row.getByText('Acts as Staff')).toBeVisible();

    // The key works as a bearer token (a key is not a user: `me` answers
    // FORBIDDEN, not UNAUTHENTICATED; what a staff key may read, it reads).
    const call = async (query: string, key: string) =>
      (await (await request.post('/graphql', { headers: { Authorization: `Bearer ${key}` }, data: { query } })).json()) as GraphqlAnswer<Record<string, unknown>>;
    expect((await call('{ me { email } }', secret)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await call('{ me { email } }', `${secret}x`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const units = await call('{ units { id } }', secret);
    expect(units.errors).toBeUndefined();
    expect((units.data?.units as unknown[]).length).toBeGreaterThan(0);

    // Revoked after a warning: refused from then on.
    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await expect(confirm).toBeHidden();
    await expect(row.getByText(/^Revoked /)).toBeVisible();
    expect((await call('{ units { id } }', secret)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('a user added with a first password shown once, then given another role', async ({ page, admin, browser, baseURL }) => {
    await signInAt(page, admin, '/settings/users');
    const email = `e2e-${unique()}@${admin.tenant}.example.org`;
    await page.getByRole('button', { name: 'Add user' }).first().click();
    const form = page.getByRole('dialog', { name: 'Add a user' });
    await expect(form.getByRole('combobox', { name: /^Role/ }).locator('option')).toHaveText([/^Admin/, /^Staff/, /^Viewer/]);
    await form.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await form.getByRole('combobox', { name: /^Role/ }).selectOption('STAFF');
    await form.getByRole('button', { name: 'Add user' }).click();

    const shown = page.getByRole('dialog', { name: 'User added' });
    await expect(shown.getByRole('textbox', { name: 'E-mail' })).toHaveValue(email);
    const password = await shown.getByRole('textbox', { name: 'First password' }).inputValue();
    expect(password.length).toBeGreaterThanOrEqual(10);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await expect(shown).toBeHidden();
    expect(await page.content()).not.toContain(password);

    const row = page.getByRole('listitem', { name: email, exact: true });
    await expect(row.getByText('Staff', { exact: true })).toBeVisible();
    await row.getByRole('button', { name: `Change the role of ${email}` }).click();
    const roleDialog = page.getByRole('dialog', { name: 'Change role' });
    await roleDialog.getByRole('combobox', { name: /New role/ }).selectOption('VIEWER');
    await roleDialog.getByRole('button', { name: 'Save role' }).click();
    await expect(roleDialog).toBeHidden();
    await expect(row.getByText('Viewer', { exact: true })).toBeVisible();
    const { users } = await api<{ users: { email: string; role: string }[] }>(page, '{ users { email role } }');
    expect(users.find((u) => u.email === email)?.role).toBe('VIEWER');

    // The password works: the new user signs in.
    const context = await browser.newContext({ baseURL, locale: 'en-US', timezoneId: 'UTC' });
    try {
      const other = await context.newPage();
      await signInAt(other, { tenant: admin.tenant, email, password }, '/account');
    } finally {
      await context.close();
    }

    // Disabled after a warning; enabled again.
    await row.getByRole('button', { name: `Disable ${email}` }).click();
    const disable = page.getByRole('dialog', { name: 'Disable this user?' });
    await disable.getByRole('button', { name: 'Disable user' }).click();
    await expect(disable).toBeHidden();
    await expect(row.getByText(/^Disabled since/)).toBeVisible();
    await row.getByRole('button', { name: `Enable ${email}` }).click();
    await page.getByRole('dialog', { name: 'Enable this user?' }).getByRole('button', { name: 'Enable user' }).click();
    await expect(row.getByText(/^Added /)).toBeVisible();
  });

  test('a webhook to a loopback receiver, its deliveries, one resent', async ({ page, admin }) => {
    const hook = await receiver();
    try {
      await signInAt(page, admin, '/settings/webhooks');
      await page.getByRole('button', { name: 'Add webhook' }).first().click();
      const form = page.getByRole('dialog', { name: 'Add a webhook' });
      await form.getByRole('textbox', { name: 'Endpoint URL' }).fill(hook.url);
      const events = form.getByRole('combobox', { name: /^Events/ });
      await events.fill('client.*');
      await events.press('Enter');
      // Close the suggestions (they cover the form's buttons).
      await form.getByRole('textbox', { name: 'Endpoint URL' }).click();
      await form.getByRole('button', { name: 'Add webhook' }).click();

      const shown = page.getByRole('dialog', { name: 'Webhook added' });
      await expect(shown.getByRole('textbox', { name: 'Signing secret' })).toHaveValue(/^whsec_/);
      await shown.getByRole('button', { name: 'I have copied it' }).click();
      await expect(shown).toBeHidden();

      const row = page.getByRole('listitem', { name: hook.url, exact: true });
      await expect(row.getByText('client.*')).toBeVisible();
      await expect(row.getByText('reservation.*')).toBeVisible();

      // An event it receives: a new client.
      await api(page, 'mutation ($n: String!) { createClient(input: { name: $n }) { id } }', { n: `Hook Guest ${unique()}` });
      await expect.poll(() => hook.received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      expect(hook.received[0]?.headers['webhook-signature']).toBeTruthy();

      await row.getByRole('link', { name: `Deliveries of ${hook.url}` }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Webhook deliveries' })).toBeVisible();
      const list = page.getByRole('list', { name: 'Deliveries' });
      const delivery = list.getByRole('listitem', { name: 'client.created, Delivered' });
      await expect(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await expect(delivery).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 20_000 });
      await expect(delivery.getByText(/1 attempt · answered 204/)).toBeVisible();

      await delivery.getByRole('button', { name: 'Resend client.created' }).click();
      await expect(page.getByText('The delivery is queued again.')).toBeVisible();
      await expect.poll(() => hook.received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      expect(hook.received[1]?.headers['webhook-id']).toBe(hook.received[0]?.headers['webhook-id']);
      await expect(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await expect(list.getByRole('listitem', { name: 'client.created, Delivered' }).getByText(/2 attempts/)).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 20_000 });

      await page.getByRole('button', { name: 'Retry failed' }).click();
      await expect(page.getByText('0 failed deliveries are queued again.')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      // Deleted after a warning.
      await page.getByRole('link', { name: 'All webhooks' }).click();
      await page.getByRole('listitem', { name: hook.url, exact: true }).getByRole('button', { name: `Delete the webhook ${hook.url}` }).click();
      await page.getByRole('dialog', { name: 'Delete this webhook?' }).getByRole('button', { name: 'Delete webhook' }).click();
      await expect(page.getByRole('listitem', { name: hook.url, exact: true })).toBeHidden();
    } finally {
      await hook.close();
    }
  });

  test("a unit's iCal link: copied, readable, replaced by a new one", async ({ page, admin, context, request }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signInAt(page, admin, '/settings/calendars');
    const unit = page.getByRole('region', { name: 'Birch Cabin' });
    const turnOn = unit.getByRole('button', { name: 'Turn on the iCal link of Birch Cabin' });
    const link = unit.getByRole('textbox', { name: 'iCal link of Birch Cabin' });
    await expect(turnOn.or(link)).toBeVisible();
    if (await turnOn.isVisible()) await turnOn.click();
    await expect(link).toHaveValue(/\/ical\/alpine-cabins\/.+\.ics\?token=/);
    const url = await link.inputValue();

    await unit.getByRole('button', { name: 'Copy iCal link of Birch Cabin' }).click();
    await expect(unit.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    const feed = await request.get(url);
    expect(feed.status()).toBe(200);
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');

    await unit.getByRole('button', { name: 'New link' }).click();
    const confirm = page.getByRole('dialog', { name: 'Make a new link?' });
    await expect(confirm.getByText('stops working at once')).toBeVisible();
    await confirm.getByRole('button', { name: 'Make a new link' }).click();
    await expect(link).not.toHaveValue(url);
    expect((await request.get(url)).status()).toBeGreaterThanOrEqual(400);
    expect((await request.get(await link.inputValue())).status()).toBe(200);
  });

  test('a staff user gets no Settings link, and the page says it is not for their role', async ({ page, admin, browser, baseURL }) => {
    await signInAt(page, admin, '/settings/users');
    const email = `staff-${unique()}@${admin.tenant}.example.org`;
    const password = `pw-staff-${unique()}-long-enough`;
    await api(page, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: email, p: password });
    const context = await browser.newContext({ baseURL, locale: 'en-US', timezoneId: 'UTC' });
    try {
      const staff = await context.newPage();
      await signInAt(staff, { tenant: admin.tenant, email, password }, '/account');
      const nav = staff.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Calendar' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);
      await staff.goto('/admin/settings/users');
      await expect(staff.getByRole('heading', { level: 1, name: 'Not for your role' })).toBeVisible();
      await expect(staff.getByText('Admin role or above', { exact: false })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`every section passes axe at ${viewport.width}`, async ({ page, admin }) => {
      await page.setViewportSize(viewport);
      // The policy screen with a refused change (a tenant's files are not
      // edited here): its file:line:col lines are checked too.
      await page.route('**/graphql', async (route) => {
        if (!(route.request().postData() ?? '').includes('SettingsPolicyStatus')) return route.fallback();
        await route.fulfill({
          json: {
            data: {
              policyStatus: {
                activeVersion: 4,
                activatedAt: '2026-12-06T08:00:00Z',
                rejectedAt: '2026-12-06T09:30:00Z',
                rejection: ['tenants/alpine-cabins/tenant.yaml:12:5: min_nights must be at least 1 (at rules.min_nights)'],
              },
            },
          },
        });
      });
      await signInAt(page, admin, '/settings/users');
      for (const [path, heading] of [
        ['/settings/users', 'Users and roles'],
        ['/settings/keys', 'API keys'],
        ['/settings/webhooks', 'Webhooks'],
        ['/settings/email', 'E-mail'],
        ['/settings/calendars', 'Calendars'],
        ['/settings/policy', 'Policy status'],
      ] as const) {
        await page.goto(`/admin${path}`);
        await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
        await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
        if (path === '/settings/policy') await expect(page.getByText('tenant.yaml:12:5: min_nights must be at least 1', { exact: false })).toBeVisible();
        expect(await seriousViolations(page), path).toEqual([]);
      }
      // A dialog open, with its form's errors showing.
      await page.goto('/admin/settings/keys');
      await page.getByRole('button', { name: 'Create key' }).first().click();
      await page.getByRole('dialog', { name: 'Create an API key' }).getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByText('Give the key a name.')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
});
