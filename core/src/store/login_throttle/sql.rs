//! [`LoginThrottleStore`] for both databases, written once. No tenant owns a
//! row (PostgreSQL: the table has no row-level security), so the statements
//! run outside a tenant's scope ([`SqlStore::write_global`]).

use async_trait::async_trait;
use berth_core_macros::each_database;
use chrono::{DateTime, Utc};

use super::LoginThrottleStore;
use crate::login_throttle::LoginAccount;
use crate::store::StoreError;
use crate::store::sql::{Dialect, Instant, SqlStore, StoredInstant};

#[each_database]
#[async_trait]
impl LoginThrottleStore for DbStore {
    async fn recent_login_failures(
        &self,
        account: &LoginAccount,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        sqlx::query_scalar::<DB, Instant<DB>>(
            "SELECT failed_at FROM login_failures WHERE account = $1 AND failed_at > $2 \
             ORDER BY failed_at DESC LIMIT $3",
        )
        .bind(account.as_str())
        .bind(DB::stamp(since))
        .bind(i64::from(limit))
        .fetch_all(self.sql_pool())
        .await?
        .into_iter()
        .map(StoredInstant::instant)
        .collect()
    }

    async fn record_login_failure(
        &self,
        account: &LoginAccount,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_global().await?;
        sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
            .bind(DB::stamp(forget_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (account, failed_at) VALUES ($1, $2)")
            .bind(account.as_str())
            .bind(DB::stamp(at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear_login_failures(&self, account: &LoginAccount) -> Result<(), StoreError> {
        let mut tx = self.write_global().await?;
        sqlx::query("DELETE FROM login_failures WHERE account = $1")
            .bind(account.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
