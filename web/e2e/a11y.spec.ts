// Accessibility: no serious or critical axe violation on the sign-in page and
// the shell, at desktop and phone widths, in English and Spanish.
import { expect, signIn, test } from './fixtures';
import { seriousViolations } from './axe';

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
]) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('the sign-in page', async ({ page }) => {
      await page.goto('/admin/sign-in');
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      // With the form's errors showing.
      await page.getByRole('textbox', { name: 'Tenant', exact: true }).fill('');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByText('Enter your password.')).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('the shell', async ({ page, admin }) => {
      await page.goto('/admin/sign-in?next=%2Fadmin%2Faccount');
      await signIn(page, admin);
      await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      if (viewport.width < 768) {
        await page.getByRole('button', { name: 'Open the menu' }).click();
        await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
      }
      // In Spanish.
      await page.getByLabel('Language').selectOption('es');
      await expect(page.getByRole('heading', { name: 'Cuenta', level: 1 })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', 'es');
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
}
