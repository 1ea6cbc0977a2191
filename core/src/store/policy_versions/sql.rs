//! [`PolicyVersionStore`] for both databases, written once (the rules are in
//! `mod.rs`): `policy_versions` rows, files as one JSON object (SQLite TEXT,
//! PostgreSQL `jsonb`). A publication locks the tenant's row
//! ([`Dialect::FOR_UPDATE`]; SQLite's write lock serializes it already)
//! before it reads the live version, so numbers never collide. Reads name
//! the tenant where row-level security asks (PostgreSQL).

use std::collections::BTreeMap;
use std::marker::PhantomData;

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{PolicyVersionStore, published};
use crate::audit::Actor;
use crate::ids::TenantId;
use crate::policy_versions::{
    NewPolicyVersion, PolicyFiles, PolicyVersion, PolicyVersionSummary, Published, StaleBase,
};
use crate::store::StoreError;
use crate::store::sql::{Conn, Dialect, Instant, Journal, SqlStore, StoredInstant};
use crate::store::tenants::Tenants;

/// The columns of a version without its files.
const SUMMARY: &str = "tenant_id, number, hash, author, published_at, restored_from, plan";

#[derive(sqlx::FromRow)]
struct SummaryRow<T> {
    tenant_id: Uuid,
    number: i64,
    hash: String,
    author: String,
    published_at: T,
    restored_from: Option<i64>,
    plan: Option<Json<serde_json::Value>>,
}

impl<T: StoredInstant> SummaryRow<T> {
    fn into_domain(self) -> Result<PolicyVersionSummary, StoreError> {
        let number = |n: i64| {
            u64::try_from(n).map_err(|_| StoreError::corrupt(format!("policy version {n}")))
        };
        Ok(PolicyVersionSummary {
            tenant_id: TenantId::from_uuid(self.tenant_id),
            number: number(self.number)?,
            hash: self.hash,
            author: self.author.parse().map_err(StoreError::corrupt)?,
            published_at: self.published_at.instant()?,
            restored_from: self.restored_from.map(number).transpose()?,
            plan: self.plan.map(|Json(plan)| plan),
        })
    }
}

#[derive(sqlx::FromRow)]
struct VersionRow<T> {
    #[sqlx(flatten)]
    summary: SummaryRow<T>,
    files: Json<BTreeMap<String, String>>,
}

impl<T: StoredInstant> VersionRow<T> {
    fn into_domain(self) -> Result<PolicyVersion, StoreError> {
        Ok(PolicyVersion {
            summary: self.summary.into_domain()?,
            files: PolicyFiles::stored(self.files.0),
        })
    }
}

/// A version number as both databases keep it.
fn stored_number(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::not_found("policy version", n))
}

#[each_database]
#[async_trait]
impl PolicyVersionStore for DbStore {
    async fn publish_policy_version(
        &self,
        tenant: TenantId,
        new: &NewPolicyVersion,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Published, StoreError> {
        let mut tx = self.write(tenant).await?;
        Tenants::<DB>::locked(&mut tx, tenant)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", tenant))?;
        let live = Versions::<DB>::live(&mut tx, tenant).await?;
        StaleBase::check(new.base, live.as_ref().map(|l| &l.summary))
            .map_err(StoreError::StalePolicyBase)?;
        let hash = new.files.hash();
        if let Some(live) = live.as_ref().filter(|l| l.summary.hash == hash) {
            return Ok(Published {
                version: live.clone(),
                created: false,
            });
        }
        let version = PolicyVersion {
            summary: PolicyVersionSummary {
                tenant_id: tenant,
                number: live.as_ref().map_or(1, |l| l.summary.number + 1),
                hash,
                author: actor.clone(),
                published_at: now,
                restored_from: new.restored_from,
                plan: new.plan.clone(),
            },
            files: new.files.clone(),
        };
        let s = &version.summary;
        sqlx::query(
            "INSERT INTO policy_versions (tenant_id, number, files, hash, author, \
             published_at, restored_from, plan) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tenant.as_uuid())
        .bind(stored_number(s.number)?)
        .bind(Json(version.files.as_map()))
        .bind(&s.hash)
        .bind(s.author.to_string())
        .bind(DB::stamp(now))
        .bind(s.restored_from.map(stored_number).transpose()?)
        .bind(s.plan.as_ref().map(Json))
        .execute(&mut *tx)
        .await?;
        let paths = version.files.as_map().keys().map(String::as_str).collect();
        let record = published(s, live.as_ref().map(|l| &l.summary), paths, actor);
        Journal::<DB>::append(&mut tx, &record).await?;
        tx.commit().await?;
        self.announce();
        Ok(Published {
            version,
            created: true,
        })
    }

    async fn policy_versions(
        &self,
        tenant: TenantId,
        limit: u32,
    ) -> Result<Vec<PolicyVersionSummary>, StoreError> {
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, SummaryRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY} FROM policy_versions WHERE tenant_id = $1 \
             ORDER BY number DESC LIMIT $2"
        )))
        .bind(tenant.as_uuid())
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(SummaryRow::into_domain)
        .collect()
    }

    async fn policy_version(
        &self,
        tenant: TenantId,
        number: u64,
    ) -> Result<Option<PolicyVersion>, StoreError> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(None);
        };
        let mut conn = self.read(tenant).await?;
        sqlx::query_as::<DB, VersionRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY}, files FROM policy_versions WHERE tenant_id = $1 AND number = $2"
        )))
        .bind(tenant.as_uuid())
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .map(VersionRow::into_domain)
        .transpose()
    }

    async fn live_policy_version(
        &self,
        tenant: TenantId,
    ) -> Result<Option<PolicyVersion>, StoreError> {
        let mut conn = self.read(tenant).await?;
        Versions::<DB>::live(&mut conn, tenant).await
    }
}

/// The `policy_versions` queries, on the database `DB`.
pub(crate) struct Versions<DB>(PhantomData<DB>);

#[each_database]
impl Versions<DB> {
    /// The tenant's highest-numbered version.
    async fn live(
        conn: &mut Conn<DB>,
        tenant: TenantId,
    ) -> Result<Option<PolicyVersion>, StoreError> {
        sqlx::query_as::<DB, VersionRow<Instant<DB>>>(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY}, files FROM policy_versions WHERE tenant_id = $1 \
             ORDER BY number DESC LIMIT 1"
        )))
        .bind(tenant.as_uuid())
        .fetch_optional(&mut *conn)
        .await?
        .map(VersionRow::into_domain)
        .transpose()
    }
}
