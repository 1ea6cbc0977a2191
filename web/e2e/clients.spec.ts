// Clients through the real berth: one created with the form (its field errors
// first), edited, blocked, found by the search (kept in the address), its
// record read and downloaded as JSON, then erased behind the confirmation
// (the name typed) — after which berth's own answer and the audit log read
// "(erased)" while the history stays; a staff user offered no erasure and no
// record; erasing a client with a stay to serve refused in words; axe on the
// list, a client, the form with its errors and the erase confirmation at
// desktop and phone widths.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
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

function uniqueName(first: string): string {
  return `${first} Test${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path.replace(/[?]/g, '\\?')}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

async function createClient(page: Page, name: string, email = 'guest@example.org'): Promise<string> {
  const { createClient } = await api<{ createClient: { id: string } }>(
    page,
    'mutation ($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: { name, email, phone: '+41 79 000 00 00' } },
  );
  return createClient.id;
}

async function staffPage(browser: Browser, adminPage: Page, baseURL: string, tenant: string, path: string) {
  const email = `staff-${Date.now()}-${Math.floor(Math.random() * 1e6)}@${tenant}.example.org`;
  const password = `pw-staff-${Date.now()}-long-enough`;
  await api(adminPage, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: email, p: password });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  const foreign: string[] = [];
  await context.route(
    (url) => new URL(url.href).hostname !== '127.0.0.1',
    async (route) => {
      foreign.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  await signInAt(page, { tenant, email, password }, path);
  return { page, context, foreign };
}

test.describe('clients', () => {
  test('a client created, edited, blocked, found, its record downloaded, then erased', async ({ page, admin }) => {
    test.setTimeout(90_000);
    await signInAt(page, admin, '/clients');
    await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();
    const name = uniqueName('Noa');

    // Create: the form's problems beside their fields first.
    await page.getByRole('button', { name: 'New client' }).first().click();
    const form = page.getByRole('dialog', { name: 'New client' });
    await form.getByRole('textbox', { name: 'E-mail' }).fill('noa@nowhere');
    await form.getByRole('button', { name: 'Create client' }).click();
    await expect(form.getByText('A client needs a name.')).toBeVisible();
    await expect(form.getByText('This is not an e-mail address (name@example.org).')).toBeVisible();
    await form.getByRole('textbox', { name: 'Name' }).fill(name);
    await form.getByRole('textbox', { name: 'E-mail' }).fill('noa@example.org');
    await form.getByRole('textbox', { name: 'Phone' }).fill('+41 79 555 12 34');
    await form.getByRole('textbox', { name: 'Notes' }).fill('Prefers the quiet side.');
    await form.getByRole('button', { name: 'Create client' }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(form).toBeHidden();
    const id = /\/clients\/([^/?#]+)$/.exec(page.url())?.[1] ?? '';
    expect(id).not.toBe('');
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details.getByText('noa@example.org')).toBeVisible();
    await expect(details.getByText('Prefers the quiet side.')).toBeVisible();

    // Edit.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${name}` });
    await edit.getByRole('textbox', { name: 'Phone' }).fill('+41 79 555 43 21');
    await edit.getByRole('textbox', { name: 'Notes' }).fill('Prefers the lake side.');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect(edit).toBeHidden();
    await expect(details.getByText('+41 79 555 43 21')).toBeVisible();
    await expect(details.getByText('Prefers the lake side.')).toBeVisible();

    // Block: said in words, and what it means.
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await expect(page.getByText('Blocked: this client cannot be booked for.', { exact: false })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Unblock' })).toBeVisible();
    expect((await api<{ client: { blocked: boolean } }>(page, 'query ($id: ID!) { client(id: $id) { blocked } }', { id })).client.blocked).toBe(true);

    // Found by the search, kept in the address.
    await page.getByRole('link', { name: 'All clients' }).click();
    await page.getByRole('searchbox', { name: 'Name or e-mail' }).fill(name.split(' ')[1]!);
    await expect(page).toHaveURL(/[?&]q=/);
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row.getByText('Blocked')).toBeVisible();
    await page.reload();
    await expect(page.getByRole('searchbox', { name: 'Name or e-mail' })).toHaveValue(name.split(' ')[1]!);
    await page.getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

    // The record: shown readably, and downloaded as JSON.
    const record = page.getByRole('region', { name: "The client's record" });
    await record.getByRole('button', { name: 'Show the record' }).click();
    await expect(record.getByText(/0 reservations and 3 history entries/)).toBeVisible();
    await expect(record.getByText('Prefers the lake side.')).toBeVisible();
    const downloading = page.waitForEvent('download');
    await record.getByRole('button', { name: 'Download as JSON' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^client-record-noa-test[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.json$/);
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      client: { id: string; name: string; email: string };
      auditEntries: { action: string }[];
    };
    expect(saved.client).toMatchObject({ id, name, email: 'noa@example.org' });
    expect(saved.auditEntries.map((e) => e.action)).toEqual(['create', 'update', 'update']);

    // Erase: the confirmation says what goes and what stays, and wants the name.
    await page.getByRole('button', { name: 'Erase personal data' }).click();
    const erase = page.getByRole('dialog', { name: `Erase ${name}'s personal data?` });
    await expect(erase.getByText("The client's name, e-mail, phone and notes", { exact: false })).toBeVisible();
    await expect(erase.getByText('They have no reservations, so no reservation notes to erase.')).toBeVisible();
    await expect(erase.getByText('Who did what and when, in the audit log.')).toBeVisible();
    await erase.getByRole('button', { name: 'Erase for good' }).click();
    await expect(erase.getByText("This is not the client's name.")).toBeVisible();
    await erase.getByRole('textbox', { name: "Type the client's name to confirm" }).fill(name);
    await erase.getByRole('button', { name: 'Erase for good' }).click();
    await expect(erase).toBeHidden();
    await expect(page.getByRole('heading', { level: 1, name: '(erased)' })).toBeVisible();
    await expect(page.getByText("This client's personal data was erased on", { exact: false })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);

    // As berth says: the tombstone, archived, without the details.
    const { client } = await api<{ client: { name: string; email: string | null; phone: string | null; notes: string | null; archived: boolean; erasedAt: string | null } }>(
      page,
      'query ($id: ID!) { client(id: $id) { name email phone notes archived erasedAt } }',
      { id },
    );
    expect(client).toMatchObject({ name: '(erased)', email: null, phone: null, notes: null, archived: true });
    expect(client.erasedAt).not.toBeNull();

    // Gone from the list, even with archived clients shown (the name is erased).
    await page.goto(`/admin/clients?q=${encodeURIComponent(name)}&archived=1`);
    await expect(page.getByText(`No client matches “${name}”`)).toBeVisible();
  });

  test('a staff user is offered no erasure and no record; an erasure with a stay to serve is refused in words', async ({ page, admin, browser, baseURL }) => {
    test.setTimeout(90_000);
    await signInAt(page, admin, '/clients');
    const name = uniqueName('Ivo');
    const id = await createClient(page, name);

    const staff = await staffPage(browser, page, baseURL!, admin.tenant, `/clients/${id}`);
    await expect(staff.page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(staff.page.getByRole('button', { name: 'Edit', exact: true })).toBeVisible();
    await expect(staff.page.getByRole('button', { name: 'Block', exact: true })).toBeVisible();
    await expect(staff.page.getByRole('button', { name: 'Erase personal data' })).toHaveCount(0);
    await expect(staff.page.getByText("Only admins and owners can read a client's full record.")).toBeVisible();
    await expect(staff.page.getByRole('button', { name: 'Show the record' })).toHaveCount(0);
    await staff.context.close();
    expect(staff.foreign).toEqual([]);

    // A confirmed stay for the client: berth refuses to erase them, and says why.
    const { units } = await api<{ units: { id: string; name: string }[] }>(page, '{ units { id name } }');
    const unit = units.find((u) => u.name === 'Pine Cabin')!;
    let booked = false;
    for (let i = 0; i < 60 && !booked; i++) {
      const checkIn = new Date(Date.now() + (200 + i * 3) * 86_400_000).toISOString().slice(0, 10);
      const checkOut = new Date(Date.now() + (202 + i * 3) * 86_400_000).toISOString().slice(0, 10);
      try {
        await api(page, 'mutation ($i: CreateReservationInput!) { createReservation(input: $i) { id } }', {
          i: { unitId: unit.id, period: { checkIn, checkOut }, guests: 2, clientId: id },
        });
        booked = true;
      } catch {
        // Taken or refused by the rules: try a later stay.
      }
    }
    expect(booked).toBe(true);
    await page.goto(`/admin/clients/${id}`);
    await expect(page.getByRole('region', { name: 'Reservations' }).getByText('Confirmed')).toBeVisible();
    await page.getByRole('button', { name: 'Erase personal data' }).click();
    const erase = page.getByRole('dialog', { name: `Erase ${name}'s personal data?` });
    await expect(erase.getByText(/This client has 1 reservation still to serve/)).toBeVisible();
    await erase.getByRole('textbox', { name: "Type the client's name to confirm" }).fill(name);
    await erase.getByRole('button', { name: 'Erase for good' }).click();
    await expect(erase.getByRole('alert')).toContainText('berth refused to erase this client.');
    await expect(erase).toBeVisible();
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`axe at ${viewport.width}: the list, a client with its record, the form with its errors, the erase confirmation`, async ({ page, admin }) => {
      test.setTimeout(90_000);
      await page.setViewportSize(viewport);
      await signInAt(page, admin, '/clients');
      await expect(page.locator('main').getByRole('link').first()).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto(`/admin/clients?q=${encodeURIComponent('no such client at all')}`);
      await expect(page.getByText('No client matches', { exact: false })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto('/admin/clients');
      await page.getByRole('button', { name: 'New client' }).first().click();
      const form = page.getByRole('dialog', { name: 'New client' });
      await form.getByRole('textbox', { name: 'Phone' }).fill('call me');
      await form.getByRole('button', { name: 'Create client' }).click();
      await expect(form.getByText('A client needs a name.')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');

      const name = uniqueName('Axe');
      const id = await createClient(page, name);
      await page.goto(`/admin/clients/${id}`);
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await page.getByRole('button', { name: 'Show the record' }).click();
      await expect(page.getByRole('button', { name: 'Download as JSON' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Erase personal data' }).click();
      const erase = page.getByRole('dialog', { name: `Erase ${name}'s personal data?` });
      await erase.getByRole('button', { name: 'Erase for good' }).click();
      await expect(erase.getByText("This is not the client's name.")).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
});
