//! Crashes under load (issue 24, decision 0172): a seeded mixed load over GraphQL
//! against real `berth serve` processes — bookings (contended, with idempotency
//! keys, retried after a lost answer), period changes, cancellations, locks, a
//! webhook to a loopback receiver, a subscriber resuming from its cursor — while
//! faults strike at random moments: SIGKILL of a berth instance (SQLite; and one
//! of two instances on one PostgreSQL) and `pg_ctl stop -m immediate` of
//! PostgreSQL. After each round the recorded history is checked against the
//! database (`check`, `refusals`); every lost request keeps why it was lost,
//! counted per round and per run. Run by `scripts/chaos` (a bounded run in `scripts/test`,
//! a soak with `--soak MINUTES`); a plain test run skips these tests (ignored),
//! as they need the PostgreSQL server they stop. The seed is printed first;
//! `BERTH_CHAOS_SEED` replays its choices (the interleaving of the processes is
//! the machine's).

mod check;
mod client;
mod history;
mod load;
mod process;
mod receiver;
mod refusals;
mod rng;
mod socket;
mod subscriber;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use serde_json::json;

use client::read;
use load::{Load, Units, Worker};
use process::{Berth, Postgres, run_dir};
use rng::Rng;

/// A run's settings, from the environment `scripts/chaos` sets.
struct Settings {
    seed: u64,
    rounds: u64,
    until: Option<Instant>,
}

impl Settings {
    fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let seed = var("BERTH_CHAOS_SEED").map_or_else(
            || {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            },
            |s| s.parse().expect("BERTH_CHAOS_SEED: a number"),
        );
        let until = var("BERTH_CHAOS_SECONDS")
            .map(|s| Instant::now() + Duration::from_secs(s.parse().expect("seconds")));
        let rounds = var("BERTH_CHAOS_ROUNDS")
            .map_or(if until.is_some() { u64::MAX } else { 4 }, |s| {
                s.parse().expect("BERTH_CHAOS_ROUNDS: a number")
            });
        Settings {
            seed,
            rounds,
            until,
        }
    }

    fn more(&self, done: u64) -> bool {
        done < self.rounds && self.until.is_none_or(|t| Instant::now() < t)
    }
}

/// A fault.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// SIGKILL of instance n.
    Kill(usize),
    /// `pg_ctl stop -m immediate`.
    Postgres,
}

/// A tenant that accepts any stay of one to fourteen nights from today on, with
/// three cabins (inventory 1), a dorm (inventory 3) and a unit only locked.
fn write_tenant(dir: &Path) -> std::path::PathBuf {
    let tenants = dir.join("tenants");
    let tenant = tenants.join("chaos");
    std::fs::create_dir_all(&tenant).unwrap();
    std::fs::write(
        tenant.join("tenant.yaml"),
        "slug: chaos\nname: Chaos Lodge\ntimezone: UTC\ncurrency: EUR\nmodel: nightly\n\
         nightly:\n  check_in_time: \"15:00\"\n  check_out_time: \"10:00\"\n  min_nights: 1\n  \
         max_nights: 14\n  lead_time_hours: 0\n  horizon_days: 400\npricing:\n  base_rate: 10000\n",
    )
    .unwrap();
    let unit = |name: &str, inventory: u32| {
        format!("  - {{ name: {name}, kind: room, inventory: {inventory}, max_guests: 4 }}\n")
    };
    std::fs::write(
        tenant.join("seed.yaml"),
        format!(
            "units:\n{}{}{}{}{}",
            unit("Cabin A", 1),
            unit("Cabin B", 1),
            unit("Cabin C", 1),
            unit("Dorm", 3),
            unit("Lock Room", 1)
        ),
    )
    .unwrap();
    tenants
}

/// Signs in as the demo admin (a fresh session each time).
async fn sign_in(addr: &str, first_lines: &[String]) -> String {
    let line = first_lines
        .iter()
        .find(|l| l.starts_with("demo login:") && l.contains("tenant=chaos"))
        .expect("the demo login line");
    let field = |key: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")))
            .expect("key=value")
    };
    let data = read(
        addr,
        "",
        "mutation($t: String!, $e: String!, $p: String!) { login(tenant: $t, email: $e, password: $p) { token } }",
        json!({ "t": "chaos", "e": field("email"), "p": field("password") }),
    )
    .await;
    data["login"]["token"].as_str().unwrap().to_owned()
}

/// One campaign: `instances` berth processes on `database_url`, killed (and,
/// with `postgres`, the database stopped) round after round.
async fn campaign(label: &str, database_url: &str, instances: usize, postgres: Option<Postgres>) {
    let settings = Settings::from_env();
    let seed = settings.seed;
    eprintln!("chaos[{label}]: seed {seed} (replay: BERTH_CHAOS_SEED={seed})");
    let mut rng = Rng::new(seed, 0);
    let dir = run_dir(label);
    let tenants = write_tenant(&dir);
    let mut servers: Vec<Berth> = (0..instances)
        .map(|i| Berth::start(&format!("berth-{i}"), database_url, &tenants, &dir))
        .collect();
    let addr0 = servers[0].addr();
    let token = sign_in(&addr0, &servers[0].first_lines).await;
    let other = sign_in(&addr0, &servers[0].first_lines).await;
    let units = read(&addr0, &token, "{ units { id name } }", json!({})).await;
    let id_of = |name: &str| {
        units["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .and_then(|u| u["id"].as_str())
            .unwrap_or_else(|| panic!("unit {name} in {units}"))
            .to_owned()
    };
    let units = Units {
        cabins: vec![id_of("Cabin A"), id_of("Cabin B"), id_of("Cabin C")],
        dorm: id_of("Dorm"),
        lock_unit: id_of("Lock Room"),
    };
    let client = read(
        &addr0,
        &token,
        r#"mutation { createClient(input: { name: "Chaos Guest" }) { id } }"#,
        json!({}),
    )
    .await;
    let (hook_url, inbox) = receiver::start(seed).await;
    read(
        &addr0,
        &token,
        r#"mutation($url: String!) { createWebhook(url: $url, events: ["*"]) { secret } }"#,
        json!({ "url": hook_url }),
    )
    .await;
    let since = check::last_cursor(&addr0, &token)
        .await
        .expect("setup wrote events");

    let load = Arc::new(Load {
        seed,
        token: token.clone(),
        client_id: client["createClient"]["id"].as_str().unwrap().to_owned(),
        units: units.clone(),
        instances: servers.iter().map(|s| s.addr.clone()).collect(),
        history: Mutex::new(history::History::default()),
        stop: AtomicBool::new(false),
    });
    let received = Arc::new(Mutex::new(subscriber::Received::default()));
    let stop_subscriber = Arc::new(AtomicBool::new(false));
    let follower = tokio::spawn(subscriber::follow(
        load.instances.clone(),
        token.clone(),
        since.clone(),
        received.clone(),
        stop_subscriber.clone(),
    ));

    let workers = 6;
    let soak = settings.until.is_some();
    let (mut round, mut kills, mut pg_stops, mut checks) = (0u64, 0u64, 0u64, 0u64);
    let mut refusals_checked = 0u64;
    // Keys both acknowledged and refused, with the unit's writes around them.
    let mut evidence = std::collections::BTreeSet::new();
    let today = Utc::now().date_naive();
    while settings.more(round) {
        round += 1;
        let first_day = today + Days::new(10 + (round % 16) * 21);
        load.stop.store(false, Ordering::Relaxed);
        let tasks: Vec<_> = (0..workers)
            .map(|n| {
                let worker = Worker::new(seed, round, n, instances, first_day);
                tokio::spawn(worker.run(load.clone()))
            })
            .collect();
        let busy = if soak {
            rng.between(1000, 8000)
        } else {
            rng.between(800, 2500)
        };
        tokio::time::sleep(Duration::from_millis(busy)).await;
        let fault = match (&postgres, rng.below(3)) {
            (Some(_), 2) => Fault::Postgres,
            _ => Fault::Kill(rng.below(instances as u64) as usize),
        };
        let down = Duration::from_millis(rng.between(200, 1500));
        let started = Instant::now();
        match fault {
            Fault::Kill(n) => {
                servers[n].kill();
                kills += 1;
                tokio::time::sleep(down).await;
                servers[n].restart();
            }
            Fault::Postgres => {
                let pg = postgres.as_ref().unwrap();
                pg.stop_immediately().await;
                pg_stops += 1;
                tokio::time::sleep(down).await;
                pg.start().await;
            }
        }
        let ended = Instant::now();
        tokio::time::sleep(Duration::from_millis(rng.between(300, 1000))).await;
        load.stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await.expect("a worker panicked");
        }

        // The checks.
        let addr = servers[0].addr();
        let db = check::snapshot(&addr, &token, &since).await;
        let mut wrong = Vec::new();
        let mut notes = Vec::new();
        {
            let history = load.history.lock().unwrap();
            wrong.extend(check::bookings(&history, &db));
            wrong.extend(check::capacity(&units, &db));
            wrong.extend(check::events_and_audit(&history, &db));
            let found = refusals::explained(&history, &db, &units);
            wrong.extend(found.wrong);
            refusals_checked = found.checked;
            for line in found.evidence {
                if evidence.insert(line.clone()) {
                    notes.push(line);
                }
            }
            checks += 4;
            if let Fault::Kill(killed) = fault
                && instances > 1
            {
                let (failed, note) = serving(&history.requests, killed, started, ended);
                wrong.extend(failed);
                notes.push(note);
                checks += 1;
            }
        }
        let expected = check::reservation_events(&db);
        let deadline = Instant::now() + Duration::from_secs(30);
        while received.lock().unwrap().ids.len() < expected.len() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        wrong.extend(check::subscriber(
            &received.lock().unwrap().ids,
            &expected,
            true,
        ));
        wrong.extend(check::webhooks(&inbox.lock().unwrap(), &db.events, false));
        let mut history = std::mem::take(&mut *load.history.lock().unwrap());
        // The lock checks on the instance that was not killed, when there is one.
        let survivor = match fault {
            Fault::Kill(killed) if instances > 1 => servers[(killed + 1) % instances].addr(),
            _ => addr.clone(),
        };
        let ws_locks = history
            .held_locks
            .iter()
            .filter(|l| l.via != "HTTP")
            .count();
        wrong.extend(check::locks(&mut history, &units, &survivor, &token, &other).await);
        *load.history.lock().unwrap() = history;
        let addrs: Vec<String> = servers.iter().map(Berth::addr).collect();
        wrong.extend(check::socket_release(&units, &addrs, &token, &other).await);
        checks += 5;
        let history = load.history.lock().unwrap();
        eprintln!(
            "chaos[{label}] round {round}: {fault:?} for {down:?}; {} operations ({}); {} reservations, {} events; {ws_locks} WebSocket locks checked; losses this round: {}; {}",
            history.counts.total(),
            history.counts.summary(),
            db.reservations.len(),
            db.events.len(),
            history.losses(Some(round)),
            if wrong.is_empty() {
                "all invariants hold"
            } else {
                "VIOLATED"
            }
        );
        for note in &notes {
            eprintln!("chaos[{label}] round {round}: {note}");
        }
        assert!(
            wrong.is_empty(),
            "chaos[{label}] seed {seed} round {round} after {fault:?}:\n{}",
            wrong.join("\n")
        );
    }

    // Every event reaches the webhook receiver: a delivery claimed by a killed
    // process is sent again when its claim's lease (60 s) is over.
    let addr = servers[0].addr();
    let deadline = Instant::now() + Duration::from_secs(150);
    let db = loop {
        let db = check::snapshot(&addr, &token, &since).await;
        if check::webhooks_done(&inbox.lock().unwrap(), &db.events) || Instant::now() > deadline {
            break db;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let wrong = check::webhooks(&inbox.lock().unwrap(), &db.events, true);
    checks += 1;
    stop_subscriber.store(true, Ordering::Relaxed);
    follower.await.unwrap();
    let history = load.history.lock().unwrap();
    let inbox = inbox.lock().unwrap();
    let resumed = received.lock().unwrap().connections;
    eprintln!(
        "chaos[{label}] seed {seed}: {round} rounds, {kills} berth kills, {pg_stops} PostgreSQL stops, \
         {} operations ({}), {} reservations, {} events, {checks} invariant checks \
         ({refusals_checked} UNAVAILABLE refusals explained, {} keys both acknowledged and refused); \
         losses: {}; webhook: {} messages accepted, {} refused (503) and retried, {} events; \
         subscriber connected {resumed} times",
        history.counts.total(),
        history.counts.summary(),
        db.reservations.len(),
        db.events.len(),
        evidence.len(),
        history.losses(None),
        inbox.accepted,
        inbox.refused,
        inbox.by_event.len(),
    );
    assert!(
        wrong.is_empty(),
        "chaos[{label}] seed {seed}:\n{}",
        wrong.join("\n")
    );
}

/// Two instances: while instance `killed` was down (`started` to `ended`),
/// every request sent to the other got an answer — acknowledged, refused, or
/// INTERNAL retryable ("temporarily unavailable": a prompt, clear answer; the
/// history keeps it as either outcome, as a write may have committed) — and at
/// least one was acknowledged or refused. Returns what failed (each request
/// with its reason) and a line counting the answers.
fn serving(
    requests: &[history::Request],
    killed: usize,
    started: Instant,
    ended: Instant,
) -> (Vec<String>, String) {
    let during: Vec<_> = requests
        .iter()
        .filter(|r| r.instance != killed && r.sent >= started && r.sent <= ended)
        .collect();
    let retryable = during
        .iter()
        .filter(|r| matches!(r.loss, Some(client::Loss::Retryable(_))))
        .count();
    let unanswered: Vec<_> = during
        .iter()
        .filter(|r| {
            r.loss
                .as_ref()
                .is_some_and(|l| !matches!(l, client::Loss::Retryable(_)))
        })
        .collect();
    let definite = during.len() - retryable - unanswered.len();
    let note = format!(
        "while instance {killed} was down ({:?}) the other got {} requests: {definite} acknowledged or refused, {retryable} INTERNAL retryable, {} without an answer",
        ended - started,
        during.len(),
        unanswered.len()
    );
    let mut wrong = Vec::new();
    if definite == 0 || !unanswered.is_empty() {
        wrong.push(format!("{note}:"));
        for r in &unanswered {
            wrong.push(format!(
                "  {} sent {} ms after the kill, lost after {} ms: {}",
                r.op,
                (r.sent - started).as_millis(),
                (r.answered - r.sent).as_millis(),
                r.loss.as_ref().unwrap()
            ));
        }
    }
    (wrong, note)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run by scripts/chaos"]
async fn sqlite() {
    let dir = run_dir("sqlite-db");
    let url = format!("sqlite:{}", dir.join("berth.db").display());
    campaign("sqlite", &url, 1, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run by scripts/chaos"]
async fn postgres() {
    let postgres = Postgres::from_env()
        .expect("BERTH_CHAOS_PG_STOP and BERTH_CHAOS_PG_START: run through scripts/chaos");
    assert!(
        std::env::var("BERTH_TEST_POSTGRES_URL").is_ok(),
        "BERTH_TEST_POSTGRES_URL: run through scripts/chaos"
    );
    let url = berth_core::testing::fresh_postgres_url().await;
    campaign("postgres", &url, 2, Some(postgres)).await;
}
