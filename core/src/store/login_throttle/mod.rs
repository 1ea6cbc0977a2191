//! The sign-in throttle's part of the storage port (`crate::login_throttle`):
//! failed sign-ins per account digest, in a table shared by every instance.
//! It belongs to no tenant (the slug typed may name none), so like `tenants` it
//! has no row-level security; it holds digests and instants only.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::login_throttle::LoginAccount;

/// Failed sign-ins. Every [`super::Store`] is one.
#[async_trait]
pub trait LoginThrottleStore: Send + Sync {
    /// The account's failures after `since`, newest first, at most `limit`.
    async fn recent_login_failures(
        &self,
        account: &LoginAccount,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DateTime<Utc>>, StoreError>;
    /// Records a failure at `at`, and forgets every account's failures from
    /// before `forget_before`.
    async fn record_login_failure(
        &self,
        account: &LoginAccount,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Forgets the account's failures.
    async fn clear_login_failures(&self, account: &LoginAccount) -> Result<(), StoreError>;
}

mod sql;
