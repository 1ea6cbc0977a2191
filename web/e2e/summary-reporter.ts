// Counts the run's tests by final outcome and writes them to
// test-results/e2e-summary.json, for scripts/e2e.mjs to print as one plain
// "N passed, N failed" line (Playwright's own "2 passed (1.6s)" is not a
// format CI reads as a summary).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';

const summaryFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'e2e-summary.json');

export default class SummaryReporter implements Reporter {
  private suite: Suite | undefined;

  onBegin(_config: unknown, suite: Suite) {
    this.suite = suite;
  }

  onEnd(result: FullResult) {
    const counts = { passed: 0, failed: 0, flaky: 0, skipped: 0, status: result.status };
    for (const test of this.suite?.allTests() ?? []) {
      const outcome = test.outcome();
      if (outcome === 'expected') counts.passed++;
      else if (outcome === 'flaky') {
        counts.passed++;
        counts.flaky++;
      } else if (outcome === 'skipped') counts.skipped++;
      else counts.failed++;
    }
    mkdirSync(dirname(summaryFile), { recursive: true });
    writeFileSync(summaryFile, JSON.stringify(counts));
  }
}
