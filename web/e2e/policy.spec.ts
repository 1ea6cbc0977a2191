// The Policy page against the real berth, as an owner of river-gear: the live
// tenant.yaml in the editor; the phone number changed with a misspelled key,
// which the schema marks at its line and names in the problems list (its
// link moves the cursor there); fixed; leaving asks first; berth checks,
// tests and plans the files (nothing changes for bookings); published after
// the confirmation; the public site shows the new phone. As harbor-hotel's
// admin: a season priced in the browser, the plan's revenue difference read,
// published, and the public estimator's total changes. As river-gear's admin:
// a hook and a test file added (their names checked at the input) and
// deleted; a published hook deleted again is gone from the next version;
// the owner, in a second session, publishes while the admin edits: the
// notice names them, their changes are shown, a publication from the stale
// version is refused by berth, and a reload brings the live files. Axe at
// 1280 and 390, with the dialogs open too.
import type { APIRequestContext, Page } from '@playwright/test';
import { seriousViolations } from './axe';
import { expect, signIn, test } from './fixtures';

const newPhone = '+49 30 555 0199';

/** The editor's text area (CodeMirror's content element). */
const editorOf = (page: Page, path: string) => page.getByRole('textbox', { name: `Contents of ${path}` });

/** The editor's line that contains `text` (among those drawn: the editor draws what is in view). */
const lineWith = (page: Page, text: string) => page.locator('.cm-line', { hasText: text });

/** Selects the next `text` in the editor of `path` with its search panel (Ctrl+F), which scrolls to it. */
async function find(page: Page, path: string, text: string) {
  await editorOf(page, path).focus();
  await page.keyboard.press('Control+f');
  const field = page.getByRole('textbox', { name: 'Find' });
  await field.fill(text);
  await field.press('End');
  await field.press('Enter');
  await field.press('Escape');
  await expect(editorOf(page, path)).toBeFocused();
}

interface Answer<T> {
  data?: T;
  errors?: { message: string }[];
}

async function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await request.post('/graphql', { data: { query, variables } });
  const { data, errors } = (await response.json()) as Answer<T>;
  if (errors?.length || !data) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
  return data;
}

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const monthDay = (d: Date) => iso(d).slice(5);

/**
 * A 21-day window starting 7 to 60 days from today, inside one calendar year,
 * that harbor-hotel's test cases (November to 8 December, 13–15 March) do not
 * touch: a season there changes quotes and the plan, not the tests.
 */
function freeSeason(today = new Date()): { from: Date; to: Date } {
  const taken = (d: Date) => {
    const md = monthDay(d);
    return (md >= '11-01' && md <= '12-08') || (md >= '03-13' && md <= '03-15');
  };
  for (let offset = 7; offset <= 60; offset++) {
    const from = new Date(today.getTime() + offset * DAY);
    const to = new Date(from.getTime() + 20 * DAY);
    if (from.getUTCFullYear() !== to.getUTCFullYear()) continue;
    let clear = true;
    for (let d = from.getTime(); d <= to.getTime(); d += DAY) if (taken(new Date(d))) clear = false;
    if (clear) return { from, to };
  }
  throw new Error('no season window free of the test cases in the next 60 days');
}

test.describe('policy page', () => {
  test('an owner changes the phone in tenant.yaml, fixes a schema error, plans and publishes; the public site shows it', async ({ page, owner }) => {
    await page.goto(`/admin/sign-in?next=${encodeURIComponent('/admin/policy')}`);
    await signIn(page, owner);
    await expect(page).toHaveURL(/\/admin\/policy$/);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
    const live = page.getByTestId('policy-live-version');
    await expect(live).toContainText(/Live: version \d+/);
    const before = Number(/version (\d+)/.exec((await live.textContent()) ?? '')?.[1]);

    // The files, tenant.yaml open.
    const files = page.getByRole('navigation', { name: 'Files' });
    await expect(files.getByRole('button', { name: /^tenant\.yaml/ })).toHaveAttribute('aria-current', 'true');
    await expect(files.getByRole('button', { name: /^tests\/rentals\.yaml/ })).toBeVisible();
    const editor = editorOf(page, 'tenant.yaml');
    await expect(editor).toBeVisible();

    // The phone, with the key misspelled.
    // The search selects what it found; typing replaces it.
    await find(page, 'tenant.yaml', 'phone: "+49 30 555 0190"');
    await page.keyboard.type(`phnoe: "${newPhone}"`);
    await expect(page.getByTestId('policy-changes')).toContainText('Unpublished changes in 1 file: tenant.yaml');
    await expect(files.getByRole('button', { name: /^tenant\.yaml/ })).toContainText('changed');

    // Marked at its line (gutter and underline) and listed with a link there.
    const problems = page.getByRole('list', { name: 'Problems in the files' });
    const problem = problems.getByRole('listitem').filter({ hasText: 'unknown key `phnoe` in profile — did you mean `phone`?' });
    await expect(problem).toBeVisible();
    const link = problem.getByRole('button', { name: /^tenant\.yaml:13:3$/ });
    await expect(link).toBeVisible();
    await expect(page.locator('.cm-gutter-lint .cm-lint-marker-error')).toHaveCount(1);
    await expect(lineWith(page, 'phnoe').locator('.cm-lintRange-error')).toHaveText('phnoe');
    await expect(page.getByRole('tab', { name: 'Problems (1)' })).toBeVisible();

    // The link moves the cursor to the key; fixed from there.
    await page.keyboard.press('Control+Home');
    await link.click();
    await expect(editor).toBeFocused();
    await expect(page.locator('.cm-activeLine')).toContainText('phnoe');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.type('phone');
    await expect(page.getByText('No problems found.')).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Problems (0)' })).toBeVisible();

    // Leaving with unpublished changes asks first.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave without publishing?' });
    await expect(leave).toBeVisible();
    await leave.getByRole('button', { name: 'Stay' }).click();
    await expect(page).toHaveURL(/\/admin\/policy$/);

    // berth loads, checks and tests the files, then plans: bookings are untouched.
    await page.getByRole('button', { name: 'Check and plan' }).click();
    await expect(page.getByRole('tab', { name: 'Plan', selected: true })).toBeVisible();
    await expect(page.getByTestId('plan-empty')).toHaveText('Nothing changes: no reservation already taken and no quoted date or price is affected.');

    // Publish, after the confirmation with the plan.
    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish the policy' });
    await expect(dialog.getByText(/Publishing makes your changes to tenant\.yaml live/)).toBeVisible();
    await expect(dialog.getByTestId('plan-empty')).toBeVisible();
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText(`Version ${before + 1} is live`)).toBeVisible();
    await expect(live).toContainText(`Live: version ${before + 1}`);
    await expect(page.getByTestId('policy-changes')).toHaveText('No changes: the editor shows the live files.');

    // The history lists it, by the owner.
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'Published versions' });
    await expect(history.getByRole('row').nth(1)).toContainText(`Version ${before + 1}`);
    await expect(history.getByRole('row').nth(1)).toContainText('you');

    // The public site shows the new phone (every instance follows within a second).
    await expect
      .poll(
        async () => {
          await page.goto('/river-gear/');
          return page.locator('body').innerText();
        },
        { timeout: 10_000 },
      )
      .toContain(newPhone);
  });

  test("an admin prices a season in the browser, reads the plan's revenue difference, publishes, and the estimator changes", async ({ page, logins, request }) => {
    const harbor = logins.find((l) => l.tenant === 'harbor-hotel');
    if (!harbor) throw new Error('no demo login for harbor-hotel');
    const season = freeSeason();
    const { units } = await gql<{ units: { id: string; name: string }[] }>(request, 'query { units(tenant: "harbor-hotel") { id name } }');
    const unit = units[0]!;
    const checkIn = iso(new Date(season.from.getTime() + 3 * DAY));
    const estimator = `/harbor-hotel/units/${unit.id}?checkIn=${checkIn}&nights=2&guests=2`;
    const totalOn = async (path: string) => {
      await page.goto(path);
      return Number(await page.locator('td[data-total-minor]').getAttribute('data-total-minor'));
    };
    const before = await totalOn(estimator);
    expect(before).toBeGreaterThan(0);

    await page.goto(`/admin/sign-in?next=${encodeURIComponent('/admin/policy')}`);
    await signIn(page, harbor);
    await expect(editorOf(page, 'tenant.yaml')).toBeVisible();
    await find(page, 'tenant.yaml', 'weekend_days: [fri, sat]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.insertText(
      `\n  seasons:\n    - name: Harbor festival\n      from: "${monthDay(season.from)}"\n      to: "${monthDay(season.to)}"\n      multiplier_percent: 150`,
    );
    await expect(page.getByText('No problems found.')).toBeVisible();

    // Ctrl+S runs the tests (they pass: no case is in the season)…
    await page.keyboard.press('Control+s');
    await expect(page.getByRole('tab', { name: /^Tests: \d+ passed, 0 failed$/, selected: true })).toBeVisible();
    // …and the plan reads what the season does to the coming days' prices.
    await page.getByRole('button', { name: 'Check and plan' }).click();
    await expect(page.getByRole('tab', { name: 'Plan', selected: true })).toBeVisible();
    const summary = page.getByTestId('plan-summary');
    await expect(summary).toContainText(/Quoted revenue over the next 90 days: \+/);
    const revenue = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Month of arrival' }) });
    await expect(revenue.getByRole('row').filter({ hasText: unit.name }).first()).toContainText('+');

    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish the policy' });
    await expect(dialog.getByTestId('plan-summary')).toContainText('Quoted revenue');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(page.getByText(/Version \d+ is live/)).toBeVisible();

    // The guest's estimate follows: 50 % more on the two nights.
    await expect.poll(() => totalOn(estimator), { timeout: 10_000 }).toBeGreaterThan(before);
  });

  test('a raised rate fails the pinned test cases; Accept figures rewrites them in the editor; Revert discards it all', async ({ page, admin }) => {
    await page.goto(`/admin/sign-in?next=${encodeURIComponent('/admin/policy')}`);
    await signIn(page, admin);
    await expect(editorOf(page, 'tenant.yaml')).toBeVisible();
    await find(page, 'tenant.yaml', 'base_rate: 18000');
    await page.keyboard.type('base_rate: 19000');

    await page.getByRole('button', { name: 'Run tests' }).click();
    await expect(page.getByRole('tab', { name: /^Tests: \d+ passed, [1-9]\d* failed$/, selected: true })).toBeVisible();
    const failing = page.getByRole('list', { name: 'Failing test cases' });
    const first = failing.getByRole('listitem').first();
    await expect(first).toContainText('expected total');
    // A failure's link opens its test file at the case.
    const place = (await first.getByRole('button').textContent()) ?? '';
    const [file, line] = place.split(':');
    await first.getByRole('button').click();
    await expect(page.getByRole('heading', { level: 2, name: file })).toBeVisible();
    await expect(editorOf(page, file!)).toBeFocused();
    await expect(page.locator('.cm-activeLine')).toBeVisible();
    expect(Number(line)).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Accept figures' }).click();
    await expect(page.getByTestId('acceptance')).toContainText(/figures? accepted in tests\//);
    await expect(page.getByRole('tab', { name: /^Tests: \d+ passed, 0 failed$/ })).toBeVisible();
    await expect(page.getByTestId('policy-changes')).toContainText(/Unpublished changes in \d files: tenant\.yaml, tests\//);

    await page.getByRole('button', { name: 'Revert changes…' }).click();
    await page.getByRole('dialog', { name: 'Revert your changes?' }).getByRole('button', { name: 'Revert' }).click();
    await expect(page.getByTestId('policy-changes')).toHaveText('No changes: the editor shows the live files.');
  });

  test('files are added and deleted; a publication by someone else while editing is noticed, refused over, and reloaded', async ({ page, logins, owner, request }) => {
    test.setTimeout(120_000);
    const admin = logins.find((l) => l.tenant === 'river-gear');
    if (!admin) throw new Error('no demo login for river-gear');
    await page.goto(`/admin/sign-in?next=${encodeURIComponent('/admin/policy')}`);
    await signIn(page, admin);
    await expect(editorOf(page, 'tenant.yaml')).toBeVisible();
    const live = page.getByTestId('policy-live-version');
    await expect(live).toContainText(/Live: version \d+/);
    const start = Number(/version (\d+)/.exec((await live.textContent()) ?? '')?.[1]);
    const files = page.getByRole('navigation', { name: 'Files' });
    const changes = page.getByTestId('policy-changes');

    // A hook: a name with a folder is refused at the input; a plain one is created and opened.
    await files.getByRole('button', { name: 'New file…' }).click();
    const create = page.getByRole('dialog', { name: 'New file' });
    const name = create.getByRole('textbox', { name: 'Name' });
    await name.fill('hooks/quiet');
    await expect(create.getByText('No folders: hooks sit beside tenant.yaml')).toBeVisible();
    await name.fill('quiet_hours');
    await expect(create.getByText('Creates quiet_hours.rhai')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await create.getByRole('button', { name: 'Create' }).click();
    await expect(create).toBeHidden();
    await expect(page.getByRole('heading', { level: 2, name: /^quiet_hours\.rhai/ })).toBeVisible();
    await expect(files.getByRole('button', { name: /^quiet_hours\.rhai/ })).toContainText('new');
    await expect(editorOf(page, 'quiet_hours.rhai')).toContainText('quiet_hours.rhai: a Rhai hook');

    // A test file: an existing name is refused; a new one is created in tests/.
    await files.getByRole('button', { name: 'New file…' }).click();
    await create.getByRole('radio', { name: 'Test cases' }).check();
    await name.fill('rules');
    await expect(create.getByText('tests/rules.yaml exists already')).toBeVisible();
    await name.fill('extra');
    await create.getByRole('button', { name: 'Create' }).click();
    await expect(editorOf(page, 'tests/extra.yaml')).toContainText('cases:');
    await expect(changes).toContainText('Unpublished changes in 2 files: quiet_hours.rhai (new), tests/extra.yaml (new)');

    // The new test file deleted again: it was only in the changes.
    await page.getByRole('button', { name: 'Delete file…' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete tests/extra.yaml?' });
    await expect(remove).toContainText('new in your changes');
    await remove.getByRole('button', { name: 'Delete' }).click();
    await expect(files.getByRole('button', { name: /^tests\/extra\.yaml/ })).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 2, name: 'tenant.yaml' })).toBeVisible();

    // Published with the hook: berth checks, tests and stores the new file.
    await page.getByRole('button', { name: 'Publish…' }).click();
    const publishing = page.getByRole('dialog', { name: 'Publish the policy' });
    await publishing.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(page.getByText(`Version ${start + 1} is live`)).toBeVisible();
    await expect(live).toContainText(`Live: version ${start + 1}`);
    await expect(files.getByRole('button', { name: /^quiet_hours\.rhai/ })).toBeVisible();

    // The live hook deleted: gone from the candidate, kept live until published.
    await files.getByRole('button', { name: /^quiet_hours\.rhai/ }).click();
    await page.getByRole('button', { name: 'Delete file…' }).click();
    const removeLive = page.getByRole('dialog', { name: 'Delete quiet_hours.rhai?' });
    await expect(removeLive).toContainText('The live version keeps it until you publish');
    await removeLive.getByRole('button', { name: 'Delete' }).click();
    await expect(changes).toContainText('Unpublished changes in 1 file: quiet_hours.rhai (deleted)');
    await expect(files.getByRole('list', { name: 'Deleted until you publish' })).toContainText('quiet_hours.rhai');

    // Meanwhile the owner publishes from another session (the live files and a comment).
    const signedIn = await gql<{ login: { token: string } }>(
      request,
      'mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }',
      { t: owner.tenant, e: owner.email, p: owner.password },
    );
    const headers = { authorization: `Bearer ${signedIn.login.token}` };
    const asOwner = async <T,>(query: string, variables: Record<string, unknown> = {}) => {
      const response = await request.post('/graphql', { data: { query, variables }, headers });
      return (await response.json()) as Answer<T>;
    };
    const current = await asOwner<{ policyVersions: { number: number; files: { path: string; text: string }[] }[] }>(
      '{ policyVersions(first: 1) { number files { path text } } }',
    );
    const theirs = current.data!.policyVersions[0]!;
    expect(theirs.number).toBe(start + 1);
    const theirFiles = theirs.files.map((f) => (f.path === 'tenant.yaml' ? { path: f.path, text: `${f.text}# checked by the owner\n` } : f));
    // The page's next answers for the live version are held back (as if its
    // subscription and poll had not come yet), so that its publication goes
    // out from the stale version and berth is the one to refuse it.
    let holdBack = true;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { operationName?: string } | null;
      if (body?.operationName === 'PolicyPublish') holdBack = false;
      if (holdBack && body?.operationName === 'PolicyLatest') {
        await route.fulfill({ json: { data: { policyVersions: [] } } });
        return;
      }
      await route.continue();
    });
    const published = await asOwner<{ publishPolicy: { version: { number: number } } }>(
      'mutation($f: [PolicyFileInput!]!, $b: Int) { publishPolicy(files: $f, baseVersion: $b) { version { number } } }',
      { f: theirFiles, b: start + 1 },
    );
    expect(published.errors ?? []).toEqual([]);
    expect(published.data!.publishPolicy.version.number).toBe(start + 2);

    // Publishing from version start+1: berth refuses it, and the page learns why.
    await page.getByRole('button', { name: 'Publish…' }).click();
    await publishing.getByRole('button', { name: 'Publish', exact: true }).click();
    const over = publishing.getByTestId('publish-over');
    await expect(over).toContainText(`Version ${start + 2} was published by ${owner.email}`);
    await expect(publishing.getByRole('button', { name: 'Publish', exact: true })).toBeDisabled();
    await expect(over.getByRole('checkbox', { name: `Publish over version ${start + 2}` })).not.toBeChecked();
    await publishing.getByRole('button', { name: 'Cancel' }).click();
    await page.unroute('**/graphql');

    // The notice, with their changes to read.
    const notice = page.getByTestId('policy-newer');
    await expect(notice).toContainText(`Version ${start + 2} was published by ${owner.email}`);
    await expect(notice).toContainText('Your changes are kept here');
    expect(await seriousViolations(page)).toEqual([]);
    await notice.getByRole('button', { name: 'See their changes' }).click();
    const theirChanges = page.getByRole('dialog', { name: `What version ${start + 2} changed (against version ${start + 1})` });
    await expect(theirChanges.getByRole('region', { name: 'tenant.yaml' })).toContainText('# checked by the owner');
    expect(await seriousViolations(page)).toEqual([]);
    await theirChanges.getByRole('button', { name: 'Reload, discarding my changes' }).click();

    // Reloaded: version start+2, the hook back (theirs has it), nothing changed.
    await expect(live).toContainText(`Live: version ${start + 2}`);
    await expect(changes).toHaveText('No changes: the editor shows the live files.');
    await expect(notice).toBeHidden();
    await expect(files.getByRole('button', { name: /^quiet_hours\.rhai/ })).toBeVisible();

    // Deleted and published now: the hook is gone from the new version.
    await files.getByRole('button', { name: /^quiet_hours\.rhai/ }).click();
    await page.getByRole('button', { name: 'Delete file…' }).click();
    await removeLive.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Publish…' }).click();
    await expect(publishing.getByTestId('publish-over')).toHaveCount(0);
    await publishing.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(live).toContainText(`Live: version ${start + 3}`);
    await expect(files.getByRole('button', { name: /^quiet_hours\.rhai/ })).toHaveCount(0);
    const after = await asOwner<{ policyVersions: { number: number; files: { path: string }[] }[] }>('{ policyVersions(first: 1) { number files { path } } }');
    expect(after.data!.policyVersions[0]!.number).toBe(start + 3);
    expect(after.data!.policyVersions[0]!.files.map((f) => f.path)).not.toContain('quiet_hours.rhai');

    // The history names the people.
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'Published versions' });
    await expect(history.getByRole('row').nth(1)).toContainText('you');
    await expect(history.getByRole('row').nth(2)).toContainText(owner.email);
  });

  test('the page has no serious accessibility problems, at 1280 and 390 wide', async ({ page, admin }) => {
    await page.goto(`/admin/sign-in?next=${encodeURIComponent('/admin/policy')}`);
    await signIn(page, admin);
    await expect(editorOf(page, 'tenant.yaml')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByRole('combobox', { name: 'Files' })).toBeVisible();
    await page.getByRole('button', { name: 'Actions' }).click();
    await expect(page.getByRole('menuitem', { name: 'Check and plan' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('menu')).toBeHidden();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
