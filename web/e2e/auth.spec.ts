// Signing in and out through the real berth, in Chromium.
import { expect, signIn, test } from './fixtures';

test('signing in opens the shell for the tenant', async ({ page, admin }) => {
  await page.goto('/admin/');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await signIn(page, admin);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByText(admin.email)).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Alpine Cabins');
  await expect(page).not.toHaveURL(/sign-in/);
});

test('a wrong password is said in words under the form', async ({ page, admin }) => {
  await page.goto('/admin/sign-in');
  await signIn(page, { ...admin, password: `${admin.password}-wrong` });
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText(/The tenant, e-mail or password is not right/);
  await expect(alert).not.toContainText('{');
  await expect(alert).not.toContainText('UNAUTHENTICATED');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toHaveValue('');
});

test('a deep link goes through sign-in and back to itself', async ({ page, admin }) => {
  await page.goto('/admin/account?view=business#facts');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Faccount%3Fview%3Dbusiness%23facts$/);
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/admin\/account\?view=business#facts$/);
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
});

test('signing out ends the session', async ({ page, admin }) => {
  await page.goto('/admin/sign-in');
  await signIn(page, admin);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
  await expect(page.getByText('You have signed out.')).toBeVisible();
  // The cookie is gone: the app asks for sign-in again.
  await page.goto('/admin/account');
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Faccount$/);
});

test('the session cookie is HttpOnly and never reaches the page', async ({ page, context, admin }) => {
  await page.goto('/admin/sign-in');
  await signIn(page, admin);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'berth_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  expect(await page.evaluate(() => document.cookie)).not.toContain('berth_session');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(session?.value ?? '<no cookie>');
});

test('an ended session returns to sign-in, then to the page the user was on', async ({ page, context, admin }) => {
  await page.goto('/admin/account?view=business');
  await signIn(page, admin);
  await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
  // The session ends (expired or revoked: the browser no longer has it).
  await context.clearCookies();
  await page.reload();
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Faccount%3Fview%3Dbusiness$/);
  await expect(page.getByText('Your session has ended. Sign in again to continue where you were.')).toBeVisible();
  await signIn(page, admin);
  await expect(page).toHaveURL(/\/admin\/account\?view=business$/);
});
