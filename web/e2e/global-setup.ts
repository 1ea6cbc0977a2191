// Starts what the end-to-end tests run against, and stops it afterwards:
// the real berth binary (`serve --demo`, port 0, a throwaway SQLite database
// and secret files in a temporary directory), which prints its address
// ("berth listening on http://ADDR") and one admin login per demo tenant.
//
// berth serves the built app (web/dist) itself when it has `--web-dir`. A
// berth without that flag gets Vite's preview server in front, serving dist/
// with the same Content-Security-Policy and forwarding /graphql (and its
// WebSocket) to berth.
//
// What the tests need is passed in environment variables (inherited by the
// test workers): BERTH_E2E_URL, BERTH_E2E_LOGINS (JSON), BERTH_E2E_SERVES_APP.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(webDir, '..');

/** A demo tenant's admin, as `berth serve --demo` prints it. */
export interface DemoLogin {
  tenant: string;
  email: string;
  password: string;
}

const startTimeoutMs = 120_000;

function berthBinary(): string {
  if (process.env.BERTH_BIN) return resolve(process.env.BERTH_BIN);
  // Like cargo, a relative CARGO_TARGET_DIR is taken from the workspace root.
  const target = resolve(repoDir, process.env.CARGO_TARGET_DIR ?? 'target');
  return join(target, 'debug', 'berth');
}

/** Starts berth; resolves with its URL and demo logins once it listens. */
function startBerth(binary: string, args: string[]): Promise<{ child: ChildProcess; url: string; logins: DemoLogin[] }> {
  const child = spawn(binary, args, {
    cwd: repoDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  const logins: DemoLogin[] = [];
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (process.env.BERTH_E2E_VERBOSE) process.stderr.write(chunk);
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`berth did not print "berth listening on" within ${startTimeoutMs / 1000} s\n${stderr.join('')}`));
    }, startTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`berth exited (${code ?? signal}) before listening:\n${stderr.join('')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (process.env.BERTH_E2E_VERBOSE) console.log(`berth: ${line}`);
      const login = /^demo login: tenant=(\S+) email=(\S+) password=(\S+)$/.exec(line);
      if (login) logins.push({ tenant: login[1]!, email: login[2]!, password: login[3]! });
      const listening = /^berth listening on (http:\/\/\S+)$/.exec(line);
      if (listening) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolvePromise({ child, url: listening[1]!, logins });
      }
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const binary = berthBinary();
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it first (cargo build -p berth), or set BERTH_BIN`);
  }
  if (!existsSync(join(webDir, 'dist', 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build` first');
  }
  const help = execFileSync(binary, ['serve', '--help'], { encoding: 'utf8' });
  const servesApp = help.includes('--web-dir');

  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
  const args = [
    'serve',
    '--demo',
    '--listen',
    '127.0.0.1:0',
    '--database-url',
    `sqlite:${join(dir, 'berth.db')}`,
    '--secret-file',
    join(dir, 'jwt-secret'),
    '--secrets-key-file',
    join(dir, 'secrets-key'),
    '--tenants',
    join(repoDir, 'tenants'),
    ...(servesApp ? ['--web-dir', join(webDir, 'dist')] : []),
  ];
  const berth = await startBerth(binary, args);
  if (berth.logins.length === 0) {
    await stop(berth.child);
    throw new Error('berth --demo printed no demo logins');
  }

  let url = berth.url;
  let closePreview: (() => Promise<void>) | undefined;
  if (!servesApp) {
    process.env.BERTH_URL = berth.url;
    const { preview } = await import('vite');
    const server = await preview({
      root: webDir,
      configFile: join(webDir, 'vite.config.ts'),
      logLevel: 'warn',
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address() as AddressInfo;
    url = `http://127.0.0.1:${address.port}`;
    closePreview = () => server.close();
  }

  process.env.BERTH_E2E_URL = url;
  process.env.BERTH_E2E_LOGINS = JSON.stringify(berth.logins);
  process.env.BERTH_E2E_SERVES_APP = servesApp ? '1' : '';
  console.log(
    `e2e: berth ${berth.url}${servesApp ? ' serving web/dist' : `, app on Vite preview ${url} (berth has no --web-dir yet)`}; ${berth.logins.length} demo logins`,
  );

  return async () => {
    await closePreview?.();
    await stop(berth.child);
    rmSync(dir, { recursive: true, force: true });
  };
}
