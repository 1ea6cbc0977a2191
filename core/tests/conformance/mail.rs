//! Transactional e-mail at the store boundary, on both databases: which events
//! queue which messages for whom (the guest only once told of a stay, staff
//! only when opted in and active), the reminder scheduled, moved and skipped
//! with its stay, stale events and a tenant's first visit, each event queued
//! once however many enqueuers run, leased claims with retries, permanent
//! failures, lapsed leases, stale reports and the final attempt, resends with
//! their audit entry, pruning, and tenant isolation.

use std::sync::Arc;

use berth_core::Engine;
use berth_core::audit::{Actor, AuditFilter};
use berth_core::booking_request::BookingRequest;
use berth_core::client::NewClient;
use berth_core::clock::{Clock as _, ManualClock};
use berth_core::ids::{MailId, ReservationId, UserId};
use berth_core::mail::{
    ClaimedMail, MAX_ATTEMPTS, MailKind, MailMessage, MailPage, MailReport, MailResult,
    MailSettings, MailStatus, STALE_AFTER,
};
use berth_core::policy::Party;
use berth_core::push::NotificationSettingsPatch;
use berth_core::reservation::Reservation;
use berth_core::reservation_details::DetailsPatch;
use berth_core::store::{ClientRef, Store};
use berth_core::tenant::Tenant;
use berth_core::unit::Unit;
use berth_core::user::{Role, UserPatch};
use berth_core::webhook::Enqueued;
use chrono::{DateTime, Duration, Utc};

use crate::support::{self, Backend, nights};

on_both_stores!(
    a_public_request_is_followed_through_its_stay,
    staff_bookings_write_to_guests_with_an_address,
    holds_never_told_and_no_shows_reach_only_staff,
    stale_events_and_a_first_visit_mail_nothing_old,
    each_event_is_queued_once_however_many_enqueuers_run,
    two_claimers_never_claim_the_same_message,
    attempts_retry_fail_and_lapse_under_leases,
    messages_are_resent_with_an_audit_entry_and_pruned,
    another_tenant_sees_no_message,
    e_mail_opt_ins_are_off_until_chosen_and_audited,
);

const LEASE: Duration = Duration::minutes(5);
const SETTINGS: MailSettings = MailSettings { reminder_days: 2 };

struct World {
    store: Arc<dyn Store>,
    engine: Engine,
    clock: Arc<ManualClock>,
    tenant: Tenant,
    unit: Unit,
    /// Opted in to every kind.
    owner: UserId,
    /// Opted in to new requests only.
    staff: UserId,
    /// Opted in to nothing.
    admin: UserId,
    /// Opted in, but a viewer.
    viewer: UserId,
    /// Opted in, but disabled.
    disabled: UserId,
}

async fn opt_in(store: &dyn Store, tenant: &Tenant, user: UserId, all: bool) {
    store
        .update_notification_settings(
            tenant.id,
            user,
            NotificationSettingsPatch {
                email_new_request: Some(true),
                email_canceled: Some(all),
                email_no_show: Some(all),
                ..Default::default()
            },
            &Actor::User(user),
            support::start_instant(),
        )
        .await
        .unwrap();
}

async fn world_of(store: Arc<dyn Store>, slug: &str) -> World {
    let (engine, clock) = support::engine(store.clone());
    let tenant = support::tenant(&*store, slug).await;
    let unit = support::unit(&*store, &tenant, "Birch", 10, 4).await;
    let owner = support::user(&*store, tenant.id, Role::Owner, "owner").await;
    let staff = support::user(&*store, tenant.id, Role::Staff, "staff").await;
    let admin = support::user(&*store, tenant.id, Role::Admin, "admin").await;
    let viewer = support::user(&*store, tenant.id, Role::Viewer, "viewer").await;
    let disabled = support::user(&*store, tenant.id, Role::Staff, "gone").await;
    opt_in(&*store, &tenant, owner, true).await;
    opt_in(&*store, &tenant, staff, false).await;
    opt_in(&*store, &tenant, viewer, true).await;
    opt_in(&*store, &tenant, disabled, true).await;
    store
        .update_user(
            tenant.id,
            disabled,
            UserPatch {
                disabled: Some(true),
                ..Default::default()
            },
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    let w = World {
        store,
        engine,
        clock,
        tenant,
        unit,
        owner,
        staff,
        admin,
        viewer,
        disabled,
    };
    // The first visit: the position starts here.
    assert_eq!(pump(&w).await, Enqueued::default());
    w
}

async fn world(backend: Backend) -> World {
    world_of(support::fresh_store(backend).await, "alpine-cabins").await
}

/// One enqueue pass over every committed event (on PostgreSQL, once they are
/// all readable).
async fn pump(w: &World) -> Enqueued {
    support::settled_events(&*w.store, w.tenant.id).await;
    w.store
        .enqueue_mail(w.tenant.id, w.clock.now(), SETTINGS, 1_000)
        .await
        .unwrap()
}

/// Every message of the tenant, oldest first.
async fn messages(w: &World) -> Vec<MailMessage> {
    let mut all = w
        .store
        .mail_messages(
            w.tenant.id,
            MailPage {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    all.reverse();
    all
}

/// The messages about `r`, oldest first: (kind, recipient, status).
async fn about(w: &World, r: ReservationId) -> Vec<(MailKind, String, MailStatus)> {
    messages(w)
        .await
        .into_iter()
        .filter(|m| m.reservation_id == r)
        .map(|m| (m.kind, m.recipient.unwrap_or_default(), m.status))
        .collect()
}

fn two() -> Party {
    support::party(2, 1)
}

async fn request(w: &World, email: &str, key: &str) -> Reservation {
    w.engine
        .request_booking(
            w.tenant.id,
            BookingRequest {
                unit_id: w.unit.id,
                period: nights("2026-12-10", "2026-12-13"),
                party: two(),
                guest: support::new_client("Ana Guest", Some(email)),
                message: None,
                request_key: key.into(),
            },
        )
        .await
        .unwrap()
}

async fn book(w: &World, client: NewClient, hold: bool, from: &str, to: &str) -> Reservation {
    w.engine
        .create_reservation(
            w.tenant.id,
            berth_core::engine::CreateReservation {
                client: ClientRef::New(client),
                hold,
                ..support::stay(w.unit.id, from, to)
            },
            &Actor::User(w.staff),
        )
        .await
        .unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn a_public_request_is_followed_through_its_stay(backend: Backend) {
    let w = world(backend).await;
    let r = request(&w, "ana@example.org", "form-1").await;
    assert_eq!(pump(&w).await.deliveries, 3);
    let ana = "ana@example.org".to_owned();
    let owner = "owner@example.org".to_owned();
    let staff = "staff@example.org".to_owned();
    use MailKind as K;
    use MailStatus::Pending as P;
    let mut expected = vec![
        (K::RequestReceived, ana.clone(), P),
        (K::StaffNewRequest, owner.clone(), P),
        (K::StaffNewRequest, staff.clone(), P),
    ];
    let mut got = about(&w, r.id).await;
    got[1..].sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    assert_eq!(got, expected, "not to the admin, the viewer, the disabled");
    let guest_message = &messages(&w).await[0];
    assert_eq!(guest_message.client_id, r.client_id);
    assert_eq!(guest_message.user_id, None);
    assert!(guest_message.event_id.is_some());
    assert_eq!(guest_message.next_attempt_at, Some(w.clock.now()));

    // Staff confirm: the guest hears, and a reminder waits for two days
    // before arrival (15:00 in Oslo, 14:00 UTC).
    w.engine
        .confirm(w.tenant.id, r.id, None, &Actor::User(w.owner))
        .await
        .unwrap();
    assert_eq!(pump(&w).await.deliveries, 2, "{:?}", about(&w, r.id).await);
    expected.push((K::Confirmed, ana.clone(), P));
    expected.push((K::Reminder, ana.clone(), P));
    let reminder = |all: Vec<MailMessage>| {
        all.into_iter()
            .find(|m| m.kind == K::Reminder && m.status == P)
            .unwrap()
    };
    let first = reminder(messages(&w).await);
    assert_eq!(first.next_attempt_at, Some(at("2026-12-08T14:00:00Z")));
    assert_eq!(first.event_id, None);

    // Moved by two days: the guest hears, the reminder moves with the stay.
    w.engine
        .change_period(
            w.tenant.id,
            support::change_period(r.id, nights("2026-12-12", "2026-12-15")),
            &Actor::User(w.owner),
        )
        .await
        .unwrap();
    assert_eq!(pump(&w).await.deliveries, 1);
    expected.insert(expected.len() - 1, (K::PeriodChanged, ana.clone(), P));
    let moved = reminder(messages(&w).await);
    assert_eq!(moved.id, first.id, "the same reminder, moved");
    assert_eq!(moved.next_attempt_at, Some(at("2026-12-10T14:00:00Z")));

    // Notes are not the guest's news.
    w.engine
        .update_reservation_details(
            w.tenant.id,
            r.id,
            DetailsPatch {
                notes: Some(Some("late arrival".into())),
                client_id: None,
            },
            None,
            &Actor::User(w.owner),
        )
        .await
        .unwrap();
    assert_eq!(pump(&w).await.deliveries, 0);

    // Canceled: the guest and the staff who want it hear; the reminder is
    // skipped.
    w.engine
        .cancel(w.tenant.id, r.id, None, None, &Actor::User(w.owner))
        .await
        .unwrap();
    assert_eq!(pump(&w).await.deliveries, 2);
    let got = about(&w, r.id).await;
    let reminder_now = got.iter().find(|m| m.0 == K::Reminder).unwrap();
    assert_eq!(reminder_now.2, MailStatus::Skipped);
    let tail: Vec<_> = got.iter().rev().take(2).cloned().collect();
    assert!(tail.contains(&(K::Canceled, ana.clone(), P)), "{got:?}");
    assert!(
        tail.contains(&(K::StaffCanceled, owner.clone(), P)),
        "{got:?}"
    );
    let skipped = messages(&w)
        .await
        .into_iter()
        .find(|m| m.kind == K::Reminder)
        .unwrap();
    assert_eq!(skipped.last_error.as_deref(), Some("the stay was canceled"));
    assert_eq!(skipped.next_attempt_at, None);
    // Nobody else: the viewer, the admin and the disabled user got nothing.
    for m in messages(&w).await {
        assert!(
            ![Some(w.admin), Some(w.viewer), Some(w.disabled)].contains(&m.user_id),
            "{m:?}"
        );
    }
}

async fn staff_bookings_write_to_guests_with_an_address(backend: Backend) {
    let w = world(backend).await;
    // Booked as confirmed by staff: confirmed at once, with the reminder.
    let booked = book(
        &w,
        support::new_client("Ana", Some("ana@example.org")),
        false,
        "2026-12-10",
        "2026-12-12",
    )
    .await;
    // A hold, later confirmed: the guest hears on confirmation.
    let held = book(
        &w,
        support::new_client("Bo", Some("bo@example.org")),
        true,
        "2026-12-20",
        "2026-12-22",
    )
    .await;
    // No address, and an address berth cannot send to: nothing for them.
    let none = book(
        &w,
        support::new_client("Cy", None),
        false,
        "2026-12-24",
        "2026-12-26",
    )
    .await;
    let bad = book(
        &w,
        support::new_client("Di", Some("di@example.org, eve@example.org")),
        false,
        "2026-12-27",
        "2026-12-29",
    )
    .await;
    pump(&w).await;
    use MailKind as K;
    use MailStatus::Pending as P;
    let ana = "ana@example.org".to_owned();
    assert_eq!(
        about(&w, booked.id).await,
        vec![(K::Confirmed, ana.clone(), P), (K::Reminder, ana, P)]
    );
    assert_eq!(about(&w, held.id).await, vec![]);
    assert_eq!(about(&w, none.id).await, vec![]);
    assert_eq!(about(&w, bad.id).await, vec![]);
    w.engine
        .confirm(w.tenant.id, held.id, None, &Actor::User(w.staff))
        .await
        .unwrap();
    pump(&w).await;
    let bo = "bo@example.org".to_owned();
    assert_eq!(
        about(&w, held.id).await,
        vec![(K::Confirmed, bo.clone(), P), (K::Reminder, bo, P)]
    );
    // A guest message names its client and the reservation as the event left
    // it; a reminder is due at its day, not claimed before.
    let claimed = w
        .store
        .claim_mail(w.tenant.id, w.clock.now(), LEASE, 10)
        .await
        .unwrap();
    let mut kinds: Vec<_> = claimed
        .iter()
        .map(|c| (c.kind, c.recipient.as_str().to_owned()))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            (K::Confirmed, "ana@example.org".to_owned()),
            (K::Confirmed, "bo@example.org".to_owned())
        ]
    );
    let ana_claim = claimed
        .iter()
        .find(|c| c.reservation_id == booked.id)
        .unwrap();
    assert_eq!(ana_claim.recipient_name.as_deref(), Some("Ana"));
    assert_eq!(ana_claim.reservation.id, booked.id);
    assert_eq!(ana_claim.attempt, 1);
    assert!(!ana_claim.final_attempt);
    for c in &claimed {
        let sent = report(c, w.clock.now(), MailResult::Sent(250));
        assert!(w.store.finish_mail(w.tenant.id, &sent).await.unwrap());
    }
    // On its day, the reminder is due.
    w.clock.set(at("2026-12-08T14:00:00Z"));
    let due = w
        .store
        .claim_mail(w.tenant.id, w.clock.now(), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|c| c.kind).collect::<Vec<_>>(),
        vec![K::Reminder],
        "the reminder of Ana's stay"
    );
    assert_eq!(due[0].reservation_id, booked.id);
}

async fn holds_never_told_and_no_shows_reach_only_staff(backend: Backend) {
    let w = world(backend).await;
    // A staff hold the guest was never told of, canceled: staff only.
    let hold = book(
        &w,
        support::new_client("Ana", Some("ana@example.org")),
        true,
        "2026-12-10",
        "2026-12-12",
    )
    .await;
    w.engine
        .cancel(w.tenant.id, hold.id, None, None, &Actor::User(w.staff))
        .await
        .unwrap();
    pump(&w).await;
    use MailKind as K;
    use MailStatus::Pending as P;
    assert_eq!(
        about(&w, hold.id).await,
        vec![(K::StaffCanceled, "owner@example.org".to_owned(), P)]
    );
    // A stay tomorrow (too soon for a reminder), then a no-show.
    let stay = book(
        &w,
        support::new_client("Bo", Some("bo@example.org")),
        false,
        "2026-11-03",
        "2026-11-05",
    )
    .await;
    pump(&w).await;
    w.clock.set(at("2026-11-03T22:00:00Z"));
    let absent = w.engine.mark_no_shows(w.tenant.id).await.unwrap();
    assert_eq!(absent.len(), 1);
    pump(&w).await;
    assert_eq!(
        about(&w, stay.id).await,
        vec![
            (K::Confirmed, "bo@example.org".to_owned(), P),
            (K::StaffNoShow, "owner@example.org".to_owned(), P)
        ]
    );
}

async fn stale_events_and_a_first_visit_mail_nothing_old(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let unit = support::unit(&*store, &tenant, "Birch", 3, 4).await;
    let book = |from: &'static str, to: &'static str| {
        let engine = engine.clone();
        let tenant = tenant.id;
        let unit = unit.id;
        async move {
            engine
                .create_reservation(
                    tenant,
                    berth_core::engine::CreateReservation {
                        client: ClientRef::New(support::new_client("Ana", Some("ana@example.org"))),
                        ..support::stay(unit, from, to)
                    },
                    &Actor::System,
                )
                .await
                .unwrap()
        }
    };
    // Booked before the worker's first visit: never mailed.
    let before = book("2026-12-10", "2026-12-12").await;
    support::settled_events(&*store, tenant.id).await;
    let first = store
        .enqueue_mail(tenant.id, clock.now(), SETTINGS, 1_000)
        .await
        .unwrap();
    assert_eq!(
        first,
        Enqueued::default(),
        "the first visit starts at the end"
    );
    // Booked now but queued more than a day later: nothing either.
    let late = book("2026-12-14", "2026-12-16").await;
    clock.advance(STALE_AFTER + Duration::minutes(1));
    support::settled_events(&*store, tenant.id).await;
    let pass = store
        .enqueue_mail(tenant.id, clock.now(), SETTINGS, 1_000)
        .await
        .unwrap();
    assert_eq!(pass.deliveries, 0);
    assert!(pass.events >= 1, "the position still moves on");
    let all = store
        .mail_messages(
            tenant.id,
            MailPage {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        all.iter()
            .all(|m| m.reservation_id != before.id && m.reservation_id != late.id),
        "{all:?}"
    );
    // A new tenant is visited too.
    let other = support::tenant(&*store, "harbor-hotel").await;
    assert!(store.mail_tenants().await.unwrap().contains(&other.id));
}

async fn each_event_is_queued_once_however_many_enqueuers_run(backend: Backend) {
    let w = world(backend).await;
    for i in 0..6 {
        request(&w, &format!("guest{i}@example.org"), &format!("form-{i}")).await;
    }
    support::settled_events(&*w.store, w.tenant.id).await;
    let runs = (0..4).map(|_| {
        let store = w.store.clone();
        let tenant = w.tenant.id;
        let now = w.clock.now();
        tokio::spawn(async move {
            let mut queued = 0;
            for _ in 0..3 {
                queued += store
                    .enqueue_mail(tenant, now, SETTINGS, 2)
                    .await
                    .unwrap()
                    .deliveries;
            }
            queued
        })
    });
    let mut total = 0;
    for run in runs {
        total += run.await.unwrap();
    }
    // Whatever the passes left (limit 2 each), one more finishes.
    while pump(&w).await.more {}
    let all = messages(&w).await;
    // Each request: the guest, the owner, the staff user.
    assert_eq!(all.len(), 18, "{all:?}");
    assert!(total <= 18);
    let mut keys: Vec<_> = all
        .iter()
        .map(|m| (m.event_id, m.recipient.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 18);
    assert_eq!(pump(&w).await.deliveries, 0);
}

async fn two_claimers_never_claim_the_same_message(backend: Backend) {
    let w = world(backend).await;
    for i in 0..6 {
        request(&w, &format!("guest{i}@example.org"), &format!("form-{i}")).await;
    }
    pump(&w).await;
    let runs = (0..4).map(|_| {
        let store = w.store.clone();
        let tenant = w.tenant.id;
        let now = w.clock.now();
        tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let claimed = store.claim_mail(tenant, now, LEASE, 2).await.unwrap();
                if claimed.is_empty() {
                    return ids;
                }
                ids.extend(claimed.into_iter().map(|c| c.id));
            }
        })
    });
    let mut all = Vec::new();
    for run in runs {
        all.extend(run.await.unwrap());
    }
    assert_eq!(all.len(), 18);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 18, "each message claimed once");
}

fn report(c: &ClaimedMail, at: DateTime<Utc>, result: MailResult) -> MailReport {
    MailReport::new(c, at, Some(format!("About {}", c.kind)), result, 500)
}

async fn claim(w: &World) -> Vec<ClaimedMail> {
    w.store
        .claim_mail(w.tenant.id, w.clock.now(), LEASE, 10)
        .await
        .unwrap()
}

async fn one_message(w: &World, id: MailId) -> MailMessage {
    w.store
        .mail_message(w.tenant.id, id)
        .await
        .unwrap()
        .unwrap()
}

async fn attempts_retry_fail_and_lapse_under_leases(backend: Backend) {
    let w = world(backend).await;
    request(&w, "ana@example.org", "form-1").await;
    pump(&w).await;
    let claimed = claim(&w).await;
    assert_eq!(claimed.len(), 3);
    assert!(claim(&w).await.is_empty(), "leased: not claimed twice");
    let [guest_mail, owner_mail, staff_mail] = [0, 1, 2].map(|i| claimed[i].clone());

    // A temporary refusal: retried a minute later, then sent.
    let temporary = MailResult::Temporary {
        code: Some(421),
        error: "try later".into(),
    };
    let now = w.clock.now();
    assert!(
        w.store
            .finish_mail(w.tenant.id, &report(&guest_mail, now, temporary))
            .await
            .unwrap()
    );
    let m = one_message(&w, guest_mail.id).await;
    assert_eq!(m.status, MailStatus::Pending);
    assert_eq!(m.next_attempt_at, Some(now + Duration::minutes(1)));
    assert_eq!(m.subject.as_deref(), Some("About request_received"));
    // A permanent refusal fails at once.
    let permanent = MailResult::Permanent {
        code: Some(550),
        error: "no such mailbox".into(),
    };
    assert!(
        w.store
            .finish_mail(w.tenant.id, &report(&owner_mail, now, permanent))
            .await
            .unwrap()
    );
    assert_eq!(
        one_message(&w, owner_mail.id).await.status,
        MailStatus::Failed
    );

    w.clock.advance(Duration::minutes(1));
    let again = claim(&w).await;
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempt), (guest_mail.id, 2));
    let now = w.clock.now();
    assert!(
        w.store
            .finish_mail(w.tenant.id, &report(&again[0], now, MailResult::Sent(250)))
            .await
            .unwrap()
    );
    let sent = one_message(&w, guest_mail.id).await;
    assert_eq!(sent.status, MailStatus::Sent);
    assert_eq!(sent.next_attempt_at, None);
    assert_eq!(sent.last_error, None);
    assert_eq!(
        sent.attempt_log
            .iter()
            .map(|a| (a.attempt, a.smtp_code))
            .collect::<Vec<_>>(),
        vec![(1, Some(421)), (2, Some(250))]
    );
    assert_eq!(sent.attempt_log[0].error.as_deref(), Some("try later"));

    // The staff user's attempt lapses unreported: taken again once the lease
    // ends, and the first worker's late report is refused (but logged).
    w.clock.advance(LEASE);
    let retaken = claim(&w).await;
    assert_eq!(retaken.len(), 1);
    assert_eq!((retaken[0].id, retaken[0].attempt), (staff_mail.id, 2));
    let late = report(&staff_mail, w.clock.now(), MailResult::Sent(250));
    assert!(!w.store.finish_mail(w.tenant.id, &late).await.unwrap());
    let m = one_message(&w, staff_mail.id).await;
    assert_eq!(m.status, MailStatus::Pending);
    assert_eq!(m.attempt_log.len(), 1);

    // Attempt after attempt fails: the last one is final and fails it.
    let mut current = retaken[0].clone();
    loop {
        let now = w.clock.now();
        let fail = MailResult::Temporary {
            code: None,
            error: "connection refused".into(),
        };
        let r = report(&current, now, fail);
        assert!(w.store.finish_mail(w.tenant.id, &r).await.unwrap());
        if current.final_attempt {
            break;
        }
        w.clock.advance(Duration::hours(5));
        let next = claim(&w).await;
        assert_eq!(next.len(), 1);
        current = next[0].clone();
    }
    assert_eq!(current.attempt, MAX_ATTEMPTS);
    let failed = one_message(&w, staff_mail.id).await;
    assert_eq!(failed.status, MailStatus::Failed);
    assert_eq!(failed.attempts, MAX_ATTEMPTS);

    // A final attempt that lapses unreported fails the message.
    let r = request(&w, "bo@example.org", "form-2").await;
    pump(&w).await;
    let mut pending: Vec<_> = claim(&w).await;
    pending.retain(|c| c.reservation_id == r.id && c.kind == MailKind::RequestReceived);
    let mut current = pending.pop().unwrap();
    while !current.final_attempt {
        w.clock.advance(LEASE);
        current = claim(&w)
            .await
            .into_iter()
            .find(|c| c.id == current.id)
            .unwrap();
    }
    w.clock.advance(LEASE);
    claim(&w).await;
    let lapsed = one_message(&w, current.id).await;
    assert_eq!(lapsed.status, MailStatus::Failed);
    assert_eq!(lapsed.last_error.as_deref(), Some("no outcome recorded"));
}

async fn messages_are_resent_with_an_audit_entry_and_pruned(backend: Backend) {
    let w = world(backend).await;
    request(&w, "ana@example.org", "form-1").await;
    pump(&w).await;
    let claimed = claim(&w).await;
    let guest_mail = claimed
        .iter()
        .find(|c| c.kind == MailKind::RequestReceived)
        .unwrap()
        .clone();
    let pending = claimed.iter().find(|c| c.id != guest_mail.id).unwrap().id;
    let actor = Actor::User(w.owner);
    // Pending: nothing to resend.
    let err = w
        .engine
        .resend_mail(w.tenant.id, pending, &actor)
        .await
        .unwrap_err();
    assert_eq!(err.code(), berth_core::ErrorCode::Conflict, "{err}");
    let missing = w
        .engine
        .resend_mail(w.tenant.id, MailId::new(), &actor)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), berth_core::ErrorCode::NotFound);
    // Sent: once more, due now, its attempt log going on.
    let now = w.clock.now();
    w.store
        .finish_mail(
            w.tenant.id,
            &report(&guest_mail, now, MailResult::Sent(250)),
        )
        .await
        .unwrap();
    w.clock.advance(Duration::minutes(5));
    let resent = w
        .engine
        .resend_mail(w.tenant.id, guest_mail.id, &actor)
        .await
        .unwrap();
    assert_eq!(resent.status, MailStatus::Pending);
    assert_eq!(resent.next_attempt_at, Some(w.clock.now()));
    let entries = w
        .store
        .audit_log(w.tenant.id, &AuditFilter::default(), None, 100)
        .await
        .unwrap();
    let entry = entries
        .iter()
        .find(|e| e.entity_type == "email" && e.action == "resend")
        .expect("an audit entry");
    assert_eq!(entry.entity_id, guest_mail.id.as_uuid());
    assert_eq!(entry.actor, actor);
    let again = claim(&w).await;
    let extra = again.iter().find(|c| c.id == guest_mail.id).unwrap();
    assert_eq!((extra.attempt, extra.final_attempt), (2, true));
    let fail = MailResult::Temporary {
        code: Some(451),
        error: "greylisted".into(),
    };
    w.store
        .finish_mail(w.tenant.id, &report(extra, w.clock.now(), fail))
        .await
        .unwrap();
    let m = one_message(&w, guest_mail.id).await;
    assert_eq!(
        m.status,
        MailStatus::Failed,
        "the extra attempt was the last"
    );
    assert_eq!(m.attempt_log.len(), 2);

    // Pruning takes finished messages (with their attempts) only.
    let cut = w.clock.now() + Duration::seconds(1);
    let pruned = w.store.prune_mail(w.tenant.id, cut, 100).await.unwrap();
    assert_eq!(pruned, 1);
    assert!(
        w.store
            .mail_message(w.tenant.id, guest_mail.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(messages(&w).await.len(), 2, "the pending ones stay");
    assert_eq!(w.store.prune_mail(w.tenant.id, cut, 100).await.unwrap(), 0);
}

async fn another_tenant_sees_no_message(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let w = world_of(store.clone(), "alpine-cabins").await;
    let other = world_of(store, "harbor-hotel").await;
    request(&w, "ana@example.org", "form-1").await;
    pump(&w).await;
    let mine = messages(&w).await;
    assert_eq!(mine.len(), 3);
    assert!(messages(&other).await.is_empty());
    assert_eq!(pump(&other).await.deliveries, 0);
    assert!(claim(&other).await.is_empty());
    assert!(
        other
            .store
            .mail_message(other.tenant.id, mine[0].id)
            .await
            .unwrap()
            .is_none()
    );
    let err = other
        .engine
        .resend_mail(other.tenant.id, mine[0].id, &Actor::System)
        .await
        .unwrap_err();
    assert_eq!(err.code(), berth_core::ErrorCode::NotFound);
    // A report under another tenant changes nothing.
    let claimed = claim(&w).await;
    let r = report(&claimed[0], w.clock.now(), MailResult::Sent(250));
    let wrong = other.store.finish_mail(other.tenant.id, &r).await;
    assert!(!wrong.unwrap());
    assert_eq!(
        one_message(&w, claimed[0].id).await.status,
        MailStatus::Pending
    );
}

async fn e_mail_opt_ins_are_off_until_chosen_and_audited(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let ana = support::user(&*store, tenant.id, Role::Staff, "ana").await;
    let fresh = store.notification_settings(tenant.id, ana).await.unwrap();
    assert!(!fresh.email_new_request && !fresh.email_canceled && !fresh.email_no_show);
    assert!(fresh.reservation_created, "push stays on by default");
    let after = store
        .update_notification_settings(
            tenant.id,
            ana,
            NotificationSettingsPatch {
                email_canceled: Some(true),
                ..Default::default()
            },
            &Actor::User(ana),
            support::start_instant(),
        )
        .await
        .unwrap();
    assert!(after.email_canceled && !after.email_new_request);
    assert_eq!(
        store.notification_settings(tenant.id, ana).await.unwrap(),
        after
    );
    let audit = store.audit_entries(tenant.id, ana.as_uuid()).await.unwrap();
    let update = audit
        .iter()
        .find(|a| a.entity_type == "notification_settings")
        .unwrap();
    assert_eq!(
        update.metadata,
        serde_json::json!({
            "before": { "email_canceled": false },
            "after": { "email_canceled": true },
        })
    );
}
