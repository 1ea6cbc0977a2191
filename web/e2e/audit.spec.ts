// The audit log through the real berth: what the test did to a client
// (created, renamed, blocked) found by filtering on the entity, each entry
// opening onto its before and after in words; the filters kept in the address
// (reload, action); an erasure turning the recorded values into "(erased)"
// while the entries stay; a staff user given no link and a page saying the
// log is not for their role; axe at desktop and phone widths.
import type { Page } from '@playwright/test';
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

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

function uniqueName(first: string): string {
  return `${first} Test${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

/** A client created, renamed and blocked through the API: three audit entries. */
async function clientWithHistory(page: Page) {
  const name = uniqueName('Lia');
  const { createClient } = await api<{ createClient: { id: string } }>(page, 'mutation ($i: CreateClientInput!) { createClient(input: $i) { id } }', {
    i: { name, email: 'lia@example.org' },
  });
  const id = createClient.id;
  await api(page, 'mutation ($id: ID!, $i: UpdateClientInput!) { updateClient(id: $id, input: $i) { id } }', { id, i: { name: `${name} Renamed` } });
  await api(page, 'mutation ($id: ID!) { updateClient(id: $id, input: { blocked: true }) { id } }', { id });
  return { id, name, renamed: `${name} Renamed` };
}

test.describe('audit log', () => {
  test('lists what the test did to a client, found by its entity, with each before and after', async ({ page, admin }) => {
    test.setTimeout(60_000);
    await signInAt(page, admin, '/audit');
    await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
    const { id, name, renamed } = await clientWithHistory(page);

    // Filter by the entity: typed into the field, kept in the address.
    await page.getByRole('textbox', { name: 'Entity id' }).fill(id);
    await expect(page).toHaveURL(new RegExp(`[?&]entity=${id}`));
    await expect(page.getByText('3 entries')).toBeVisible();
    const rows = page.locator('main tbody > tr');
    await expect(rows).toHaveCount(3);
    // Newest first: blocked, renamed, created — each by "you", on the client.
    await expect(rows.nth(0)).toContainText('Changed');
    await expect(rows.nth(2)).toContainText('Created');
    await expect(rows.nth(0)).toContainText(`You (${admin.email})`);
    await expect(rows.nth(0).getByRole('link', { name: `Client …${id.slice(-8)}` })).toHaveAttribute('href', `/admin/clients/${id}`);

    // The rename: its before and after, the change in words.
    await rows.nth(1).getByRole('button', { name: /^Show the changes of “Changed”/ }).click();
    const nameRow = page.getByRole('row', { name: /^Name changed/ });
    await expect(nameRow).toContainText(name);
    await expect(nameRow).toContainText(renamed);
    // The block.
    await rows.nth(0).getByRole('button', { name: /^Show the changes of “Changed”/ }).click();
    await expect(page.getByRole('row', { name: 'Blocked changed no yes', exact: true })).toBeVisible();
    // The creation: the values it started with.
    await page.locator('main tbody > tr', { hasText: 'Created' }).getByRole('button', { name: /^Show the changes/ }).click();
    await expect(page.getByRole('row', { name: 'E-mail set lia@example.org', exact: true })).toBeVisible();

    // Another filter, and a reload: the address keeps them.
    await page.goto(`/admin/audit?type=client&entity=${id}&action=update`);
    await expect(page.getByText('2 entries')).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Entity' })).toHaveValue('Client');
    await expect(page.getByRole('combobox', { name: 'Action' })).toHaveValue('update');

    // Erased: the entries stay, their personal values read "(erased)".
    await api(page, 'mutation ($id: ID!) { eraseClient(id: $id) { auditEntries } }', { id });
    await page.goto(`/admin/audit?entity=${id}`);
    await expect(page.getByText('4 entries')).toBeVisible();
    await expect(page.locator('main tbody > tr').nth(0)).toContainText('Personal data erased');
    await page.locator('main tbody > tr', { hasText: 'Created' }).getByRole('button', { name: /^Show the changes/ }).click();
    await expect(page.getByRole('row', { name: 'Name set (erased)', exact: true })).toBeVisible();
    await expect(page.getByText(name)).toHaveCount(0);
  });

  test('a staff user has no link to the log and is told it is not for their role', async ({ page, admin, browser, baseURL }) => {
    await signInAt(page, admin, '/audit');
    const email = `staff-${Date.now()}-${Math.floor(Math.random() * 1e6)}@${admin.tenant}.example.org`;
    const password = `pw-staff-${Date.now()}-long-enough`;
    await api(page, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: email, p: password });
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
    await context.route(
      (url) => new URL(url.href).hostname !== '127.0.0.1',
      (route) => route.abort('blockedbyclient'),
    );
    const staff = await context.newPage();
    await signInAt(staff, { tenant: admin.tenant, email, password }, '/audit');
    await expect(staff.getByRole('heading', { level: 1, name: 'Not for your role' })).toBeVisible();
    await expect(staff.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
    await expect(staff.getByRole('link', { name: 'Clients' })).toBeVisible();
    await context.close();
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`axe at ${viewport.width}: the log, an open entry, the empty state`, async ({ page, admin }) => {
      await page.setViewportSize(viewport);
      await signInAt(page, admin, '/audit');
      const { id } = await clientWithHistory(page);
      await page.goto(`/admin/audit?entity=${id}`);
      await expect(page.getByText('3 entries')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: /^Show the changes of “Changed”/ }).first().click();
      await expect(page.getByText('changed', { exact: true }).first()).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto('/admin/audit?type=client&from=2001-01-01&to=2001-01-02');
      await expect(page.getByText('No entry matches these filters')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
});
