//! Upgrades: a database written by an older berth is carried forward by the
//! migrations after it. The database is migrated to an earlier version (0016,
//! before units had a history), rows are written as that version knew them —
//! on PostgreSQL as the application role, each tenant named as row-level
//! security requires — and then the store migrates the rest, as `berth
//! migrate` would. What the later migrations must have filled in is checked
//! through the store.

use berth_core::ids::{ClientId, TenantId, UnitId};
use berth_core::store::{PostgresStore, SqliteStore, Store};
use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection};

use crate::support::{self, Backend};

on_both_stores!(a_database_from_before_unit_history_is_carried_forward);

/// The version the rows are written at.
const OLD: i64 = 16;

/// What the old database held.
struct Seeded {
    tenants: Vec<(TenantId, Vec<UnitId>, ClientId)>,
    created: DateTime<Utc>,
}

fn seeded() -> Seeded {
    Seeded {
        tenants: (0..2)
            .map(|_| {
                (
                    TenantId::new(),
                    vec![UnitId::new(), UnitId::new()],
                    ClientId::new(),
                )
            })
            .collect(),
        created: "2025-05-01T08:00:00Z".parse().unwrap(),
    }
}

async fn old_postgres(seed: &Seeded) -> String {
    let url = berth_core::testing::empty_postgres_url().await;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::migrate!("../migrations/postgres")
        .run_to(OLD, &mut conn)
        .await
        .unwrap();
    for (i, (tenant, units, client)) in seed.tenants.iter().enumerate() {
        sqlx::query(
            "INSERT INTO tenants (id, slug, name, timezone, currency, locale, created_at) \
             VALUES ($1, $2, 'Old', 'Europe/Oslo', 'NOK', 'nb-NO', $3)",
        )
        .bind(tenant.as_uuid())
        .bind(format!("old-{i}"))
        .bind(seed.created)
        .execute(&mut conn)
        .await
        .unwrap();
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("SELECT set_config('berth.tenant_id', $1, true)")
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        for unit in units {
            sqlx::query(
                "INSERT INTO units (tenant_id, id, name, inventory, max_guests, created_at) \
                 VALUES ($1, $2, 'Cabin', 2, 4, $3)",
            )
            .bind(tenant.as_uuid())
            .bind(unit.as_uuid())
            .bind(seed.created)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO clients (tenant_id, id, name, created_at) VALUES ($1, $2, 'Ada', $3)",
        )
        .bind(tenant.as_uuid())
        .bind(client.as_uuid())
        .bind(seed.created)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    conn.close().await.unwrap();
    url
}

async fn old_sqlite(seed: &Seeded) -> String {
    let path = std::env::temp_dir().join(format!("berth-upgrade-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite:{}", path.display());
    let store = SqliteStore::connect(&url).await.unwrap();
    sqlx::migrate!("../migrations/sqlite")
        .run_to(OLD, store.pool())
        .await
        .unwrap();
    let at = seed.created.timestamp_micros();
    for (i, (tenant, units, client)) in seed.tenants.iter().enumerate() {
        sqlx::query(
            "INSERT INTO tenants (id, slug, name, timezone, currency, locale, created_at) \
             VALUES (?, ?, 'Old', 'Europe/Oslo', 'NOK', 'nb-NO', ?)",
        )
        .bind(tenant.as_uuid())
        .bind(format!("old-{i}"))
        .bind(at)
        .execute(store.pool())
        .await
        .unwrap();
        for unit in units {
            sqlx::query(
                "INSERT INTO units (tenant_id, id, name, inventory, max_guests, created_at) \
                 VALUES (?, ?, 'Cabin', 2, 4, ?)",
            )
            .bind(tenant.as_uuid())
            .bind(unit.as_uuid())
            .bind(at)
            .execute(store.pool())
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO clients (tenant_id, id, name, created_at) VALUES (?, ?, 'Ada', ?)",
        )
        .bind(tenant.as_uuid())
        .bind(client.as_uuid())
        .bind(at)
        .execute(store.pool())
        .await
        .unwrap();
    }
    store.pool().close().await;
    url
}

async fn a_database_from_before_unit_history_is_carried_forward(backend: Backend) {
    let seed = seeded();
    let store: Box<dyn Store> = match backend {
        Backend::Sqlite => {
            let store = SqliteStore::connect(&old_sqlite(&seed).await)
                .await
                .unwrap();
            store.migrate().await.unwrap();
            Box::new(store)
        }
        Backend::Postgres => {
            let store = PostgresStore::connect(&old_postgres(&seed).await)
                .await
                .unwrap();
            store.migrate().await.unwrap();
            Box::new(store)
        }
    };
    let now = support::start_instant();
    // 0023: every tenant starts due for the calendar sync worker.
    let mut due = store.calendar_sync_tenants_due(now, 100).await.unwrap();
    due.sort_by_key(|t| t.as_uuid());
    let mut tenants: Vec<TenantId> = seed.tenants.iter().map(|t| t.0).collect();
    tenants.sort_by_key(|t| t.as_uuid());
    assert_eq!(due, tenants);
    for (tenant, units, client) in &seed.tenants {
        // 0017 (and 0022 on PostgreSQL): every unit was offered from its
        // creation, as it is.
        let mut versions = store.unit_versions(*tenant).await.unwrap();
        versions.sort_by_key(|v| v.unit_id.as_uuid());
        let mut expected = units.clone();
        expected.sort_by_key(|u| u.as_uuid());
        assert_eq!(
            versions.iter().map(|v| v.unit_id).collect::<Vec<_>>(),
            expected,
            "every old unit has its first version"
        );
        assert!(
            versions
                .iter()
                .all(|v| v.from == seed.created && !v.archived)
        );
        assert!(versions.iter().all(|v| v.inventory.get() == 2));
        // 0021: clients are readable, none erased.
        let c = store.client(*tenant, *client).await.unwrap().unwrap();
        assert_eq!((c.name.as_str(), c.erased_at), ("Ada", None));
    }
}
