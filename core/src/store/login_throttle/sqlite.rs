//! [`LoginThrottleStore`] for SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{SqliteStore, from_micros, micros};
use crate::login_throttle::LoginAccount;
use crate::store::StoreError;
use crate::store::login_throttle::LoginThrottleStore;

#[async_trait]
impl LoginThrottleStore for SqliteStore {
    async fn recent_login_failures(
        &self,
        account: &LoginAccount,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        sqlx::query_scalar::<_, i64>(
            "SELECT failed_at FROM login_failures WHERE account = ? AND failed_at > ? \
             ORDER BY failed_at DESC LIMIT ?",
        )
        .bind(account.as_str())
        .bind(micros(since))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(from_micros)
        .collect()
    }

    async fn record_login_failure(
        &self,
        account: &LoginAccount,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE failed_at < ?")
            .bind(micros(forget_before))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (account, failed_at) VALUES (?, ?)")
            .bind(account.as_str())
            .bind(micros(at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear_login_failures(&self, account: &LoginAccount) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE account = ?")
            .bind(account.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
