//! The mixed load: workers booking (contended units and dates, idempotency keys,
//! a tenth sent twice at once), changing periods, canceling, taking and releasing
//! locks over HTTP, and holding locks over a WebSocket connection of their own
//! (renewed until the socket is closed, or broken by a kill), each against one
//! instance, recording every request and answer in the history (a loss with its
//! reason). A
//! booking whose answer was lost is retried with the same key after the fault
//! (seven in ten; the others are left as they are); a reservation whose change
//! was lost is left alone after that, so that what it may be now stays known.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};

use super::client::{Answer, call};
use super::history::{HeldLock, History, Outcome, Request, Stay, Window};
use super::rng::Rng;
use super::socket::Socket;

const BOOK: &str = "mutation($input: CreateReservationInput!) {
    createReservation(input: $input) { id checkIn checkOut } }";
const CHANGE: &str = "mutation($id: ID!, $period: PeriodInput!) {
    changeReservationPeriod(id: $id, period: $period) { id checkIn checkOut } }";
const CANCEL: &str = "mutation($id: ID!) { cancelReservation(id: $id) { id state } }";
/// Locks taken by the load last 2 s: short, so that the check that they are gone
/// after a kill waits little.
const ACQUIRE: &str = "mutation($input: LockInput!) {
    acquireLock(input: $input, ttlSeconds: 2) { id expiresAt } }";

const RELEASE: &str = "mutation($id: ID!) { releaseLock(id: $id) { id } }";
/// The lease of a lock held over a WebSocket, renewed every [`RENEW_EVERY`]
/// while the socket is open.
const WS_LEASE_SECONDS: i64 = 2;
const RENEW_EVERY: Duration = Duration::from_millis(500);
const RENEW: &str = "mutation($id: ID!) { renewLock(id: $id, ttlSeconds: 2) { id expiresAt } }";

/// The tenant's units the load uses.
#[derive(Clone, Debug)]
pub(crate) struct Units {
    /// Inventory 1.
    pub(crate) cabins: Vec<String>,
    /// Inventory 3.
    pub(crate) dorm: String,
    /// Only locked, never booked.
    pub(crate) lock_unit: String,
}

/// What the workers share.
pub(crate) struct Load {
    pub(crate) seed: u64,
    pub(crate) token: String,
    pub(crate) client_id: String,
    pub(crate) units: Units,
    /// The instances' addresses (empty while one is down).
    pub(crate) instances: Vec<Arc<RwLock<String>>>,
    pub(crate) history: Mutex<History>,
    pub(crate) stop: AtomicBool,
}

/// One worker's round: its stream of randomness and the dates it books in.
pub(crate) struct Worker {
    pub(crate) number: u64,
    round: u64,
    /// The instance it sends to.
    instance: usize,
    pub(crate) rng: Rng,
    pub(crate) first_day: NaiveDate,
    /// Reservations this worker booked and may still change, with their stays.
    owned: Vec<(String, Stay)>,
    /// Lost bookings to retry: key and stay.
    retry: Vec<(String, Stay)>,
    sent: u64,
}

/// Days of the window a round books in: small, so that bookings collide.
const WINDOW_DAYS: u64 = 14;

impl Worker {
    pub(crate) fn new(
        seed: u64,
        round: u64,
        number: u64,
        instances: usize,
        first_day: NaiveDate,
    ) -> Worker {
        Worker {
            number,
            round,
            instance: (number as usize) % instances,
            rng: Rng::new(seed, round << 16 | number),
            first_day,
            owned: Vec::new(),
            retry: Vec::new(),
            sent: 0,
        }
    }

    /// Runs until `load.stop`, then retries its lost bookings until each has a
    /// definite answer.
    pub(crate) async fn run(mut self, load: Arc<Load>) {
        let instance = self.instance;
        let round = self.round;
        while !load.stop.load(Ordering::Relaxed) {
            let addr = load.instances[instance].read().unwrap().clone();
            if addr.is_empty() {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            let lost = if !self.retry.is_empty() && self.rng.chance(40) {
                let (key, stay) = self.retry.remove(0);
                self.book(&load, &addr, key, stay, false).await
            } else {
                match self.rng.below(100) {
                    0..45 => {
                        let (key, stay) = self.new_booking(load.seed, round);
                        let twice = self.rng.chance(10);
                        self.book(&load, &addr, key, stay, twice).await
                    }
                    45..65 => self.change(&load, &addr).await,
                    65..78 => self.cancel(&load, &addr).await,
                    78..92 => self.lock(&load, &addr).await,
                    _ => self.ws_lock(&load, &addr).await,
                }
            };
            if lost {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        // Converge: every lost booking kept for retrying gets a definite answer.
        let deadline = Instant::now() + Duration::from_secs(120);
        while let Some((key, stay)) = self.retry.pop() {
            let addr = load.instances[instance].read().unwrap().clone();
            assert!(
                Instant::now() < deadline,
                "booking {key}: no definite answer"
            );
            if addr.is_empty()
                || self
                    .book(&load, &addr, key.clone(), stay.clone(), false)
                    .await
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    /// Sends one request and records it (when, to which instance, why lost).
    async fn send(
        &self,
        load: &Load,
        addr: &str,
        op: &'static str,
        query: &str,
        variables: Value,
    ) -> (Answer, Window) {
        let (sent, at) = (Instant::now(), Utc::now());
        let answer = call(addr, &load.token, query, variables).await;
        let window = Window {
            sent: at,
            answered: Utc::now(),
        };
        self.record(load, op, sent, &answer);
        (answer, window)
    }

    fn record(&self, load: &Load, op: &'static str, sent: Instant, answer: &Answer) {
        load.history.lock().unwrap().requests.push(Request {
            op,
            instance: self.instance,
            round: self.round,
            sent,
            answered: Instant::now(),
            loss: answer.loss(),
        });
    }

    fn dates(&mut self) -> (String, String) {
        let from = self.first_day + Days::new(self.rng.below(WINDOW_DAYS));
        let to = from + Days::new(self.rng.between(1, 3));
        (from.to_string(), to.to_string())
    }

    fn new_booking(&mut self, seed: u64, round: u64) -> (String, Stay) {
        self.sent += 1;
        let key = format!("chaos-{seed:x}-r{round}-w{}-{}", self.number, self.sent);
        let (check_in, check_out) = self.dates();
        let stay = Stay {
            check_in,
            check_out,
            canceled: false,
        };
        (key, stay)
    }

    /// Books `stay` with `key` (`twice`: two identical requests at once);
    /// true when an answer was lost.
    async fn book(
        &mut self,
        load: &Load,
        addr: &str,
        key: String,
        stay: Stay,
        twice: bool,
    ) -> bool {
        // The unit is derived from the key, so that a retry asks for the same.
        let pick = key
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let unit = if pick % 5 < 3 {
            load.units.cabins[(pick / 5) as usize % load.units.cabins.len()].clone()
        } else {
            load.units.dorm.clone()
        };
        let input = json!({ "input": {
            "unitId": unit, "guests": 1, "clientId": load.client_id,
            "period": { "checkIn": stay.check_in, "checkOut": stay.check_out },
            "idempotencyKey": key, "notes": key } });
        let answers = if twice {
            let (a, b) = tokio::join!(
                self.send(load, addr, "book", BOOK, input.clone()),
                self.send(load, addr, "book", BOOK, input)
            );
            vec![a, b]
        } else {
            vec![self.send(load, addr, "book", BOOK, input).await]
        };
        let mut lost = false;
        let mut history = load.history.lock().unwrap();
        for (answer, window) in answers {
            let outcome = outcome(&answer, |d| d["createReservation"]["id"].clone());
            if let Outcome::Acked(id) = &outcome
                && !self.owned.iter().any(|(o, _)| o == id)
            {
                self.owned.push((id.clone(), stay.clone()));
            }
            lost |= outcome.is_lost();
            history.booked(&key, &unit, &stay, outcome, window);
        }
        let acked = history.bookings[&key]
            .answers
            .iter()
            .any(|o| matches!(o, Outcome::Acked(_)));
        if lost && !acked && self.rng.chance(70) {
            self.retry.push((key, stay));
        }
        lost
    }

    async fn change(&mut self, load: &Load, addr: &str) -> bool {
        if self.owned.is_empty() {
            return false;
        }
        let index = self.rng.below(self.owned.len() as u64) as usize;
        let (check_in, check_out) = self.dates();
        let after = Stay {
            check_in,
            check_out,
            canceled: false,
        };
        let id = self.owned[index].0.clone();
        let (answer, window) = self
            .send(
                load,
                addr,
                "change",
                CHANGE,
                json!({ "id": id, "period": { "checkIn": after.check_in, "checkOut": after.check_out } }),
            )
            .await;
        let outcome = outcome(&answer, |d| d["changeReservationPeriod"]["id"].clone());
        load.history.lock().unwrap().changed(
            "change",
            &id,
            after.clone(),
            &outcome,
            window.answered,
        );
        match outcome {
            Outcome::Acked(_) => self.owned[index].1 = after,
            Outcome::Lost(_) => {
                self.owned.remove(index);
                return true;
            }
            Outcome::Refused(_) => {}
        }
        false
    }

    async fn cancel(&mut self, load: &Load, addr: &str) -> bool {
        if self.owned.is_empty() {
            return false;
        }
        let index = self.rng.below(self.owned.len() as u64) as usize;
        let (id, stay) = self.owned[index].clone();
        let (answer, window) = self
            .send(load, addr, "cancel", CANCEL, json!({ "id": id }))
            .await;
        let outcome = outcome(&answer, |d| d["cancelReservation"]["id"].clone());
        let after = Stay {
            canceled: true,
            ..stay
        };
        load.history
            .lock()
            .unwrap()
            .changed("cancel", &id, after, &outcome, window.answered);
        if !matches!(outcome, Outcome::Refused(_)) {
            self.owned.remove(index);
        }
        outcome.is_lost()
    }

    /// Takes a lock on a period of the lock unit; releases it after a moment
    /// seven times in ten, else leaves it to expire.
    async fn lock(&mut self, load: &Load, addr: &str) -> bool {
        let (check_in, check_out) = self.dates();
        let input = json!({ "input": { "unitId": load.units.lock_unit,
            "period": { "checkIn": check_in, "checkOut": check_out } } });
        let (answer, _) = self.send(load, addr, "lock", ACQUIRE, input).await;
        let acquired = outcome(&answer, |d| d["acquireLock"]["id"].clone());
        load.history.lock().unwrap().counts.add("lock", &acquired);
        let Answer::Ok(data) = answer else {
            return acquired.is_lost();
        };
        let held = HeldLock {
            id: data["acquireLock"]["id"].as_str().unwrap().to_owned(),
            expires_at: expires_at(&data["acquireLock"]),
            via: "HTTP",
        };
        if !self.rng.chance(70) {
            load.history.lock().unwrap().held_locks.push(held);
            return false;
        }
        tokio::time::sleep(Duration::from_millis(self.rng.below(200))).await;
        let (answer, _) = self
            .send(load, addr, "release", RELEASE, json!({ "id": held.id }))
            .await;
        let released = outcome(&answer, |d| d["releaseLock"]["id"].clone());
        let mut history = load.history.lock().unwrap();
        history.counts.add("release", &released);
        if !matches!(released, Outcome::Acked(_)) {
            history.held_locks.push(held);
        }
        released.is_lost()
    }

    /// Takes a lock on a period of the lock unit over a WebSocket connection of
    /// its own (the lock's session is the connection), renews it for 0.2–3 s,
    /// then closes the connection normally — unless a kill broke it first. Either
    /// way the lock must be gone once its lease is over (`check::locks`); that a
    /// normal close releases it at once is probed after each round
    /// (`check::socket_release`).
    async fn ws_lock(&mut self, load: &Load, addr: &str) -> bool {
        let (check_in, check_out) = self.dates();
        let hold = Duration::from_millis(self.rng.between(200, 3000));
        let sent = Instant::now();
        let mut socket = match Socket::open(addr, &load.token).await {
            Ok(socket) => socket,
            Err(loss) => {
                let answer = Answer::Lost(loss);
                self.record(load, "ws-open", sent, &answer);
                load.history
                    .lock()
                    .unwrap()
                    .counts
                    .add("ws-lock", &outcome(&answer, |_| Value::Null));
                return true;
            }
        };
        let input = json!({ "input": { "unitId": load.units.lock_unit,
            "period": { "checkIn": check_in, "checkOut": check_out } } });
        let sent = Instant::now();
        let answer = socket.call(ACQUIRE, input).await;
        self.record(load, "ws-lock", sent, &answer);
        let acquired = outcome(&answer, |d| d["acquireLock"]["id"].clone());
        load.history
            .lock()
            .unwrap()
            .counts
            .add("ws-lock", &acquired);
        let Answer::Ok(data) = answer else {
            if !acquired.is_lost() {
                socket.close().await;
            }
            return acquired.is_lost();
        };
        let id = data["acquireLock"]["id"].as_str().unwrap().to_owned();
        let mut expires = expires_at(&data["acquireLock"]);
        let until = Instant::now() + hold;
        let mut broken = false;
        while !load.stop.load(Ordering::Relaxed) && Instant::now() < until {
            tokio::time::sleep(RENEW_EVERY.min(until - Instant::now())).await;
            let sent = Instant::now();
            let answer = socket.call(RENEW, json!({ "id": id })).await;
            self.record(load, "ws-renew", sent, &answer);
            let renewed = outcome(&answer, |d| d["renewLock"]["id"].clone());
            load.history
                .lock()
                .unwrap()
                .counts
                .add("ws-renew", &renewed);
            match answer {
                Answer::Ok(data) => expires = expires_at(&data["renewLock"]),
                // Its lease ran out before the renewal came (a loaded machine).
                Answer::Refused(_) => break,
                Answer::Lost(_) => {
                    // A renewal that was lost may have been applied just
                    // before the process died: its lease ends at the latest
                    // one lease after now.
                    let latest = Utc::now() + chrono::Duration::seconds(WS_LEASE_SECONDS);
                    expires = expires.max(latest);
                    broken = true;
                    break;
                }
            }
        }
        {
            let mut history = load.history.lock().unwrap();
            history.counts.add(
                "ws-close",
                &if broken {
                    Outcome::Lost(super::client::Loss::Broken("ws: broken".into()))
                } else {
                    Outcome::Acked(id.clone())
                },
            );
            history.held_locks.push(HeldLock {
                id,
                expires_at: expires,
                via: if broken {
                    "a WebSocket broken by a kill"
                } else {
                    "a WebSocket closed normally"
                },
            });
        }
        if !broken {
            socket.close().await;
        }
        broken
    }
}

/// A lock's `expiresAt`.
fn expires_at(lock: &Value) -> chrono::DateTime<Utc> {
    lock["expiresAt"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("expiresAt")
}

/// The history's view of an answer; `id` picks the acknowledged entity's id.
fn outcome(answer: &Answer, id: impl Fn(&Value) -> Value) -> Outcome {
    match answer {
        Answer::Ok(data) => Outcome::Acked(id(data).as_str().unwrap_or_default().to_owned()),
        Answer::Refused(code) => Outcome::Refused(code.clone()),
        Answer::Lost(loss) => Outcome::Lost(loss.clone()),
    }
}
