//! PostgreSQL's second walls, tested past the store with raw SQL: the exclusion
//! constraint refuses overlapping active reservations of an inventory-1 unit even
//! when a writer bypasses the engine, and row-level security shows a session only
//! the rows of the tenant its transaction names (and nothing when it names none).
//!
//! Every PostgreSQL test connects as `berth_core::testing::APP_ROLE`, a role that
//! row-level security applies to, so the rest of the suite passing on PostgreSQL
//! is the proof that the store names the tenant in every transaction.

use std::sync::Arc;

use berth_core::api_key::NewApiKey;
use berth_core::audit::Actor;
use berth_core::ids::ApiKeyId;
use berth_core::policy::{Party, PeriodRequest};
use berth_core::store::AccountStore;
use berth_core::store::EventStore;
use berth_core::store::ProfileStore as _;
use berth_core::store::UnitStore;
use berth_core::store::{AnalyticsStore, ClientRef, PostgresStore};
use berth_core::tenant::Tenant;
use berth_core::testing::admin_url_of;
use berth_core::user::{NewUser, Role};
use sqlx::{Connection, PgConnection};

use crate::support::{self, Backend};

/// The tables that carry a `tenant_id`: all of them must be guarded.
const TENANT_TABLES: [&str; 27] = [
    "api_keys",
    "audit_log",
    "calendar_blocks",
    "calendar_syncs",
    "clients",
    "event_retention",
    "events",
    "ical_feeds",
    "locks",
    "mail_attempts",
    "mail_messages",
    "notification_settings",
    "policy_versions",
    "push_deliveries",
    "push_subscriptions",
    "reservations",
    "tenant_picture_variants",
    "tenant_pictures",
    "tenant_profiles",
    "unit_image_variants",
    "unit_images",
    "units",
    "users",
    "unit_versions",
    "webhook_attempts",
    "webhook_deliveries",
    "webhooks",
];

/// SQLSTATE 42501, raised when a row fails a policy's WITH CHECK.
const INSUFFICIENT_PRIVILEGE: &str = "42501";

fn one_night() -> PeriodRequest {
    support::nights("2026-12-10", "2026-12-12")
}

fn one_guest() -> Party {
    support::party(1, 1)
}

/// Names `tenant` for the rest of the session (for raw connections in tests; the
/// store sets it per transaction).
async fn set_tenant(conn: &mut PgConnection, tenant: &str) {
    sqlx::query("SELECT set_config('berth.tenant_id', $1, false)")
        .bind(tenant)
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Rows of `table` visible on `conn`, all of them and those of `tenant`.
async fn count(conn: &mut PgConnection, table: &str, tenant: &Tenant) -> (i64, i64) {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*), count(*) FILTER (WHERE tenant_id = $1) FROM {table}"
    )))
    .bind(tenant.id.as_uuid())
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

/// The SQLSTATE of a failed statement.
fn sqlstate(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    let err = result.expect_err("the statement is refused");
    let db = err.as_database_error().expect("a database error");
    db.code().expect("a SQLSTATE").into_owned()
}

#[tokio::test]
async fn exclusion_constraint_refuses_overlaps_that_bypass_the_engine() {
    if !support::available(Backend::Postgres, "exclusion_constraint") {
        return;
    }
    let url = support::fresh_postgres_url().await;
    let store = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let (engine, _) = support::engine(store.clone());
    let tenant = support::tenant(&*store, "alpine-cabins").await;
    let cabin = support::unit(&*store, &tenant, "Birch", 1, 4).await;
    let rooms = support::unit(&*store, &tenant, "Rooms", 2, 2).await;
    for unit_id in [cabin.id, rooms.id] {
        engine
            .create_reservation(
                tenant.id,
                support::admin_booking(unit_id, one_night(), one_guest()),
                &Actor::System,
            )
            .await
            .unwrap();
    }
    // Copy the stored reservation under a new id, as a buggy writer might.
    let duplicate = "INSERT INTO reservations (tenant_id, id, unit_id, state, start_at, end_at, \
        occupied_start, occupied_end, quantity, guests, channel, version, created_at, updated_at, exclusive) \
        SELECT tenant_id, gen_random_uuid(), unit_id, state, start_at + interval '1 day', \
        end_at + interval '1 day', occupied_start + interval '1 day', occupied_end + interval '1 day', \
        quantity, guests, channel, 1, created_at, updated_at, exclusive \
        FROM reservations WHERE unit_id = $1";
    let mut conn = PgConnection::connect(&url).await.unwrap();
    set_tenant(&mut conn, &tenant.id.to_string()).await;
    let err = sqlx::query(duplicate)
        .bind(cabin.id.as_uuid())
        .execute(&mut conn)
        .await
        .expect_err("the exclusion constraint refuses the overlap");
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.constraint(), Some("reservations_exclusive_no_overlap"));
    // Units with more inventory are guarded by the engine's count, not the constraint.
    let copied = sqlx::query(duplicate)
        .bind(rooms.id.as_uuid())
        .execute(&mut conn)
        .await
        .expect("inventory-2 rows are not exclusive");
    assert_eq!(copied.rows_affected(), 1);
}

#[tokio::test]
async fn row_level_security_shows_a_session_only_its_tenants_rows() {
    if !support::available(Backend::Postgres, "row_level_security") {
        return;
    }
    let url = support::fresh_postgres_url().await;
    let store = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let (engine, _) = support::engine(store.clone());
    // Two tenants with rows in every tenant-owned table, written through the store.
    let mut tenants = Vec::new();
    for slug in ["alpine-cabins", "harbor-hotel"] {
        let tenant = support::tenant(&*store, slug).await;
        let unit = support::unit(&*store, &tenant, "Birch", 1, 4).await;
        // The mail worker's first visit: its position starts here.
        use berth_core::store::MailStore as _;
        store
            .enqueue_mail(tenant.id, support::start_instant(), Default::default(), 10)
            .await
            .unwrap();
        engine
            .upload_unit_image(
                tenant.id,
                unit.id,
                berth_core::test_pictures::png(400, 300, 1),
                Some("The lake"),
                &Actor::System,
            )
            .await
            .unwrap();
        let booking = berth_core::engine::CreateReservation {
            client: ClientRef::New(support::new_client("Ada Lovelace", Some("ada@example.org"))),
            ..support::admin_booking(unit.id, one_night(), one_guest())
        };
        engine
            .create_reservation(tenant.id, booking, &Actor::System)
            .await
            .unwrap();
        engine
            .for_session("ws:guard".parse().unwrap())
            .acquire_lock(
                tenant.id,
                berth_core::lock_commands::LockTarget::Unit {
                    unit_id: unit.id,
                    period: None,
                },
                &Actor::System,
                "guard",
                chrono::Duration::seconds(30),
            )
            .await
            .unwrap();
        // A feed token and an imported block.
        engine
            .rotate_ical_token(tenant.id, unit.id, &Actor::System)
            .await
            .unwrap();
        engine
            .import_calendar(
                tenant.id,
                unit.id,
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261220\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                berth_core::ical::block::BlockSource::default_import(),
                &Actor::System,
            )
            .await
            .unwrap();
        // A calendar sync.
        engine
            .add_calendar_sync(
                tenant.id,
                unit.id,
                "https://calendars.example.org/guard.ics".parse().unwrap(),
                "airbnb".parse().unwrap(),
                berth_core::ical::sync::SyncInterval::DEFAULT,
                &Actor::System,
            )
            .await
            .unwrap();
        let user = NewUser {
            email: "owner@example.org".parse().unwrap(),
            role: Role::Owner,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        };
        let owner = store
            .create_user(tenant.id, user, &Actor::System, support::start_instant())
            .await
            .unwrap();
        use berth_core::store::WebhookStore as _;
        let webhook = berth_core::webhook::NewWebhook {
            url: "https://hooks.example.org/berth".parse().unwrap(),
            events: berth_core::webhook::EventFilters::parse(&["api_key.*"]).unwrap(),
            secret: berth_core::webhook::WebhookSecret::generate(),
        };
        store
            .create_webhook(tenant.id, webhook, &Actor::System, support::start_instant())
            .await
            .unwrap();
        let key = NewApiKey {
            id: ApiKeyId::new(),
            name: "Channel manager".into(),
            role: Role::Staff,
            secret_hash: "ab".repeat(32),
        };
        store
            .create_api_key(tenant.id, key, &Actor::System, support::start_instant())
            .await
            .unwrap();
        // A delivery of the key's event, and its first attempt.
        while store
            .claim_deliveries(
                tenant.id,
                support::start_instant(),
                chrono::Duration::seconds(60),
                10,
            )
            .await
            .unwrap()
            .is_empty()
        {
            store
                .enqueue_deliveries(tenant.id, support::start_instant(), 10)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        // A published policy version.
        use berth_core::store::PolicyVersionStore as _;
        let files =
            berth_core::policy_versions::PolicyFiles::new(vec![berth_core::policy::PolicyFile {
                path: "tenant.yaml".into(),
                text: format!("slug: {slug}\n"),
            }])
            .unwrap();
        let version = berth_core::policy_versions::NewPolicyVersion {
            files,
            restored_from: None,
            plan: None,
            base: None,
        };
        store
            .publish_policy_version(
                tenant.id,
                &version,
                &Actor::System,
                support::start_instant(),
            )
            .await
            .unwrap();
        // A device of the owner, their settings, and a notification queued.
        use berth_core::store::PushStore as _;
        let device = store
            .register_push_subscription(
                tenant.id,
                owner.id,
                berth_core::push::NewPushSubscription {
                    endpoint: berth_core::push::PushEndpoint::parse(
                        "https://push.example.org/send/guard",
                        false,
                    )
                    .unwrap(),
                    keys: berth_core::push::PushKeys::parse(
                        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                        "BTBZMqHH6r4Tts7J_aSIgg",
                    )
                    .unwrap(),
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
                    reservation_changed: Some(false),
                    ..Default::default()
                },
                &Actor::System,
                support::start_instant(),
            )
            .await
            .unwrap();
        store
            .record_event(
                tenant.id,
                berth_core::store::NewEvent {
                    kind: berth_core::event::EventKind::LockConflict,
                    entity_type: "lock".into(),
                    entity_id: uuid::Uuid::now_v7(),
                    action: "conflict".into(),
                    payload: serde_json::json!({ "lock": null }),
                    at: support::start_instant(),
                },
                &Actor::System,
            )
            .await
            .unwrap();
        while store
            .push_deliveries(tenant.id, device.id)
            .await
            .unwrap()
            .is_empty()
        {
            store
                .enqueue_pushes(tenant.id, support::start_instant(), 10)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        // The guest's confirmation queued, and its first attempt logged.
        let claimed = loop {
            store
                .enqueue_mail(tenant.id, support::start_instant(), Default::default(), 100)
                .await
                .unwrap();
            let claimed = store
                .claim_mail(
                    tenant.id,
                    support::start_instant(),
                    chrono::Duration::seconds(60),
                    10,
                )
                .await
                .unwrap();
            if let Some(c) = claimed.into_iter().next() {
                break c;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        };
        let sent = berth_core::mail::MailReport::new(
            &claimed,
            support::start_instant(),
            None,
            berth_core::mail::MailResult::Sent(250),
            0,
        );
        assert!(store.finish_mail(tenant.id, &sent).await.unwrap());
        store
            .save_tenant_profile(
                tenant.id,
                &berth_core::profile::TenantProfile::default(),
                &Actor::System,
                support::start_instant(),
            )
            .await
            .unwrap();
        engine
            .put_tenant_pictures(
                tenant.id,
                vec![berth_core::media::PictureFile {
                    role: berth_core::media::PictureRole::Cover,
                    alt: "The lake".into(),
                    bytes: berth_core::test_pictures::png(400, 300, 2),
                }],
                &Actor::System,
            )
            .await
            .unwrap();
        tenants.push(tenant);
    }
    let (a, b) = (&tenants[0], &tenants[1]);

    let mut app = PgConnection::connect(&url).await.unwrap();
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut app)
            .await
            .unwrap();
    assert!(
        !superuser && !bypass,
        "the tests' role must be subject to row-level security"
    );

    // Every table with a tenant_id column is guarded, even from its owner (the
    // tests' role owns them); the tenants directory is not.
    let guarded: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND (EXISTS (SELECT FROM pg_attribute t \
           WHERE t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped) \
           OR c.relname = 'tenants') \
         ORDER BY 1",
    )
    .fetch_all(&mut app)
    .await
    .unwrap();
    let mut expected: Vec<(String, bool, bool)> = TENANT_TABLES
        .iter()
        .map(|t| ((*t).to_owned(), true, true))
        .collect();
    expected.push(("tenants".to_owned(), false, false));
    // The delivery worker's list of tenants to visit: ids only (see 0008).
    expected.push(("webhook_tenants".to_owned(), false, false));
    // The push worker's list of tenants and their stream positions (see 0010).
    expected.push(("push_tenants".to_owned(), false, false));
    // The mail worker's stream positions (see 0029).
    expected.push(("mail_tenants".to_owned(), false, false));
    // The calendar sync worker's marks: when each tenant may be due (see 0023).
    expected.push(("calendar_sync_tenants".to_owned(), false, false));
    expected.sort();
    assert_eq!(guarded, expected);

    // Past the policies (the admin is a superuser), each tenant has rows everywhere.
    let mut admin = PgConnection::connect(&admin_url_of(&url)).await.unwrap();
    // A pruning mark for each tenant (written by event retention once old
    // events go; set here directly).
    for tenant in [a.id, b.id] {
        sqlx::query(
            "INSERT INTO event_retention (tenant_id, pruned_txid, pruned_seq) VALUES ($1, 0, 1)",
        )
        .bind(tenant.as_uuid())
        .execute(&mut admin)
        .await
        .unwrap();
    }
    let mut rows_of_a = Vec::new();
    for table in TENANT_TABLES {
        let (all, of_a) = count(&mut admin, table, a).await;
        assert!(
            of_a > 0 && all > of_a,
            "{table}: {of_a} of {all} rows are A's"
        );
        rows_of_a.push(of_a);
    }

    // No tenant named, or an empty name: nothing.
    for table in TENANT_TABLES {
        assert_eq!(count(&mut app, table, a).await, (0, 0), "{table}, unset");
    }
    set_tenant(&mut app, "").await;
    for table in TENANT_TABLES {
        assert_eq!(count(&mut app, table, a).await, (0, 0), "{table}, empty");
    }

    // Tenant A named: all of A's rows, and only those.
    set_tenant(&mut app, &a.id.to_string()).await;
    for (table, of_a) in TENANT_TABLES.into_iter().zip(rows_of_a) {
        assert_eq!(count(&mut app, table, a).await, (of_a, of_a), "{table}");
        assert_eq!(count(&mut app, table, b).await.1, 0, "{table}: B's rows");
    }

    // Writing B's rows while A is named: new rows and moved rows are refused,
    // B's rows cannot be reached to change or delete.
    let insert = sqlx::query(
        "INSERT INTO clients (tenant_id, id, name, created_at) VALUES ($1, gen_random_uuid(), 'Mallory', now())",
    )
    .bind(b.id.as_uuid())
    .execute(&mut app)
    .await;
    assert_eq!(sqlstate(insert), INSUFFICIENT_PRIVILEGE);
    let event = sqlx::query(
        "INSERT INTO events (id, tenant_id, kind, entity_id, payload, at) \
         VALUES (gen_random_uuid(), $1, 'tenant.updated', $1, '{}', now())",
    )
    .bind(b.id.as_uuid())
    .execute(&mut app)
    .await;
    assert_eq!(sqlstate(event), INSUFFICIENT_PRIVILEGE);
    let moved = sqlx::query("UPDATE users SET tenant_id = $1")
        .bind(b.id.as_uuid())
        .execute(&mut app)
        .await;
    assert_eq!(sqlstate(moved), INSUFFICIENT_PRIVILEGE);
    for sql in [
        "UPDATE users SET email = 'mallory@example.org' WHERE tenant_id = $1",
        "DELETE FROM audit_log WHERE tenant_id = $1",
        "DELETE FROM reservations WHERE tenant_id = $1",
        "DELETE FROM calendar_blocks WHERE tenant_id = $1",
        "UPDATE ical_feeds SET token = 'mallory' WHERE tenant_id = $1",
        "UPDATE calendar_syncs SET url = 'https://mallory.example.org/' WHERE tenant_id = $1",
        "UPDATE unit_versions SET inventory = 99 WHERE tenant_id = $1",
        "UPDATE event_retention SET pruned_seq = 0 WHERE tenant_id = $1",
        "UPDATE tenant_pictures SET alt = 'Mallory' WHERE tenant_id = $1",
        "DELETE FROM tenant_picture_variants WHERE tenant_id = $1",
        "UPDATE mail_messages SET recipient = 'mallory@example.org' WHERE tenant_id = $1",
        "DELETE FROM mail_attempts WHERE tenant_id = $1",
        "UPDATE policy_versions SET hash = 'mallory' WHERE tenant_id = $1",
    ] {
        let done = sqlx::query(sql)
            .bind(b.id.as_uuid())
            .execute(&mut app)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 0, "{sql}");
    }
    // The tenants directory is public: every tenant is listed whatever is named.
    let listed: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants")
        .fetch_one(&mut app)
        .await
        .unwrap();
    assert_eq!(listed, 2);
}

#[tokio::test]
async fn pooled_connections_carry_no_tenant_after_a_call() {
    if !support::available(Backend::Postgres, "pooled_connections") {
        return;
    }
    let url = support::fresh_postgres_url().await;
    // One connection, so the one checked out below is the one the calls used.
    let store = PostgresStore::connect_with_pool_size(&url, 1)
        .await
        .unwrap();
    let tenant = support::tenant(&store, "alpine-cabins").await;
    let unit = support::unit(&store, &tenant, "Birch", 1, 4).await;
    let read = store.unit(tenant.id, unit.id).await.unwrap();
    assert_eq!(read.map(|u| u.id), Some(unit.id));
    let mut conn = store.pool().acquire().await.unwrap();
    let setting: Option<String> =
        sqlx::query_scalar("SELECT current_setting('berth.tenant_id', true)")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(setting.as_deref().unwrap_or(""), "", "the setting ended");
    let units: i64 = sqlx::query_scalar("SELECT count(*) FROM units")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        units, 0,
        "outside the store's transactions nothing is visible"
    );
}

#[tokio::test]
async fn a_migration_fills_tenant_tables_tenant_by_tenant() {
    if !support::available(Backend::Postgres, "migration_backfill") {
        return;
    }
    let url = support::fresh_postgres_url().await;
    let store = PostgresStore::connect(&url).await.unwrap();
    let mut units = Vec::new();
    for slug in ["alpine-cabins", "harbor-hotel"] {
        let tenant = support::tenant(&store, slug).await;
        units.push((
            tenant.clone(),
            support::unit(&store, &tenant, "Birch", 1, 4).await,
        ));
    }
    // Units as they were before migration 0017: without a version (removed
    // past row-level security, as the superuser).
    let mut admin = PgConnection::connect(&admin_url_of(&url)).await.unwrap();
    sqlx::query("DELETE FROM unit_versions")
        .execute(&mut admin)
        .await
        .unwrap();
    // What 0017 ran, as the application role migrates: row-level security,
    // forced on the owner, leaves it nothing to copy.
    let mut app = PgConnection::connect(&url).await.unwrap();
    let copied = sqlx::raw_sql(
        "INSERT INTO unit_versions (tenant_id, unit_id, valid_from, inventory, archived) \
         SELECT tenant_id, id, created_at, inventory, archived FROM units",
    )
    .execute(&mut app)
    .await
    .unwrap();
    assert_eq!(copied.rows_affected(), 0);
    // 0022 names each tenant in turn, so every unit gets its version; run
    // twice, it adds nothing.
    let backfill = include_str!("../../../migrations/postgres/0022_unit_versions_backfill.sql");
    for _ in 0..2 {
        sqlx::raw_sql(sqlx::AssertSqlSafe(backfill))
            .execute(&mut app)
            .await
            .unwrap();
    }
    for (tenant, unit) in &units {
        let versions = store.unit_versions(tenant.id).await.unwrap();
        assert_eq!(versions.len(), 1, "{}", tenant.slug);
        assert_eq!(versions[0].unit_id, unit.id);
        assert_eq!(versions[0].from, unit.created_at);
    }
    let setting: Option<String> =
        sqlx::query_scalar("SELECT current_setting('berth.tenant_id', true)")
            .fetch_one(&mut app)
            .await
            .unwrap();
    assert_eq!(
        setting.as_deref().unwrap_or(""),
        "",
        "no tenant is left named"
    );
}
