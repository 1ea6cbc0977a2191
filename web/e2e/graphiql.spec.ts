// GraphiQL: berth's own copy (no CDN), under the app's Content-Security-Policy,
// talking to /graphql.
import { expect, test } from './fixtures';

test('GraphiQL loads from berth and runs a query', async ({ page, servesApp }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  // berth serves the page at GET /graphql once it serves the build itself.
  await page.goto(servesApp ? '/graphql' : '/admin/graphiql.html');
  await expect(page.locator('.graphiql-container')).toBeVisible();
  // The schema is there: the documentation explorer lists the root types.
  await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
  await expect(page.locator('.graphiql-doc-explorer')).toContainText('Query');
  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('{ __typename }');
  await page.getByRole('button', { name: /Execute query/i }).click();
  await expect(page.locator('.graphiql-response')).toContainText('"__typename": "Query"');
  expect(violations).toEqual([]);
});
