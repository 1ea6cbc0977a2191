// The tests' fixtures: the app's URL from the global setup, the demo logins,
// a guard that aborts every request (HTTP or WebSocket) to a host other than
// 127.0.0.1 and fails the test that made it, a guard that fails a test in
// whose pages the browser reported a Content-Security-Policy violation (in
// every browser context, the tests' own included), and helpers to sign in.
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { DemoLogin } from './global-setup';

interface Fixtures {
  /** One admin login per demo tenant. */
  logins: DemoLogin[];
  /** The admin of a nightly demo tenant (alpine-cabins). */
  admin: DemoLogin;
  /** An owner of river-gear (global-setup adds it). */
  owner: DemoLogin;
  /** Whether berth serves the app itself (--web-dir), rather than Vite preview. */
  servesApp: boolean;
  /** Requests to other hosts, aborted; checked empty after each test. */
  foreignRequests: string[];
  /** Content-Security-Policy violations the browser reported; checked empty after each test. */
  cspViolations: string[];
}

interface WorkerFixtures {
  /** Watches every browser context the tests open for CSP violations. */
  cspWatch: void;
}

/** The CSP violations of the running test (one test at a time per worker). */
const violations: string[] = [];

/** Collects the CSP violations Chromium reports on the console of `context`'s pages. */
export function watchCsp(context: BrowserContext) {
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      violations.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
    }
  });
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  cspWatch: [
    async ({ browser }, use) => {
      // Contexts the tests open themselves (a second user, a guest without
      // JavaScript) are watched like the fixture's own.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args: Parameters<typeof browser.newContext>) => {
        const context = await newContext(...args);
        watchCsp(context);
        return context;
      };
      await use();
      browser.newContext = newContext;
    },
    { scope: 'worker', auto: true },
  ],
  cspViolations: [
    async ({}, use) => {
      violations.length = 0;
      await use(violations);
      expect([...violations], 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
  baseURL: async ({}, use) => {
    const url = process.env.BERTH_E2E_URL;
    if (!url) throw new Error('BERTH_E2E_URL is unset: run through playwright.config.ts (global setup)');
    await use(url);
  },
  logins: async ({}, use) => {
    await use(JSON.parse(process.env.BERTH_E2E_LOGINS ?? '[]') as DemoLogin[]);
  },
  admin: async ({ logins }, use) => {
    const login = logins.find((l) => l.tenant === 'alpine-cabins');
    if (!login) throw new Error('no demo login for alpine-cabins');
    await use(login);
  },
  owner: async ({}, use) => {
    const owner = process.env.BERTH_E2E_OWNER;
    if (!owner) throw new Error('BERTH_E2E_OWNER is unset: run through playwright.config.ts (global setup)');
    await use(JSON.parse(owner) as DemoLogin);
  },
  servesApp: async ({}, use) => {
    await use(process.env.BERTH_E2E_SERVES_APP === '1');
  },
  foreignRequests: async ({}, use) => {
    await use([]);
  },
  context: async ({ context, foreignRequests }, use) => {
    watchCsp(context);
    const local = (url: string) => {
      try {
        return new URL(url).hostname === '127.0.0.1';
      } catch {
        return false;
      }
    };
    await context.route(
      (url) => !local(url.href),
      async (route) => {
        foreignRequests.push(route.request().url());
        await route.abort('blockedbyclient');
      },
    );
    await context.routeWebSocket(/.*/, (ws) => {
      if (local(ws.url())) {
        ws.connectToServer();
      } else {
        foreignRequests.push(ws.url());
        void ws.close();
      }
    });
    await use(context);
    expect(foreignRequests, 'requests to hosts other than 127.0.0.1').toEqual([]);
  },
});

export { expect };

/** Fills the sign-in form and submits it. */
export async function signIn(page: Page, login: { tenant: string; email: string; password: string }) {
  await page.getByRole('textbox', { name: 'Tenant', exact: true }).fill(login.tenant);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(login.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
