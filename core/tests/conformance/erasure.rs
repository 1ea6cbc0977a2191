//! Client erasure: a client's personal data leaves its row, its reservations,
//! their events and their audit entries in one transaction, while the
//! bookings and who-did-what-when stay; refused while a stay is active, and
//! once done, for good; clients inactive for the retention period are erased
//! by the system.

use berth_core::audit::Actor;
use berth_core::client::{Client, ClientPatch, NewClient};
use berth_core::engine::CreateReservation;
use berth_core::erasure::{ERASED, ErasureReport};
use berth_core::ids::ClientId;
use berth_core::reservation::Reservation;
use berth_core::state::ReservationState;
use berth_core::store::{ClientRef, Store};
use berth_core::tenant::Tenant;
use berth_core::{Engine, ErrorCode};

use crate::support::{self, Backend, staff};

on_both_stores!(
    erasure_blanks_the_guests_mail_and_skips_what_was_pending,
    erasure_removes_personal_data_everywhere_and_keeps_the_bookings,
    erasure_is_refused_while_a_stay_is_active_and_final_once_done,
    an_erasure_and_a_booking_for_the_client_never_both_win,
    clients_inactive_for_the_retention_period_are_erased_by_the_system,
);

/// Personal data that must not survive an erasure anywhere.
const SECRETS: &[&str] = &[
    "Ada Lovelace",
    "Ada King",
    "ada@example.org",
    "+47 912 34 567",
    "prefers the sauna cabin",
    "celiac, bring gluten-free bread",
    "her father fell ill",
];

async fn ada(engine: &Engine, tenant: &Tenant) -> Client {
    let client = engine
        .create_client(
            tenant.id,
            NewClient {
                name: "Ada Lovelace".into(),
                email: Some("ada@example.org".into()),
                phone: Some("+47 912 34 567".into()),
                notes: Some("prefers the sauna cabin".into()),
                blocked: false,
            },
            &staff(),
        )
        .await
        .unwrap();
    // A change, so that the history has a before and an after.
    engine
        .update_client(
            tenant.id,
            client.id,
            ClientPatch {
                name: Some("Ada King".into()),
                ..ClientPatch::default()
            },
            &staff(),
        )
        .await
        .unwrap()
}

async fn book_for(
    engine: &Engine,
    tenant: &Tenant,
    unit: berth_core::ids::UnitId,
    client: ClientId,
    (from, to): (&str, &str),
    notes: &str,
) -> Reservation {
    engine
        .create_reservation(
            tenant.id,
            CreateReservation {
                client: ClientRef::Existing(client),
                notes: Some(notes.into()),
                ..support::stay(unit, from, to)
            },
            &staff(),
        )
        .await
        .unwrap()
}

/// Everything the tenant's events and its entities' audit entries say, as text.
async fn history(store: &dyn Store, tenant: &Tenant, entities: &[uuid::Uuid]) -> String {
    let mut text = String::new();
    for event in support::settled_events(store, tenant.id).await {
        text.push_str(&event.payload.to_string());
    }
    for entity in entities {
        for entry in store.audit_entries(tenant.id, *entity).await.unwrap() {
            text.push_str(&entry.metadata.to_string());
        }
    }
    text
}

async fn erasure_removes_personal_data_everywhere_and_keeps_the_bookings(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let client = ada(&engine, &tenant).await;
    let stay = (
        ("2026-12-10", "2026-12-13"),
        "celiac, bring gluten-free bread",
    );
    let first = book_for(&engine, &tenant, cabin.id, client.id, stay.0, stay.1).await;
    let second = book_for(
        &engine,
        &tenant,
        cabin.id,
        client.id,
        ("2026-12-20", "2026-12-22"),
        "celiac, bring gluten-free bread",
    )
    .await;
    for r in [&first, &second] {
        engine
            .cancel(
                tenant.id,
                r.id,
                Some("her father fell ill".into()),
                None,
                &staff(),
            )
            .await
            .unwrap();
    }
    // Another guest's booking, with notes of its own: untouched.
    let other = engine
        .create_reservation(
            tenant.id,
            CreateReservation {
                client: ClientRef::New(support::new_client(
                    "Grace Hopper",
                    Some("grace@example.org"),
                )),
                notes: Some("late arrival".into()),
                ..support::stay(cabin.id, "2026-12-10", "2026-12-13")
            },
            &staff(),
        )
        .await
        .unwrap();
    let entities = [client.id.as_uuid(), first.id.as_uuid(), second.id.as_uuid()];
    let before = history(&*store, &tenant, &entities).await;
    let events_before = support::settled_events(&*store, tenant.id).await.len();
    assert!(
        SECRETS.iter().all(|s| before.contains(s)),
        "the history held every secret before: {before}"
    );

    let admin = staff();
    let (erased, report) = engine
        .erase_client(tenant.id, client.id, &admin)
        .await
        .unwrap();
    assert_eq!(erased.id, client.id);
    assert_eq!(erased.name, ERASED);
    assert_eq!(
        (&erased.email, &erased.phone, &erased.notes),
        (&None, &None, &None)
    );
    assert!(erased.archived);
    assert_eq!(erased.erased_at, Some(support::start_instant()));
    assert_eq!(
        store.client(tenant.id, client.id).await.unwrap(),
        Some(erased.clone()),
        "what the store keeps is what erase_client answered"
    );
    // The client's history: created and updated (an event and an entry each);
    // each reservation's: created and canceled (an event and an entry each).
    assert_eq!(
        report,
        ErasureReport {
            reservations: 2,
            audit_entries: 6,
            events: 6,
        }
    );

    let after = history(&*store, &tenant, &entities).await;
    for secret in SECRETS {
        assert!(!after.contains(secret), "`{secret}` survived: {after}");
    }
    assert!(after.contains(ERASED));
    // The bookings stay, without their notes; the other guest's are untouched.
    for r in [&first, &second] {
        let kept = store.reservation(tenant.id, r.id).await.unwrap().unwrap();
        assert_eq!(kept.notes, None);
        assert_eq!(kept.client_id, Some(client.id));
        assert_eq!(kept.state, ReservationState::Canceled);
        assert_eq!(
            (kept.period, kept.price.clone()),
            (r.period, r.price.clone())
        );
    }
    let other = store
        .reservation(tenant.id, other.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.notes.as_deref(), Some("late arrival"));
    let grace = store
        .client(tenant.id, other.client_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grace.email.as_deref(), Some("grace@example.org"));
    assert!(after.contains("late arrival") && after.contains("Grace Hopper"));

    // The erasure itself is audited and announced, naming no one.
    let entries = store
        .audit_entries(tenant.id, client.id.as_uuid())
        .await
        .unwrap();
    let erase = entries.iter().find(|e| e.action == "erase").unwrap();
    assert_eq!(erase.actor, admin);
    assert_eq!(erase.metadata["redacted"]["events"], 6);
    let events = support::settled_events(&*store, tenant.id).await;
    let last = events.last().unwrap();
    assert_eq!(last.kind.as_str(), "client.erased");
    assert_eq!(last.entity_id, client.id.as_uuid());
    assert_eq!(last.payload["name"], ERASED);
    // The event stream keeps its length (nothing was deleted) and its order.
    assert_eq!(events.len(), events_before + 1);
    let cursors: Vec<_> = events.iter().map(|e| e.cursor).collect();
    assert_eq!(cursors, {
        let mut sorted = cursors.clone();
        sorted.sort();
        sorted
    });
}

async fn erasure_is_refused_while_a_stay_is_active_and_final_once_done(backend: Backend) {
    let (engine, store, tenant, _) = support::world(backend).await.parts();
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let client = ada(&engine, &tenant).await;
    let stay = book_for(
        &engine,
        &tenant,
        cabin.id,
        client.id,
        ("2026-12-10", "2026-12-13"),
        "celiac, bring gluten-free bread",
    )
    .await;
    let events = support::settled_events(&*store, tenant.id).await.len();

    // A confirmed stay is still being served: nothing is erased.
    let err = engine
        .erase_client(tenant.id, client.id, &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert!(err.to_string().contains("1 active reservation"), "{err}");
    assert_eq!(
        store.client(tenant.id, client.id).await.unwrap().unwrap(),
        client
    );
    assert_eq!(
        support::settled_events(&*store, tenant.id).await.len(),
        events,
        "a refused erasure writes nothing"
    );
    // Another tenant cannot even find the client.
    let err = engine
        .erase_client(harbor.id, client.id, &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");

    engine
        .cancel(tenant.id, stay.id, None, None, &staff())
        .await
        .unwrap();
    engine
        .erase_client(tenant.id, client.id, &staff())
        .await
        .unwrap();

    // Once erased: not again, not changed, not booked.
    let err = engine
        .erase_client(tenant.id, client.id, &staff())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    assert!(
        err.to_string().contains("was erased on 2026-11-02"),
        "{err}"
    );
    let err = engine
        .update_client(
            tenant.id,
            client.id,
            ClientPatch {
                email: Some(Some("ada@example.org".into())),
                archived: Some(false),
                ..ClientPatch::default()
            },
            &staff(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    let err = engine
        .create_reservation(
            tenant.id,
            CreateReservation {
                client: ClientRef::Existing(client.id),
                ..support::stay(cabin.id, "2027-01-10", "2027-01-12")
            },
            &staff(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "{err}");
    let kept = store.client(tenant.id, client.id).await.unwrap().unwrap();
    assert_eq!((kept.name.as_str(), kept.email), (ERASED, None));
}

async fn an_erasure_and_a_booking_for_the_client_never_both_win(backend: Backend) {
    let store = support::fresh_store(backend).await;
    let (engine, _clock) = support::engine(store.clone());
    let engine = std::sync::Arc::new(engine);
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    for round in 0..20 {
        let cabin = support::unit(&*store, &tenant, &format!("Cabin {round}"), 1, 4).await;
        let client = ada(&engine, &tenant).await;
        let book = {
            let (engine, tenant) = (engine.clone(), tenant.id);
            tokio::spawn(async move {
                engine
                    .create_reservation(
                        tenant,
                        CreateReservation {
                            client: ClientRef::Existing(client.id),
                            ..support::stay(cabin.id, "2026-12-10", "2026-12-13")
                        },
                        &staff(),
                    )
                    .await
            })
        };
        let erase = {
            let (engine, tenant) = (engine.clone(), tenant.id);
            tokio::spawn(async move { engine.erase_client(tenant, client.id, &staff()).await })
        };
        let (booked, erased) = (book.await.unwrap(), erase.await.unwrap());
        assert!(
            !(booked.is_ok() && erased.is_ok()),
            "round {round}: the client was booked and erased"
        );
        assert!(
            booked.is_ok() || erased.is_ok(),
            "round {round}: one of them wins: {booked:?} {erased:?}"
        );
        let kept = store.client(tenant.id, client.id).await.unwrap().unwrap();
        assert_eq!(kept.erased_at.is_some(), erased.is_ok());
    }
}

async fn clients_inactive_for_the_retention_period_are_erased_by_the_system(backend: Backend) {
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let harbor = support::tenant(&*store, "harbor-hotel").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let named = |name: &str| support::new_client(name, None);
    let client = |name: &'static str, t: berth_core::ids::TenantId| {
        let engine = engine.clone();
        async move {
            engine
                .create_client(t, named(name), &staff())
                .await
                .unwrap()
                .id
        }
    };
    let book = |id: ClientId, from: &'static str, to: &'static str| {
        let engine = engine.clone();
        async move {
            engine
                .create_reservation(
                    tenant.id,
                    CreateReservation {
                        client: ClientRef::Existing(id),
                        ..support::stay(cabin.id, from, to)
                    },
                    &staff(),
                )
                .await
                .unwrap()
        }
    };
    // Created 2026-11-02 (the clock's start).
    let stayed_long_ago = client("Stayed in December", tenant.id).await;
    let stayed = book(stayed_long_ago, "2026-12-10", "2026-12-12").await;
    engine
        .check_in(tenant.id, stayed.id, None, &staff())
        .await
        .unwrap();
    engine
        .check_out(tenant.id, stayed.id, None, &staff())
        .await
        .unwrap();
    let never_booked = client("Asked for a brochure", tenant.id).await;
    let comes_back = client("Stayed in June", tenant.id).await;
    let late = book(comes_back, "2027-06-01", "2027-06-03").await;
    engine
        .check_in(tenant.id, late.id, None, &staff())
        .await
        .unwrap();
    engine
        .check_out(tenant.id, late.id, None, &staff())
        .await
        .unwrap();
    let still_confirmed = client("Never checked out", tenant.id).await;
    book(still_confirmed, "2026-12-20", "2026-12-22").await;
    let changed = client("Changed recently", tenant.id).await;
    let elsewhere = client("Another tenant's", harbor.id).await;

    // A year later, with a retention of 180 days (so the cutoff is
    // 2027-05-06): gone are the December guest and the brochure client.
    clock.set("2027-11-02T09:00:00Z".parse().unwrap());
    engine
        .update_client(
            tenant.id,
            changed,
            ClientPatch {
                phone: Some(Some("+47 22 00 00 00".into())),
                ..ClientPatch::default()
            },
            &staff(),
        )
        .await
        .unwrap();
    let keep = chrono::Duration::days(180);
    let erased = engine
        .erase_inactive_clients(tenant.id, keep)
        .await
        .unwrap();
    let state = |id: ClientId| {
        let store = store.clone();
        let t = if id == elsewhere {
            harbor.id
        } else {
            tenant.id
        };
        async move {
            store
                .client(t, id)
                .await
                .unwrap()
                .unwrap()
                .erased_at
                .is_some()
        }
    };
    assert!(state(stayed_long_ago).await, "its last stay ended long ago");
    assert!(state(never_booked).await, "never booked, created long ago");
    assert!(!state(comes_back).await, "its stay ended within the period");
    assert!(
        !state(still_confirmed).await,
        "an active reservation holds it"
    );
    assert!(!state(changed).await, "changed within the period");
    assert!(!state(elsewhere).await, "another tenant's is not touched");
    assert_eq!(erased, 2);
    // By the system, audited as an erasure.
    let entries = store
        .audit_entries(tenant.id, never_booked.as_uuid())
        .await
        .unwrap();
    let erase = entries.iter().find(|e| e.action == "erase").unwrap();
    assert_eq!(erase.actor, Actor::System);
    assert_eq!(late.client_id, Some(comes_back));
    // Nothing left to do.
    assert_eq!(
        engine
            .erase_inactive_clients(tenant.id, keep)
            .await
            .unwrap(),
        0
    );
}

async fn erasure_blanks_the_guests_mail_and_skips_what_was_pending(backend: Backend) {
    use berth_core::clock::Clock as _;
    use berth_core::mail::{MailPage, MailReport, MailResult, MailSettings, MailStatus};
    let (engine, store, tenant, clock) = support::world(backend).await.parts();
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let settings = MailSettings::default();
    let pump = || async {
        support::settled_events(&*store, tenant.id).await;
        store
            .enqueue_mail(tenant.id, clock.now(), settings, 1_000)
            .await
            .unwrap()
    };
    pump().await;
    // An owner who wants to hear of cancellations.
    let owner = store
        .create_user(
            tenant.id,
            berth_core::user::NewUser {
                email: "owner@example.org".parse().unwrap(),
                role: berth_core::user::Role::Owner,
                password_hash: "unused".into(),
            },
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    store
        .update_notification_settings(
            tenant.id,
            owner.id,
            berth_core::push::NotificationSettingsPatch {
                email_canceled: Some(true),
                ..Default::default()
            },
            &Actor::System,
            support::start_instant(),
        )
        .await
        .unwrap();
    let client = ada(&engine, &tenant).await;
    let stay = book_for(
        &engine,
        &tenant,
        cabin.id,
        client.id,
        ("2026-12-10", "2026-12-13"),
        "celiac, bring gluten-free bread",
    )
    .await;
    pump().await;
    // The confirmation is sent; the cancellation waits when she is erased.
    let claimed = store
        .claim_mail(tenant.id, clock.now(), chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        claimed[0].reservation.notes.as_deref(),
        Some("celiac, bring gluten-free bread")
    );
    let sent = MailReport::new(&claimed[0], clock.now(), None, MailResult::Sent(250), 0);
    assert!(store.finish_mail(tenant.id, &sent).await.unwrap());
    engine
        .cancel(tenant.id, stay.id, None, None, &staff())
        .await
        .unwrap();
    pump().await;
    engine
        .erase_client(tenant.id, client.id, &staff())
        .await
        .unwrap();
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
    let guest_mail: Vec<_> = all.iter().filter(|m| m.client_id.is_some()).collect();
    let statuses: Vec<_> = guest_mail
        .iter()
        .map(|m| (m.kind.as_str(), m.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("canceled", MailStatus::Skipped),
            ("reminder", MailStatus::Skipped),
            ("confirmed", MailStatus::Sent),
        ]
    );
    assert!(guest_mail.iter().all(|m| m.recipient.is_none()), "{all:?}");
    assert_eq!(
        guest_mail[0].last_error.as_deref(),
        Some("the guest's data was erased")
    );
    // Nothing of hers is claimed, nor sent again; the owner's message about
    // her cancellation still goes, its snapshot without her notes.
    let claimed = store
        .claim_mail(tenant.id, clock.now(), chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].recipient.as_str(), "owner@example.org");
    assert_eq!(claimed[0].reservation.notes.as_deref(), Some(ERASED));
    let again = engine
        .resend_mail(tenant.id, guest_mail[2].id, &staff())
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict);
    let text = format!("{all:?}{claimed:?}");
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
