// Units through the real berth: a unit created with the form (its field
// errors first), changed, seen as a row on the board, archived behind the
// confirmation (gone from the board and the default list, listed with
// "Show archived units"); a staff user reads units but cannot change them;
// axe on the list, a unit, the new-unit form with its errors and the archive
// dialog, at desktop and phone widths. Photos: a PNG made here uploaded to a
// new unit shows on it (served by berth in its widths), gets alt text, moves
// before another, and one is removed after the confirmation; a text file
// named .jpg is refused before it is sent; axe on the photos at 1280 and 375.
import { deflateSync } from 'node:zlib';
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

function uniqueName(first: string): string {
  return `${first} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

async function signInAt(page: Page, login: { tenant: string; email: string; password: string }, path: string) {
  await page.goto(`/admin/sign-in?next=${encodeURIComponent(`/admin${path}`)}`);
  await signIn(page, login);
  await expect(page).toHaveURL(new RegExp(`/admin${path}$`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

async function createUnitByApi(page: Page, name: string): Promise<string> {
  const { createUnit } = await api<{ createUnit: { id: string } }>(
    page,
    'mutation ($input: CreateUnitInput!) { createUnit(input: $input) { id } }',
    { input: { name, kind: 'cabin', inventory: 1, maxGuests: 4, description: 'A quiet cabin by the lake.', amenities: ['sauna', 'wifi'] } },
  );
  return createUnit.id;
}

/** A small real PNG (a 96×64 gradient), made here: berth decodes it. */
function pngFixture(width = 96, height = 64): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    rows[row] = 0; // no filter
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = Math.round((x / width) * 255);
      rows[row + 2 + x * 3] = Math.round((y / height) * 255);
      rows[row + 3 + x * 3] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The board's row header of a unit (the board lists units as rows). */
const boardRow = (page: Page, name: string) => page.getByRole('rowheader').filter({ hasText: name });

test.describe('units', () => {
  test('a unit created, changed, seen on the board, then archived', async ({ page, admin }) => {
    await signInAt(page, admin, '/units');
    await expect(page.getByRole('heading', { level: 1, name: 'Units' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Summit Chalet' })).toBeVisible();

    // The form says what is missing beside the field, before sending anything.
    await page.getByRole('link', { name: 'New unit' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'New unit' })).toBeVisible();
    const form = page.getByRole('form', { name: 'New unit' });
    await form.getByRole('button', { name: 'Create unit' }).click();
    const nameField = form.getByRole('textbox', { name: 'Name' });
    await expect(nameField).toHaveAttribute('aria-invalid', 'true');
    await expect(nameField).toHaveAccessibleDescription(/Required/);
    await expect(nameField).toBeFocused();

    const name = uniqueName('Lakeside Cabin');
    await nameField.fill(name);
    await form.getByRole('combobox', { name: 'Kind' }).fill('cabin');
    await form.getByRole('textbox', { name: 'Items' }).fill('1');
    await form.getByRole('textbox', { name: 'Guests per item' }).fill('4');
    await form.getByRole('textbox', { name: 'Description' }).fill('A quiet cabin by the lake.');
    const amenities = form.getByRole('combobox', { name: 'Amenities' });
    await amenities.fill('sauna');
    await amenities.press('Enter');
    await amenities.fill('lake view,');
    await form.getByRole('button', { name: 'Create unit' }).click();

    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page).toHaveURL(/\/admin\/units\/[0-9a-f-]{36}$/);
    const unitUrl = page.url();
    await expect(page.getByText('1 item · up to 4 guests each')).toBeVisible();
    const { unit: created } = await api<{ unit: { amenities: string[]; kind: string } }>(page, 'query ($id: ID!) { unit(id: $id) { amenities kind } }', {
      id: unitUrl.split('/').pop(),
    });
    expect(created).toEqual({ amenities: ['sauna', 'lake view'], kind: 'cabin' });

    // Changed: only what changed is sent; the page shows the answer.
    const details = page.getByRole('form', { name: 'Unit details' });
    await expect(details.getByRole('button', { name: 'Save changes' })).toBeDisabled();
    const renamed = `${name} Lodge`;
    await details.getByRole('textbox', { name: 'Name' }).fill(renamed);
    await details.getByRole('textbox', { name: 'Guests per item' }).fill('6');
    const sent = page.waitForRequest((r) => r.url().endsWith('/graphql') && (r.postData() ?? '').includes('UnitUpdate'));
    await details.getByRole('button', { name: 'Save changes' }).click();
    const variables = ((await sent).postDataJSON() as { variables: { input: Record<string, unknown> } }).variables;
    expect(variables.input).toEqual({ name: renamed, maxGuests: 6 });
    await expect(page.getByText('Changes saved.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
    await expect(page.getByText('1 item · up to 6 guests each')).toBeVisible();
    await expect(page.getByRole('form', { name: 'Unit details' }).getByRole('textbox', { name: 'Description' })).toHaveValue('A quiet cabin by the lake.');

    // On the board, as a row.
    await page.getByRole('link', { name: 'Board', exact: true }).click();
    await expect(boardRow(page, renamed)).toBeVisible();

    // Archived, after the confirmation says what that means.
    await page.goto(unitUrl);
    await page.getByRole('button', { name: 'Archive unit…' }).click();
    const dialog = page.getByRole('dialog', { name: `Archive ${renamed}?` });
    await expect(dialog).toContainText('It can no longer be booked');
    await expect(dialog).toContainText('Upcoming reservations are not canceled');
    await expect(dialog.getByText('It has no upcoming reservations.')).toBeVisible();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect(dialog).toBeHidden();
    await page.getByRole('button', { name: 'Archive unit…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Archive unit' }).click();
    await expect(page.getByText(`${renamed} archived.`)).toBeVisible();
    await expect(page.getByText('This unit is archived')).toBeVisible();
    await expect(page.getByRole('form', { name: 'Unit details' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Archive unit…' })).toHaveCount(0);

    // Gone from the board and the list; back with "Show archived units".
    await page.getByRole('link', { name: 'Board', exact: true }).click();
    await expect(boardRow(page, 'Summit Chalet')).toBeVisible();
    await expect(boardRow(page, renamed)).toHaveCount(0);
    await page.getByRole('link', { name: 'Units', exact: true }).click();
    await expect(page.getByRole('link', { name: 'Summit Chalet' })).toBeVisible();
    await expect(page.getByRole('link', { name: renamed })).toHaveCount(0);
    const showArchived = page.getByRole('switch', { name: 'Show archived units' });
    await showArchived.click();
    await expect(showArchived).toBeChecked();
    await expect(page).toHaveURL(/\?archived=1$/);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: renamed }) });
    await expect(row).toContainText('Archived');
  });

  test('photos: uploaded to a new unit, shown on it, described, reordered and removed', async ({ page, admin }) => {
    await signInAt(page, admin, '/units');
    const name = uniqueName('Photo Cabin');
    const id = await createUnitByApi(page, name);
    await page.goto(`/admin/units/${id}`);
    const photos = page.getByRole('region', { name: 'Photos' });
    await expect(photos.getByText('No photos yet.')).toBeVisible();

    // A text file named .jpg is refused here, before anything is sent; the PNGs go.
    const input = photos.locator('input[type=file]');
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/media/units/')) uploads.push(r.url());
    });
    await input.setInputFiles([
      { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image at all') },
      { name: 'lake.png', mimeType: 'image/png', buffer: pngFixture(96, 64) },
      { name: 'jetty.png', mimeType: 'image/png', buffer: pngFixture(64, 96) },
    ]);
    const queue = photos.getByRole('list', { name: 'Files being added' });
    await expect(queue.getByRole('listitem').filter({ hasText: 'notes.jpg' }).getByRole('alert')).toContainText('Not a JPEG, PNG or WebP image');
    const list = photos.getByRole('list', { name: 'Photos, in the order guests see them' });
    await expect(list.getByRole('listitem')).toHaveCount(2);
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toContain(`/media/units/${id}`);

    // Shown from berth's stored widths.
    const first = list.getByRole('listitem').nth(0);
    const img = first.locator('img');
    await expect(img).toHaveAttribute('srcset', /\/media\/[^ ]+ \d+w/);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    await expect(photos.getByText('2 photos have no alt text')).toBeVisible();

    // Alt text.
    await first.getByRole('textbox', { name: 'Alt text of photo 1' }).fill('A gradient standing in for the lake');
    await first.getByRole('button', { name: 'Save' }).click();
    await expect(photos.getByText('1 photo has no alt text')).toBeVisible();
    await expect(list.getByRole('img', { name: 'A gradient standing in for the lake' })).toBeVisible();

    // Moved from the keyboard: the focus follows the photo.
    const moveLater = list.getByRole('button', { name: 'Move photo 1 later' });
    await moveLater.focus();
    await page.keyboard.press('Enter');
    await expect(list.getByRole('listitem').nth(1).getByRole('img', { name: 'A gradient standing in for the lake' })).toBeVisible();
    await expect(list.getByRole('button', { name: 'Move photo 2 earlier' })).toBeFocused();
    await page.reload();
    await expect(page.getByRole('region', { name: 'Photos' }).getByRole('list', { name: 'Photos, in the order guests see them' }).getByRole('listitem').nth(1).getByRole('img', { name: 'A gradient standing in for the lake' })).toBeVisible();

    // The unit's photos through the API, as the public site gets them.
    const { unit } = await api<{ unit: { images: { alt: string | null; srcset: string }[] } }>(page, 'query ($id: ID!) { unit(id: $id) { images { alt srcset } } }', { id });
    expect(unit.images.map((i) => i.alt)).toEqual([null, 'A gradient standing in for the lake']);

    // Removed after the confirmation.
    await page.getByRole('button', { name: 'Remove photo 1…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this photo?' });
    await expect(dialog).toContainText('It leaves the unit and your public site');
    await dialog.getByRole('button', { name: 'Remove photo' }).click();
    await expect(page.getByRole('list', { name: 'Photos, in the order guests see them' }).getByRole('listitem')).toHaveCount(1);
    await expect(page.getByRole('region', { name: 'Photos' }).getByText('1 of 40')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('a count below 1 is refused beside its field, and the change can be discarded', async ({ page, admin }) => {
    await signInAt(page, admin, '/units');
    const { units } = await api<{ units: { id: string; name: string; inventory: number }[] }>(page, '{ units { id name inventory } }');
    const chalet = units.find((u) => u.name === 'Summit Chalet');
    expect(chalet).toBeDefined();
    await page.goto(`/admin/units/${chalet!.id}`);
    const details = page.getByRole('form', { name: 'Unit details' });
    const items = details.getByRole('textbox', { name: 'Items' });
    await items.fill('0');
    await details.getByRole('button', { name: 'Save changes' }).click();
    await expect(items).toHaveAccessibleDescription(/At least 1/);
    await details.getByRole('button', { name: 'Discard changes' }).click();
    await expect(items).toHaveValue(String(chalet!.inventory));
  });

  test('a staff user reads units but cannot change them', async ({ page, admin, browser, baseURL }) => {
    await signInAt(page, admin, '/units');
    const name = uniqueName('Staff View Cabin');
    const id = await createUnitByApi(page, name);
    const email = `staff-${Date.now()}-${Math.floor(Math.random() * 1e6)}@${admin.tenant}.example.org`;
    const password = `pw-staff-${Date.now()}-long-enough`;
    await api(page, 'mutation ($e: String!, $p: String!) { createUser(email: $e, password: $p, role: STAFF) { id } }', { e: email, p: password });
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
    const foreign: string[] = [];
    await context.route(
      (url) => new URL(url.href).hostname !== '127.0.0.1',
      async (route) => {
        foreign.push(route.request().url());
        await route.abort('blockedbyclient');
      },
    );
    try {
      const staff = await context.newPage();
      await signInAt(staff, { tenant: admin.tenant, email, password }, '/units');
      await expect(staff.getByRole('link', { name })).toBeVisible();
      await expect(staff.getByRole('link', { name: 'New unit' })).toHaveCount(0);
      await staff.getByRole('link', { name }).click();
      await expect(staff.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(staff.getByText('A quiet cabin by the lake.')).toBeVisible();
      await expect(staff.getByRole('form', { name: 'Unit details' })).toHaveCount(0);
      await expect(staff.getByRole('button', { name: 'Archive unit…' })).toHaveCount(0);
      await staff.goto('/admin/units/new');
      await expect(staff.getByRole('heading', { level: 1, name: 'Not for your role' })).toBeVisible();
      expect(foreign).toEqual([]);
      expect(id).toBeTruthy();
    } finally {
      await context.close();
    }
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    test(`axe at ${viewport.width}: the list, a unit, the new-unit form, the archive dialog`, async ({ page, admin }) => {
      await page.setViewportSize(viewport);
      await signInAt(page, admin, '/units');
      const name = uniqueName('Axe Cabin');
      const id = await createUnitByApi(page, name);
      await page.reload();
      await expect(page.getByRole('link', { name })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto(`/admin/units/${id}`);
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Calendar feed' })).toContainText(/feed is off|busy periods/);
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Archive unit…' }).click();
      await expect(page.getByRole('dialog').getByText('It has no upcoming reservations.')).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('dialog').getByRole('button', { name: 'Keep it' }).click();

      await page.goto('/admin/units/new');
      await page.getByRole('button', { name: 'Create unit' }).click();
      await expect(page.getByRole('textbox', { name: 'Name' })).toHaveAttribute('aria-invalid', 'true');
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
});
