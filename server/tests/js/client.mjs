// Drives berth's GraphQL WebSocket endpoint with the reference JavaScript client,
// `graphql-ws` (over the `ws` package), the way a browser dashboard or an
// integrator would. The versions are pinned in package-lock.json; graphql-ws is
// the 5.x line because 6.x requires Node 20, and scripts/test installs Debian's
// Node 18 with apt-get where Node is absent. Run by server/tests/e2e/live.rs
// (scripts/test runs `npm ci` here first); by hand:
//
//   BERTH_TOKEN=… BERTH_OTHER_TOKEN=… node server/tests/js/client.mjs \
//     http://127.0.0.1:8080 '{"lockUnitId": …, "probe": …, "lock": …,
//                            "after": …, "expected": […], "live": …}'
//
// BERTH_TOKEN and BERTH_OTHER_TOKEN are two sign-ins (two sessions) of one tenant.
// The configuration (argument 2, JSON):
//   lockUnitId        a unit to lock
//   probe, lock       two disjoint periods on it ({checkIn, checkOut})
//   after             an event cursor
//   expected          the reservation events after `after`, oldest first:
//                     [{id, kind}] (kind as in ReservationEventKind)
//   live              a booking to make once the replay is done
//                     ({unitId, checkIn, checkOut, guests})
//
// What it checks:
//   1. A `lockEvents` subscriber (client A, BERTH_TOKEN) receives ACQUIRED for a
//      lock that another client (B, BERTH_OTHER_TOKEN, over its own WebSocket,
//      hence its own session) takes; when B closes its socket, A receives
//      RELEASED for B's locks.
//   2. `reservationEvents(after)` on A replays exactly `expected` (ids, kinds,
//      increasing cursors), then continues live: the next event is the booking
//      `live` made over HTTP, with nothing in between.
//
// Prints one JSON line with what it saw and exits 0; on any mismatch or timeout
// it prints the reason on stderr and exits 1.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** How long to wait for any one event. */
const EVENT_TIMEOUT_MS = 10_000;
/** How long to wait, per attempt, for the probe lock's event (see `untilLive`). */
const PROBE_TIMEOUT_MS = 1_000;
/** The whole run, whatever happens. */
const RUN_TIMEOUT_MS = 60_000;

function fail(message) {
  throw new Error(message);
}

function usage() {
  fail('usage: BERTH_TOKEN=… BERTH_OTHER_TOKEN=… node client.mjs <http-base-url> <config-json>');
}

const [baseUrl, configJson] = process.argv.slice(2);
if (!baseUrl || !configJson) usage();
const token = process.env.BERTH_TOKEN;
const otherToken = process.env.BERTH_OTHER_TOKEN;
if (!token || !otherToken) usage();
const config = JSON.parse(configJson);
const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/graphql/ws`;

/** A graphql-ws client signed in with `bearer` (the token goes in connection_init). */
function connect(bearer) {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${bearer}` },
    // A dropped connection must fail the test, not be papered over.
    retryAttempts: 0,
    // Connect now and stay connected until disposed. A lazy client (the
    // default) closes its socket as soon as no operation is running, and the
    // locks it took over that socket go with it.
    lazy: false,
  });
}

/**
 * One subscription as a queue: `next(ms)` resolves with the next result
 * ({data, errors}), `{error}` or `{complete: true}`, or null after `ms`.
 */
function subscribe(client, label, query, variables = {}) {
  const items = [];
  const waiters = [];
  const push = (item) => {
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else items.push(item);
  };
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => push({ result }),
      error: (error) => push({ error }),
      complete: () => push({ complete: true }),
    },
  );
  const next = (ms) => {
    if (items.length > 0) return Promise.resolve(items.shift());
    return new Promise((resolve) => {
      const waiter = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        resolve(null);
      }, ms);
      waiters.push(waiter);
    });
  };
  /** The next result's data; fails on a timeout, an error or the end. */
  const expectData = async (what, ms = EVENT_TIMEOUT_MS) => {
    const item = await next(ms);
    if (item === null) fail(`${label}: no ${what} within ${ms} ms`);
    if (item.complete) fail(`${label}: ended while waiting for ${what}`);
    if (item.error) fail(`${label}: error while waiting for ${what}: ${describe(item.error)}`);
    if (item.result.errors) fail(`${label}: ${what}: ${JSON.stringify(item.result.errors)}`);
    return item.result.data;
  };
  return { next, expectData, unsubscribe };
}

function describe(error) {
  if (error instanceof Error) return error.message;
  // A socket's CloseEvent or ErrorEvent, or a list of GraphQL errors.
  if (error && typeof error.code === 'number') return `socket closed ${error.code} ${error.reason}`;
  if (error && typeof error.message === 'string') return `socket error: ${error.message}`;
  return JSON.stringify(error);
}

/** A query or mutation over a graphql-ws client; resolves with its data. */
async function execute(client, label, query, variables) {
  const operation = subscribe(client, label, query, variables);
  const data = await operation.expectData('the result');
  return data;
}

/** A query or mutation over HTTP (POST /graphql). */
async function http(bearer, query, variables) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (!response.ok || body.errors) fail(`HTTP ${response.status}: ${JSON.stringify(body)}`);
  return body.data;
}

function parseCursor(cursor) {
  const [txid, seq] = cursor.split('-');
  return [BigInt(txid), BigInt(seq)];
}

function cursorAfter(a, b) {
  const [ta, sa] = parseCursor(a);
  const [tb, sb] = parseCursor(b);
  return ta > tb || (ta === tb && sa > sb);
}

const LOCK_EVENTS = 'subscription { lockEvents { kind lock { id holder { displayName session } } } }';
const ACQUIRE = `mutation($unit: ID!, $in: Date!, $out: Date!) {
  acquireLock(input: { unitId: $unit, period: { checkIn: $in, checkOut: $out } }) {
    id holder { displayName session } } }`;
const RENEW = 'mutation($id: ID!) { renewLock(id: $id) { id } }';
const LOCKS = '{ locks { id } }';
const RESERVATION_EVENTS = `subscription($after: String) {
  reservationEvents(after: $after) { cursor kind reservation { id state } } }`;
const BOOK = `mutation($input: CreateReservationInput!) {
  createReservation(input: $input) { id state } }`;

/** The next `kind` event about `lockId` (other locks' and other kinds' events are passed over). */
async function lockEvent(feed, lockId, kind, ms = EVENT_TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) fail(`lockEvents: no ${kind} for lock ${lockId} within ${ms} ms`);
    const data = await feed.expectData(`${kind} of lock ${lockId}`, left);
    const event = data.lockEvents;
    if (event.lock.id === lockId && event.kind === kind) return event;
  }
}

/**
 * A live-only subscription starts when the server has run its resolver, which
 * the protocol does not announce. Renews `probeId` (a lock of `client`'s) until
 * an event about it arrives: from then on the subscription is live. Waits on
 * the socket each time, never for a fixed while.
 */
async function untilLive(feed, client, probeId) {
  for (let attempt = 1; attempt <= 10; attempt += 1) {
    const item = await feed.next(PROBE_TIMEOUT_MS);
    const event = item?.result?.data?.lockEvents;
    if (event?.lock?.id === probeId && ['ACQUIRED', 'RENEWED'].includes(event.kind)) return attempt;
    if (item && !item.result) fail(`lockEvents ended or failed: ${describe(item.error ?? item)}`);
    if (item?.result?.errors) fail(`lockEvents: ${JSON.stringify(item.result.errors)}`);
    if (item === null) await execute(client, 'renewLock', RENEW, { id: probeId });
  }
  return fail('lockEvents never went live');
}

async function locks() {
  const a = connect(token);
  const b = connect(otherToken);
  try {
    const feed = subscribe(a, 'lockEvents', LOCK_EVENTS);
    const unit = config.lockUnitId;
    const probe = (
      await execute(b, 'acquireLock (probe)', ACQUIRE, {
        unit,
        in: config.probe.checkIn,
        out: config.probe.checkOut,
      })
    ).acquireLock;
    const probeAttempts = await untilLive(feed, b, probe.id);

    const started = Date.now();
    const lock = (
      await execute(b, 'acquireLock', ACQUIRE, {
        unit,
        in: config.lock.checkIn,
        out: config.lock.checkOut,
      })
    ).acquireLock;
    const acquired = await lockEvent(feed, lock.id, 'ACQUIRED');
    const acquiredMs = Date.now() - started;
    if (acquired.lock.holder.session !== lock.holder.session) {
      fail(`holder ${JSON.stringify(acquired.lock.holder)} is not ${JSON.stringify(lock.holder)}`);
    }
    if (!lock.holder.session.startsWith('ws:') || lock.holder.session !== probe.holder.session) {
      fail(`B's locks are held by its one connection: ${lock.holder.session}, ${probe.holder.session}`);
    }
    // While B stays connected, its locks stay.
    const live = (await http(token, LOCKS, {})).locks.map((l) => l.id);
    if (!live.includes(lock.id) || !live.includes(probe.id)) {
      fail(`locks lists ${JSON.stringify(live)}, not B's ${lock.id} and ${probe.id}`);
    }

    // B goes away: its connection's locks are released, and A is told.
    await b.dispose();
    const released = [];
    const pending = new Set([lock.id, probe.id]);
    while (pending.size > 0) {
      const data = await feed.expectData(`RELEASED events for ${[...pending].join(', ')}`);
      const event = data.lockEvents;
      if (event.kind === 'RELEASED' && pending.delete(event.lock.id)) released.push(event.lock.id);
    }
    feed.unsubscribe();
    return { probeAttempts, acquired, acquiredMs, holder: lock.holder, released };
  } finally {
    await Promise.allSettled([a.dispose(), b.dispose()]);
  }
}

async function resume() {
  const a = connect(token);
  try {
    const feed = subscribe(a, 'reservationEvents', RESERVATION_EVENTS, { after: config.after });
    const replayed = [];
    let last = config.after;
    for (const want of config.expected) {
      const event = (await feed.expectData(`replayed ${want.kind} of ${want.id}`)).reservationEvents;
      if (event.reservation.id !== want.id || event.kind !== want.kind) {
        fail(`replay #${replayed.length + 1}: expected ${JSON.stringify(want)}, got ${JSON.stringify(event)}`);
      }
      if (!cursorAfter(event.cursor, last)) fail(`cursor ${event.cursor} is not after ${last}`);
      last = event.cursor;
      replayed.push({ id: event.reservation.id, kind: event.kind, cursor: event.cursor });
    }
    // Another client books over HTTP; it is the very next event: nothing was
    // repeated or left out at the seam between replay and live.
    const { live } = config;
    const booked = (
      await http(otherToken, BOOK, {
        input: {
          unitId: live.unitId,
          guests: live.guests,
          period: { checkIn: live.checkIn, checkOut: live.checkOut },
        },
      })
    ).createReservation;
    const event = (await feed.expectData('the live CREATED event')).reservationEvents;
    if (event.reservation.id !== booked.id || event.kind !== 'CREATED') {
      fail(`expected CREATED of ${booked.id} next, got ${JSON.stringify(event)}`);
    }
    if (!cursorAfter(event.cursor, last)) fail(`cursor ${event.cursor} is not after ${last}`);
    feed.unsubscribe();
    return { replayed, live: { id: event.reservation.id, kind: event.kind, cursor: event.cursor } };
  } finally {
    await a.dispose();
  }
}

const watchdog = setTimeout(() => {
  console.error(`client.mjs: gave up after ${RUN_TIMEOUT_MS} ms`);
  process.exit(1);
}, RUN_TIMEOUT_MS);

try {
  const lockResult = await locks();
  const resumeResult = await resume();
  console.log(JSON.stringify({ ok: true, locks: lockResult, resume: resumeResult }));
  clearTimeout(watchdog);
} catch (error) {
  console.error(`client.mjs: ${error.stack ?? error}`);
  process.exit(1);
}
