//! Tenants: one business using berth. A tenant is identified by a URL-safe slug
//! (`alpine-cabins`), and carries the timezone that gives its dates meaning and
//! the currency its prices are in.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::money::Currency;

/// A tenant's URL-safe name: 2–63 characters of `a-z`, `0-9` and `-`, starting
/// with a letter and not ending with `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantSlug(String);

/// A string that is not a valid tenant slug.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a tenant slug (2-63 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-')"
)]
pub struct InvalidSlug(pub String);

impl TenantSlug {
    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TenantSlug {
    type Err = InvalidSlug;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok_len = (2..=63).contains(&s.len());
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_ends = s.starts_with(|c: char| c.is_ascii_lowercase()) && !s.ends_with('-');
        if ok_len && ok_chars && ok_ends {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidSlug(s.to_owned()))
        }
    }
}

impl TryFrom<String> for TenantSlug {
    type Error = InvalidSlug;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TenantSlug> for String {
    fn from(s: TenantSlug) -> Self {
        s.0
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tenant {
    /// Stable id; every row of the tenant's data carries it.
    pub id: TenantId,
    /// URL-safe unique name.
    pub slug: TenantSlug,
    /// Display name.
    pub name: String,
    /// IANA timezone in which the tenant's dates and times are read.
    pub timezone: Tz,
    /// Currency of the tenant's prices.
    pub currency: Currency,
    /// BCP 47 locale for texts shown to clients (e.g. `en-US`).
    pub locale: String,
    /// When the tenant was created.
    pub created_at: DateTime<Utc>,
}

/// What is needed to create a tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTenant {
    /// URL-safe unique name.
    pub slug: TenantSlug,
    /// Display name.
    pub name: String,
    /// IANA timezone.
    pub timezone: Tz,
    /// Currency of prices.
    pub currency: Currency,
    /// BCP 47 locale.
    pub locale: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        for good in ["alpine-cabins", "river-gear", "a1"] {
            assert!(good.parse::<TenantSlug>().is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "Alpine",
            "-x",
            "x-",
            "1abc",
            "a b",
            "a_b",
            &"a".repeat(64),
        ] {
            assert!(bad.parse::<TenantSlug>().is_err(), "{bad}");
        }
    }
}
