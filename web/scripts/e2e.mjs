// Runs the end-to-end tests (Playwright, Debian's Chromium, the real berth)
// and ends with one plain line: "N passed, N failed" (plus flaky and skipped
// counts when there are any). Exits with Playwright's status. Arguments go to
// `playwright test` (e.g. `npm run e2e -- e2e/auth.spec.ts`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const summaryFile = join(webDir, 'test-results', 'e2e-summary.json');

/** The summary line, and the exit code (set, not process.exit(): that can cut off stdout on a pipe). */
function finish(line, code) {
  console.log(line);
  process.exitCode = code;
}

function run() {
  rmSync(summaryFile, { force: true });
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.error(`e2e: ${chromium} is missing (apt-get install chromium, or set CHROMIUM_PATH); no browser is downloaded`);
    return finish('0 passed, 0 failed (not run: no Chromium)', 1);
  }
  const playwright = spawnSync(
    process.execPath,
    [join(webDir, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', ...process.argv.slice(2)],
    { cwd: webDir, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: '0' } },
  );
  if (!existsSync(summaryFile)) {
    const how = playwright.status ?? playwright.signal;
    return finish(`0 passed, 0 failed (the run did not start: playwright exited with ${how})`, playwright.status || 1);
  }
  const counts = JSON.parse(readFileSync(summaryFile, 'utf8'));
  const notes = [counts.flaky ? `${counts.flaky} flaky` : '', counts.skipped ? `${counts.skipped} skipped` : ''];
  // A run that failed outside any test (the global setup, a timeout of the
  // whole run) counts as one failure, so the line never reads as a pass.
  if (counts.status !== 'passed' && counts.failed === 0) {
    counts.failed = 1;
    notes.push(`the run ${counts.status} outside the tests: see above`);
  }
  const extra = notes.filter(Boolean).join(', ');
  return finish(`${counts.passed} passed, ${counts.failed} failed${extra ? ` (${extra})` : ''}`, playwright.status ?? 1);
}

run();
