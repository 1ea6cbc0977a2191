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
// With BERTH_E2E_DATABASE_URL (a PostgreSQL server's admin URL, e.g. the
// throwaway server of scripts/test: postgres://postgres@127.0.0.1:PORT/postgres)
// berth runs on PostgreSQL instead: each run creates a fresh database there,
// owned by an application role (no superuser: row-level security applies, as
// in production), and drops it afterwards.
//
// berth sends its e-mail to a loopback SMTP sink started here first
// (e2e/smtp-sink.ts: BERTH_SMTP_URL=smtp://127.0.0.1:PORT?tls=none, sender
// bookings@berth.test), which writes each message into a directory the tests
// read (e2e/mailbox.ts).
//
// What the tests need is passed in environment variables (inherited by the
// test workers): BERTH_E2E_URL, BERTH_E2E_LOGINS (JSON), BERTH_E2E_OWNER (JSON: an
// owner of river-gear, added with `berth user add`), BERTH_E2E_SERVES_APP,
// BERTH_E2E_DATABASE (`sqlite` or `postgres`), BERTH_E2E_MAIL_DIR.
import { randomUUID } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { startSmtpSink } from './smtp-sink';

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

/** The sender address berth's e-mail goes out from in the tests. */
export const mailSender = 'bookings@berth.test';

/** Starts berth; resolves with its URL and demo logins once it listens. */
function startBerth(binary: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string; logins: DemoLogin[] }> {
  const child = spawn(binary, args, {
    cwd: repoDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Webhooks may call the tests' own loopback receivers (settings.spec.ts).
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', BERTH_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...env },
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

/** psql: on the PATH, else the newest PostgreSQL's own. */
function psqlBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'psql'))) return join(dir, 'psql');
  }
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = join('/usr/lib/postgresql', version, 'bin', 'psql');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('BERTH_E2E_DATABASE_URL is set but psql is not installed (apt-get install postgresql-client)');
}

/** The role berth connects as on PostgreSQL (like production: no superuser, under row-level security). */
const pgRole = 'berth_e2e';
const pgPassword = 'berth_e2e';

/**
 * A fresh database for this run on the PostgreSQL server `adminUrl` names,
 * owned by the application role: its URL (as that role), and how to drop it.
 */
function freshPostgres(adminUrl: string): { url: string; drop: () => void } {
  const psql = psqlBinary();
  const name = `berth_e2e_${randomUUID().replaceAll('-', '')}`;
  const run = (sql: string) =>
    execFileSync(psql, [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
  // Runs (and other test suites) may share the server: the advisory lock
  // makes concurrent creations of the role take turns.
  run(
    `DO $$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('berth e2e role')); ` +
      `IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${pgRole}') THEN ` +
      `CREATE ROLE ${pgRole} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${pgPassword}'; ` +
      `END IF; END $$`,
  );
  run(`CREATE DATABASE ${name} OWNER ${pgRole}`);
  const url = new URL(adminUrl);
  url.username = pgRole;
  url.password = pgPassword;
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => {
      try {
        run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch (error) {
        console.warn(`e2e: could not drop the database ${name}: ${String(error)}`);
      }
    },
  };
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
  const mailDir = join(dir, 'mail');
  mkdirSync(mailDir);
  const smtp = await startSmtpSink(mailDir);
  const postgresAdmin = process.env.BERTH_E2E_DATABASE_URL;
  const postgres = postgresAdmin ? freshPostgres(postgresAdmin) : undefined;
  const databaseUrl = postgres ? postgres.url : `sqlite:${join(dir, 'berth.db')}`;
  const args = [
    'serve',
    '--demo',
    '--listen',
    '127.0.0.1:0',
    '--database-url',
    databaseUrl,
    '--secret-file',
    join(dir, 'jwt-secret'),
    '--secrets-key-file',
    join(dir, 'secrets-key'),
    '--tenants',
    join(repoDir, 'tenants'),
    ...(servesApp ? ['--web-dir', join(webDir, 'dist')] : []),
  ];
  let berth: Awaited<ReturnType<typeof startBerth>>;
  try {
    berth = await startBerth(binary, args, { BERTH_SMTP_URL: smtp.url, BERTH_SMTP_FROM: mailSender });
  } catch (error) {
    await smtp.close();
    postgres?.drop();
    throw error;
  }
  if (berth.logins.length === 0) {
    await stop(berth.child);
    await smtp.close();
    postgres?.drop();
    throw new Error('berth --demo printed no demo logins');
  }

  // An owner for the Policy page's test (the demo prints admins only).
  const owner: DemoLogin = { tenant: 'river-gear', email: 'owner@river-gear.test', password: randomUUID() };
  try {
    execFileSync(
      binary,
      ['user', 'add', '--database-url', databaseUrl, '--tenant', owner.tenant, '--email', owner.email, '--role', 'owner'],
      { env: { ...process.env, BERTH_PASSWORD: owner.password, RUST_LOG: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    await stop(berth.child);
    await smtp.close();
    postgres?.drop();
    throw new Error(`berth user add (the e2e owner) failed: ${String(error)}`);
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
  process.env.BERTH_E2E_OWNER = JSON.stringify(owner);
  process.env.BERTH_E2E_SERVES_APP = servesApp ? '1' : '';
  process.env.BERTH_E2E_DATABASE = postgres ? 'postgres' : 'sqlite';
  process.env.BERTH_E2E_MAIL_DIR = mailDir;
  console.log(
    `e2e: berth ${berth.url}${servesApp ? ' serving web/dist' : `, app on Vite preview ${url} (berth has no --web-dir yet)`}; ${berth.logins.length} demo logins; ${postgres ? 'PostgreSQL (a fresh database)' : 'SQLite'}; e-mail to the SMTP sink ${smtp.url}`,
  );

  return async () => {
    await closePreview?.();
    await stop(berth.child);
    await smtp.close();
    postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
}
