//! Failed sign-ins, counted per account: after [`MAX_FAILURES`] wrong
//! passwords for one e-mail address of one tenant within [`WINDOW`], `login`
//! for that account is refused with RATE_LIMITED (and `retryAfter`) until the
//! oldest failure leaves the window — before any password is checked, so a
//! guesser gets neither answers nor Argon2's CPU. A successful sign-in clears
//! the count. Addresses are counted whether or not such a user exists, so the
//! refusal tells nothing about which accounts do. The public rate limit per
//! client address still applies on top; this one stops a guesser who spreads
//! over many addresses.
//!
//! The counts live in this instance's memory: with several instances behind a
//! balancer an account gets the allowance once per instance. At most
//! [`MAX_TRACKED`] accounts are tracked; past that, the longest-quiet ones are
//! forgotten first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Wrong passwords allowed per account within [`WINDOW`].
pub const MAX_FAILURES: usize = 10;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::minutes(15);
/// Accounts tracked at most.
pub const MAX_TRACKED: usize = 100_000;

/// An account: tenant slug and e-mail address, as typed, trimmed and lower-cased.
type Account = (String, String);

/// The failures per account, oldest first.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Account, VecDeque<DateTime<Utc>>>>,
}

fn key(tenant: &str, email: &str) -> Account {
    (tenant.trim().to_lowercase(), email.trim().to_lowercase())
}

impl LoginThrottle {
    /// Seconds to wait when the account may not try now; `None` when it may.
    pub fn refused_for(&self, tenant: &str, email: &str, now: DateTime<Utc>) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let times = failures.get_mut(&key(tenant, email))?;
        while times.front().is_some_and(|t| *t + WINDOW <= now) {
            times.pop_front();
        }
        if times.len() < MAX_FAILURES {
            return None;
        }
        let oldest = *times.front()?;
        let wait = (oldest + WINDOW - now).num_seconds().max(1);
        Some(u64::try_from(wait).unwrap_or(1))
    }

    /// Counts a wrong password (or an unknown address) for the account.
    pub fn failed(&self, tenant: &str, email: &str, now: DateTime<Utc>) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_TRACKED {
            // Forget what no longer counts; then, if still full, the quietest.
            failures.retain(|_, times| times.back().is_some_and(|t| *t + WINDOW > now));
            if failures.len() >= MAX_TRACKED
                && let Some(quietest) = failures
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(k, _)| k.clone())
            {
                failures.remove(&quietest);
            }
        }
        let times = failures.entry(key(tenant, email)).or_default();
        times.push_back(now);
        while times.len() > MAX_FAILURES {
            times.pop_front();
        }
    }

    /// Clears the account's count after a successful sign-in.
    pub fn succeeded(&self, tenant: &str, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&key(tenant, email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_refused_after_its_allowance_until_the_oldest_failure_ages_out() {
        let throttle = LoginThrottle::default();
        let start: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        for i in 0..MAX_FAILURES {
            let at = start + Duration::seconds(i64::try_from(i).unwrap() * 10);
            assert_eq!(throttle.refused_for("alpine", "ada@example.org", at), None);
            throttle.failed("alpine", "Ada@Example.org ", at);
        }
        let after = start + Duration::seconds(100);
        assert_eq!(
            throttle.refused_for("alpine", "ada@example.org", after),
            Some(800),
            "until the first failure is 15 minutes old"
        );
        // Other accounts, and the same address in another tenant, are not affected.
        assert_eq!(
            throttle.refused_for("alpine", "bob@example.org", after),
            None
        );
        assert_eq!(
            throttle.refused_for("harbor", "ada@example.org", after),
            None
        );
        // The window moves on: one failure has aged out.
        assert_eq!(
            throttle.refused_for("alpine", "ada@example.org", start + WINDOW),
            None
        );
        // A success clears the count.
        throttle.failed("alpine", "ada@example.org", start + WINDOW);
        throttle.succeeded("alpine", "ada@example.org");
        assert_eq!(
            throttle.refused_for("alpine", "ada@example.org", start + WINDOW),
            None
        );
    }
}
