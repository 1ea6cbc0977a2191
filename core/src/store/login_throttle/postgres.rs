//! [`LoginThrottleStore`] for PostgreSQL: the table has no row-level security
//! (no tenant owns a row), so these statements run outside a tenant's scope.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::PostgresStore;
use crate::login_throttle::LoginAccount;
use crate::store::StoreError;
use crate::store::login_throttle::LoginThrottleStore;

#[async_trait]
impl LoginThrottleStore for PostgresStore {
    async fn recent_login_failures(
        &self,
        account: &LoginAccount,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        Ok(sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT failed_at FROM login_failures WHERE account = $1 AND failed_at > $2 \
             ORDER BY failed_at DESC LIMIT $3",
        )
        .bind(account.as_str())
        .bind(since)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?)
    }

    async fn record_login_failure(
        &self,
        account: &LoginAccount,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (account, failed_at) VALUES ($1, $2)")
            .bind(account.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear_login_failures(&self, account: &LoginAccount) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE account = $1")
            .bind(account.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
