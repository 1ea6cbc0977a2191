// The board's benchmarks (e2e/*.bench.ts): the e2e setup (the real berth,
// Debian's Chromium) with the bench files instead of the tests. Run with
//   npm run e2e -- -c e2e/bench.config.ts
// (figures, not timed tests: see e2e/board.bench.ts).
import { defineConfig } from '@playwright/test';
import base from '../playwright.config';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '**/*.bench.ts',
  // Apart from the tests' results (another run may be cleaning those), no traces.
  outputDir: '../test-results/bench',
  use: { ...base.use, trace: 'off' },
  globalSetup: './global-setup.ts',
  reporter: [['list'], ['./summary-reporter.ts']],
});
