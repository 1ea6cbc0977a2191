//! Failed sign-ins, counted per account in the database, so that every
//! instance sharing it counts the same failures: after [`MAX_FAILURES`] wrong
//! passwords for one e-mail address of one tenant within [`WINDOW`], signing
//! in to that account is refused (RATE_LIMITED with the seconds to wait) until
//! the oldest of them leaves the window — before any password is checked, so a
//! guesser gets neither answers nor Argon2's CPU. A successful sign-in clears
//! the count. Addresses are counted whether or not such a user (or tenant)
//! exists, so the refusal tells nothing about which accounts do.
//!
//! An account is stored as a SHA-256 digest of the tenant slug and the address
//! as typed (trimmed, lower-cased): the table holds no e-mail addresses, also
//! not the mistyped ones of strangers. Rows older than the window are deleted
//! with every new failure.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::accounts::Accounts;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::store::StoreError;

/// Wrong passwords allowed per account within [`WINDOW`].
pub const MAX_FAILURES: u32 = 10;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::minutes(15);

/// An account as the throttle counts it: a digest of tenant slug and address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginAccount(String);

impl LoginAccount {
    /// The account of a sign-in attempt, as typed.
    pub fn new(tenant: &str, email: &str) -> Self {
        let mut digest = Sha256::new();
        digest.update(tenant.trim().to_lowercase().as_bytes());
        digest.update([0]);
        digest.update(email.trim().to_lowercase().as_bytes());
        let hex: String = digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self(hex)
    }

    /// The digest, hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Seconds to wait, given the account's failures within the window (newest
/// first, at most [`MAX_FAILURES`]); `None` while it may try.
pub fn refusal(recent: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<u64> {
    if recent.len() < MAX_FAILURES as usize {
        return None;
    }
    let oldest = recent.iter().min()?;
    let wait = (*oldest + WINDOW - now).num_seconds().max(1);
    Some(u64::try_from(wait).unwrap_or(1))
}

impl Accounts {
    /// Seconds the account must wait before it may try to sign in again, or
    /// `None`.
    pub async fn login_refused_for(
        &self,
        tenant: &str,
        email: &str,
    ) -> Result<Option<u64>, StoreError> {
        let now = self.clock.now();
        let recent = self
            .store
            .recent_login_failures(
                &LoginAccount::new(tenant, email),
                now - WINDOW,
                MAX_FAILURES,
            )
            .await?;
        Ok(refusal(&recent, now))
    }

    /// Counts a wrong password (or an unknown tenant or address).
    pub async fn login_failed(&self, tenant: &str, email: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store
            .record_login_failure(&LoginAccount::new(tenant, email), now, now - WINDOW)
            .await
    }

    /// Clears the account's count after a successful sign-in.
    pub async fn login_succeeded(&self, tenant: &str, email: &str) -> Result<(), StoreError> {
        self.store
            .clear_login_failures(&LoginAccount::new(tenant, email))
            .await
    }
}

impl Engine {
    /// Seconds the account must wait before it may try to sign in again, or
    /// `None` (see [`Accounts::login_refused_for`]).
    pub async fn login_refused_for(
        &self,
        tenant: &str,
        email: &str,
    ) -> Result<Option<u64>, EngineError> {
        Ok(self.accounts().login_refused_for(tenant, email).await?)
    }

    /// Counts a wrong password (see [`Accounts::login_failed`]).
    pub async fn login_failed(&self, tenant: &str, email: &str) -> Result<(), EngineError> {
        Ok(self.accounts().login_failed(tenant, email).await?)
    }

    /// Clears the account's count (see [`Accounts::login_succeeded`]).
    pub async fn login_succeeded(&self, tenant: &str, email: &str) -> Result<(), EngineError> {
        Ok(self.accounts().login_succeeded(tenant, email).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_digests_of_slug_and_address_as_typed() {
        let a = LoginAccount::new("alpine-cabins", "Ada@Example.org ");
        assert_eq!(a, LoginAccount::new(" Alpine-Cabins", "ada@example.org"));
        assert_ne!(a, LoginAccount::new("harbor-hotel", "ada@example.org"));
        // The separator keeps `ab` + `c` apart from `a` + `bc`.
        assert_ne!(LoginAccount::new("ab", "c"), LoginAccount::new("a", "bc"));
        assert_eq!(a.as_str().len(), 64);
        assert!(!a.as_str().contains("ada"));
    }

    #[test]
    fn the_allowance_is_refused_until_the_oldest_failure_ages_out() {
        let start: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let failures: Vec<_> = (0..10)
            .map(|i| start + Duration::seconds(i * 10))
            .rev()
            .collect();
        assert_eq!(
            refusal(&failures[..9], start + Duration::seconds(100)),
            None
        );
        assert_eq!(
            refusal(&failures, start + Duration::seconds(100)),
            Some(800),
            "until the first failure is 15 minutes old"
        );
        assert_eq!(
            refusal(&failures, start + WINDOW - Duration::milliseconds(1)),
            Some(1)
        );
    }
}
