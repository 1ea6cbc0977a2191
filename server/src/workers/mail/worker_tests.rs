//! The worker against the loopback SMTP server, on both databases, with time
//! from a `ManualClock` moved to each retry's due instant (no test sleeps for
//! a retry): a 421 retried and then sent, a 550 failing once, the reminder on
//! its day, pruning after 30 days, and two workers on one
//! database sending each message exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;

use berth_core::Engine;
use berth_core::audit::Actor;
use berth_core::client::NewClient;
use berth_core::clock::{Clock, ManualClock};
use berth_core::ids::TenantId;
use berth_core::mail::{MailKind, MailMessage, MailPage, MailStatus};
use berth_core::on_both_stores;
use berth_core::policy::{Policy, PolicyError, PolicyProvider};
use berth_core::quantity::{Guests, Quantity};
use berth_core::reservation::{Channel, Reservation};
use berth_core::state::ReservationState;
use berth_core::store::{ClientRef, Store};
use berth_core::tenant::Tenant;
use berth_core::testing::Backend;
use berth_core::time_range::TimeRange;
use berth_core::unit::Unit;
use chrono::{DateTime, Duration, Utc};
use mail_parser::MessageParser;

use crate::workers::test_support::{december_stay, new_unit, tenant_store};

use super::settings::{SmtpConfig, SmtpUrl};
use super::{Config, Pass, SmtpSender, Templates, Worker};

use super::tests::smtp;

on_both_stores!(
    refusals_are_retried_or_fail_once_and_reminders_come_on_their_day,
    two_workers_on_one_database_send_each_message_once,
);

/// No tenant has a live policy here: the worker keeps the defaults.
#[derive(Debug)]
struct NoPolicies;

impl PolicyProvider for NoPolicies {
    fn policy(&self, tenant: &Tenant) -> Result<Arc<dyn Policy>, PolicyError> {
        Err(PolicyError::NotLoaded(tenant.slug.to_string()))
    }
}

struct Setup {
    url: String,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    tenant: TenantId,
    sink: smtp::SmtpSink,
}

async fn setup(backend: Backend) -> Setup {
    let (url, store, clock, tenant) =
        tenant_store(backend, "mail", chrono_tz::Europe::Zurich, "CHF", "de-CH").await;
    Setup {
        url,
        store,
        clock,
        tenant,
        sink: smtp::SmtpSink::start().await,
    }
}

impl Setup {
    fn worker(&self, store: Arc<dyn Store>) -> Worker {
        let clock: Arc<dyn Clock> = self.clock.clone();
        let engine = Engine::new(store, Arc::new(NoPolicies), clock);
        let SmtpUrl::Server(server) = SmtpUrl::parse(&self.sink.url()).unwrap() else {
            panic!("a server");
        };
        let config = SmtpConfig {
            server,
            from: berth_core::mail::EmailAddress::parse("bookings@berth.test").unwrap(),
            timeout: std::time::Duration::from_secs(10),
        };
        Worker::new(
            engine,
            Arc::new(Templates::new()),
            SmtpSender::new(&config).unwrap(),
            Config {
                timeout: config.timeout,
                ..Config::default()
            },
        )
    }

    async fn unit(&self) -> Unit {
        let unit = new_unit("Larch Cabin", 50, 4);
        self.store
            .create_unit(self.tenant, unit, &Actor::System, self.clock.now())
            .await
            .unwrap()
    }

    /// Books `unit` for `email`'s guest, confirmed, 10–12 Dec 2026 (15:00 to
    /// 10:00 in Zurich).
    async fn book(&self, unit: &Unit, email: &str) -> Reservation {
        let client = ClientRef::New(NewClient {
            name: format!("Guest {email}"),
            email: Some(email.to_owned()),
            phone: None,
            notes: None,
            blocked: false,
        });
        let new = december_stay(unit.id, client, self.clock.now());
        self.store
            .insert_reservation(self.tenant, new, &Actor::System)
            .await
            .unwrap()
            .reservation
    }

    async fn messages(&self) -> Vec<MailMessage> {
        self.store
            .mail_messages(
                self.tenant,
                MailPage {
                    limit: 100,
                    ..MailPage::default()
                },
            )
            .await
            .unwrap()
    }

    async fn message(&self, kind: MailKind, to: &str) -> MailMessage {
        self.messages()
            .await
            .into_iter()
            .find(|m| m.kind == kind && m.recipient.as_deref() == Some(to))
            .unwrap_or_else(|| panic!("a {kind} message to {to}"))
    }
}

fn add(total: &mut Pass, pass: Pass) {
    total.queued += pass.queued;
    total.attempted += pass.attempted;
    total.sent += pass.sent;
    total.retrying += pass.retrying;
    total.failed += pass.failed;
    total.skipped += pass.skipped;
    total.pruned += pass.pruned;
}

/// Runs passes until `n` attempts were made. On PostgreSQL a new event is
/// queued only once no older transaction of the cluster is open (other tests
/// run alongside), so the first passes may find nothing yet.
async fn until_attempted(worker: &Worker, n: u64) -> Pass {
    let mut total = Pass::default();
    for _ in 0..2_500 {
        add(&mut total, worker.run_once().await.unwrap());
        if total.attempted >= n {
            return total;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("{} of {n} attempts made", total.attempted);
}

fn subject(data: &[u8]) -> String {
    MessageParser::default()
        .parse(data)
        .and_then(|m| m.subject().map(str::to_owned))
        .unwrap_or_default()
}

async fn refusals_are_retried_or_fail_once_and_reminders_come_on_their_day(backend: Backend) {
    let s = setup(backend).await;
    let worker = s.worker(s.store.clone());
    // The first visit starts the tenant's position at the end of its stream.
    worker.run_once().await.unwrap();
    let unit = s.unit().await;
    // 421 once: retried a minute later (0.75–1.25 with jitter), then sent.
    s.sink.then("DATA", 421, "busy, try again later");
    s.book(&unit, "ana@example.com").await;
    let pass = until_attempted(&worker, 1).await;
    assert_eq!((pass.retrying, pass.sent), (1, 0), "{pass:?}");
    assert!(s.sink.received().is_empty());
    let m = s.message(MailKind::Confirmed, "ana@example.com").await;
    assert_eq!((m.status, m.attempts), (MailStatus::Pending, 1));
    assert_eq!(m.attempt_log[0].smtp_code, Some(421));
    assert!(m.last_error.as_deref().unwrap().contains("busy"), "{m:?}");
    let due = m.next_attempt_at.unwrap();
    let wait = due - s.clock.now();
    assert!(
        wait >= Duration::seconds(44) && wait <= Duration::seconds(76),
        "{wait}"
    );
    // Not before it is due.
    assert_eq!(worker.run_once().await.unwrap().attempted, 0);
    s.clock.set(due);
    let pass = worker.run_once().await.unwrap();
    assert_eq!((pass.attempted, pass.sent), (1, 1), "{pass:?}");
    let got = s.sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["ana@example.com"]);
    assert!(
        subject(&got[0].data).starts_with("Confirmed: Larch Cabin, Thu 10 Dec 2026"),
        "{}",
        subject(&got[0].data)
    );
    let m = s.message(MailKind::Confirmed, "ana@example.com").await;
    assert_eq!(m.status, MailStatus::Sent);
    let codes: Vec<Option<u16>> = m.attempt_log.iter().map(|a| a.smtp_code).collect();
    assert_eq!(codes, [Some(421), Some(250)]);
    assert_eq!(m.subject.as_deref(), Some(subject(&got[0].data).as_str()));

    // 550: failed at once, logged, never tried again.
    s.sink.then("RCPT", 550, "no such mailbox");
    s.book(&unit, "nobody@example.com").await;
    let pass = until_attempted(&worker, 1).await;
    assert_eq!(pass.failed, 1, "{pass:?}");
    let m = s.message(MailKind::Confirmed, "nobody@example.com").await;
    assert_eq!((m.status, m.attempts), (MailStatus::Failed, 1));
    assert_eq!(m.attempt_log[0].smtp_code, Some(550));
    assert!(
        m.last_error.as_deref().unwrap().contains("no such mailbox"),
        "{m:?}"
    );
    s.clock.advance(Duration::hours(12));
    assert_eq!(worker.run_once().await.unwrap().attempted, 0);
    assert_eq!(s.sink.received().len(), 1);

    // The reminders come two days before arrival (the default lead time),
    // in the guest's language, with the check-in.
    s.clock
        .set("2026-12-08T14:00:01Z".parse::<DateTime<Utc>>().unwrap());
    let pass = until_attempted(&worker, 2).await;
    assert_eq!(pass.sent, 2, "{pass:?}");
    let got = s.sink.received();
    let reminders: Vec<String> = got[1..].iter().map(|m| subject(&m.data)).collect();
    assert!(
        reminders
            .iter()
            .all(|s| s == "See you on Thursday: Larch Cabin"),
        "{reminders:?}"
    );

    // Finished messages are pruned 30 days after they last changed (the
    // first two went in the reminders' pass, a month after they were sent).
    assert_eq!(pass.pruned, 2, "{pass:?}");
    s.clock.advance(Duration::days(31));
    let pass = worker.run_once().await.unwrap();
    assert_eq!(pass.pruned, 2, "{pass:?}");
    assert!(s.messages().await.is_empty());
}

async fn two_workers_on_one_database_send_each_message_once(backend: Backend) {
    let s = setup(backend).await;
    let other = berth_core::store::open_and_migrate(&s.url).await.unwrap();
    let (one, two) = (s.worker(s.store.clone()), s.worker(other));
    one.run_once().await.unwrap();
    let unit = s.unit().await;
    let guests: Vec<String> = (0..8).map(|i| format!("guest{i}@example.com")).collect();
    for g in &guests {
        s.book(&unit, g).await;
    }
    let mut passes = 0;
    while s.sink.received().len() < guests.len() && passes < 2_500 {
        let (a, b) = tokio::join!(one.run_once(), two.run_once());
        a.unwrap();
        b.unwrap();
        passes += 1;
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    // A few more passes find nothing to send.
    for _ in 0..5 {
        let (a, b) = tokio::join!(one.run_once(), two.run_once());
        assert_eq!(a.unwrap().attempted + b.unwrap().attempted, 0);
    }
    let got = s.sink.received();
    assert_eq!(got.len(), guests.len(), "each message once");
    let ids: HashSet<String> = got
        .iter()
        .map(|m| {
            MessageParser::default()
                .parse(&m.data)
                .and_then(|p| p.message_id().map(str::to_owned))
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), guests.len());
    let to: HashSet<&str> = got.iter().map(|m| m.to[0].as_str()).collect();
    assert_eq!(to.len(), guests.len());
    assert!(
        s.messages()
            .await
            .iter()
            .filter(|m| m.kind == MailKind::Confirmed)
            .all(|m| m.status == MailStatus::Sent && m.attempts == 1)
    );
}

#[test]
fn a_reminder_is_sent_only_for_the_stay_it_was_scheduled_for() {
    use super::reminder_not_due;
    let period = |a: &str, b: &str| TimeRange::new(a.parse().unwrap(), b.parse().unwrap()).unwrap();
    let stay = Reservation {
        id: berth_core::ids::ReservationId::new(),
        tenant_id: TenantId::new(),
        unit_id: berth_core::ids::UnitId::new(),
        client_id: None,
        state: ReservationState::Confirmed,
        period: period("2026-12-10T14:00:00Z", "2026-12-12T09:00:00Z"),
        occupied: period("2026-12-10T14:00:00Z", "2026-12-12T09:00:00Z"),
        check_in: None,
        check_out: None,
        quantity: Quantity::ONE,
        guests: Guests::new(2).unwrap(),
        price: None,
        channel: Channel::Admin,
        idempotency_key: None,
        notes: None,
        hold_expires_at: None,
        refund: None,
        policy_override: None,
        version: 1,
        created_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        updated_at: "2026-11-01T00:00:00Z".parse().unwrap(),
    };
    let now: DateTime<Utc> = "2026-12-08T14:00:00Z".parse().unwrap();
    assert_eq!(reminder_not_due(&stay, &stay, now), None);
    let canceled = Reservation {
        state: ReservationState::Canceled,
        ..stay.clone()
    };
    assert!(
        reminder_not_due(&stay, &canceled, now)
            .unwrap()
            .contains("no longer confirmed")
    );
    let moved = Reservation {
        period: period("2026-12-11T14:00:00Z", "2026-12-13T09:00:00Z"),
        ..stay.clone()
    };
    assert!(
        reminder_not_due(&stay, &moved, now)
            .unwrap()
            .contains("moved")
    );
    let later: DateTime<Utc> = "2026-12-10T15:00:00Z".parse().unwrap();
    assert!(
        reminder_not_due(&stay, &stay, later)
            .unwrap()
            .contains("begun")
    );
}
