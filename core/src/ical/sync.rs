//! Calendar syncs: another calendar's `.ics` URL (an Airbnb or Booking.com
//! export, a channel manager's feed, a shared Google calendar) that berth fetches
//! on a schedule and imports as the blocks of one source of one unit, exactly as
//! an upload through `importCalendar` would. Each unit has at most one sync per
//! source.
//!
//! The fetching itself is the server's (core makes no HTTP calls); this module
//! holds the domain: the URL and interval newtypes, the stored sync, the outcome
//! of one fetch, and the schedule that follows from it (the interval after a
//! success, a shorter growing back-off after failures, never longer than the
//! interval).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::block::BlockSource;
use crate::ids::{CalendarSyncId, TenantId, UnitId};

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// A calendar's address: `http` or `https`, with a host, no credentials, no
/// fragment, at most [`MAX_URL_LEN`] characters of visible ASCII. A
/// `webcal://` address (what calendar apps offer to subscribe) is read as the
/// `https://` one it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SyncUrl(String);

/// Why a string is not a [`SyncUrl`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` is not a calendar URL: {why}")]
pub struct InvalidSyncUrl {
    /// The start of the rejected text.
    pub shown: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl std::str::FromStr for SyncUrl {
    type Err = InvalidSyncUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let webcal = s
            .get(..9)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("webcal://"));
        let https;
        let s = if webcal {
            https = format!("https://{}", &s[9..]);
            https.as_str()
        } else {
            s
        };
        let refuse = |why| InvalidSyncUrl {
            shown: s.chars().take(80).collect(),
            why,
        };
        if s.len() > MAX_URL_LEN {
            return Err(refuse("longer than 2048 characters"));
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(refuse("only visible ASCII characters, no spaces"));
        }
        let lower = s.to_ascii_lowercase();
        let rest = if let Some(rest) = lower.strip_prefix("https://") {
            rest
        } else if let Some(rest) = lower.strip_prefix("http://") {
            rest
        } else {
            return Err(refuse("it must start with https:// or http://"));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(refuse("credentials in the URL are not accepted"));
        }
        let host = authority
            .rsplit_once(':')
            .filter(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(authority, |(host, _)| host);
        if host.is_empty() {
            return Err(refuse("it has no host"));
        }
        if s.contains('#') {
            return Err(refuse(
                "a fragment (#…) is not part of a calendar's address",
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

impl SyncUrl {
    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its host (and port): what logs and the audit log show of it, since the
    /// rest often carries the other site's secret.
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or("", |(_, rest)| rest);
        rest.split(['/', '?', '#']).next().unwrap_or_default()
    }
}

impl std::fmt::Display for SyncUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How often a calendar is fetched: 15 minutes to 24 hours, 60 by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SyncInterval(u32);

/// A number of minutes outside [`SyncInterval`]'s range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} minutes is not a sync interval (15 to 1440 minutes)")]
pub struct InvalidSyncInterval(pub i64);

impl SyncInterval {
    /// The shortest interval: feeds are not worth polling more often, and their
    /// hosts rate-limit.
    pub const MIN_MINUTES: u32 = 15;
    /// The longest interval: a day.
    pub const MAX_MINUTES: u32 = 1440;
    /// Hourly.
    pub const DEFAULT: Self = Self(60);

    /// The interval of `minutes`.
    pub fn from_minutes(minutes: i64) -> Result<Self, InvalidSyncInterval> {
        u32::try_from(minutes)
            .ok()
            .filter(|m| (Self::MIN_MINUTES..=Self::MAX_MINUTES).contains(m))
            .map(Self)
            .ok_or(InvalidSyncInterval(minutes))
    }

    /// In minutes.
    pub fn minutes(self) -> u32 {
        self.0
    }

    /// As a duration.
    pub fn duration(self) -> Duration {
        Duration::minutes(i64::from(self.0))
    }
}

/// How the last fetch went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// The calendar was fetched and imported.
    Imported,
    /// The calendar had not changed since the last fetch (HTTP 304).
    NotModified,
    /// Fetching or importing failed; the blocks from before stay.
    Failed,
}

impl SyncStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::NotModified => "not_modified",
            Self::Failed => "failed",
        }
    }

    /// The status of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "imported" => Some(Self::Imported),
            "not_modified" => Some(Self::NotModified),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A stored calendar sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CalendarSync {
    /// Its id.
    pub id: CalendarSyncId,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The unit whose blocks it keeps.
    pub unit_id: UnitId,
    /// The source its blocks are imported as.
    pub source: BlockSource,
    /// Where the calendar is fetched from.
    pub url: SyncUrl,
    /// How often.
    pub interval: SyncInterval,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it is fetched next (at the latest; a fetch may be asked for sooner).
    pub next_fetch_at: DateTime<Utc>,
    /// The last fetch, successful or not.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The last fetch that imported or found the calendar unchanged.
    pub last_success_at: Option<DateTime<Utc>>,
    /// How the last fetch went.
    pub last_status: Option<SyncStatus>,
    /// Why the last fetch failed.
    pub last_error: Option<String>,
    /// Fetches failed in a row.
    pub failures: u32,
    /// The calendar's `ETag` at the last import (sent back as `If-None-Match`).
    #[serde(skip)]
    pub etag: Option<String>,
    /// The calendar's `Last-Modified` at the last import (`If-Modified-Since`).
    #[serde(skip)]
    pub last_modified: Option<String>,
}

impl CalendarSync {
    /// A sync just added: due at once, never fetched.
    pub fn added(tenant_id: TenantId, new: &NewCalendarSync, now: DateTime<Utc>) -> Self {
        Self {
            id: CalendarSyncId::new(),
            tenant_id,
            unit_id: new.unit_id,
            source: new.source.clone(),
            url: new.url.clone(),
            interval: new.interval,
            created_at: now,
            next_fetch_at: now,
            last_attempt_at: None,
            last_success_at: None,
            last_status: None,
            last_error: None,
            failures: 0,
            etag: None,
            last_modified: None,
        }
    }
}

/// A sync about to be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCalendarSync {
    /// The unit.
    pub unit_id: UnitId,
    /// The source its blocks are imported as.
    pub source: BlockSource,
    /// The calendar's URL.
    pub url: SyncUrl,
    /// How often it is fetched.
    pub interval: SyncInterval,
}

/// What one fetch found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The calendar was imported: its blocks now, and how many it replaced.
    Imported {
        /// The source's blocks after the import.
        blocks: u32,
        /// Blocks replaced.
        removed: u32,
        /// Reservations overlapping the new blocks.
        conflicts: u32,
        /// The response's `ETag`.
        etag: Option<String>,
        /// The response's `Last-Modified`.
        last_modified: Option<String>,
    },
    /// HTTP 304: unchanged since the last import.
    NotModified,
    /// The fetch or the import failed: why, for the operator.
    Failed(String),
}

/// The longest error message kept.
const MAX_ERROR_LEN: usize = 500;

/// The first retry after a failure; each further failure doubles it, up to
/// the sync's interval.
pub const FIRST_RETRY: Duration = Duration::minutes(5);

/// What a fetch changes in its sync: status, error, failure count, validators
/// and the next fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    /// The sync.
    pub id: CalendarSyncId,
    /// When the fetch ended.
    pub at: DateTime<Utc>,
    /// How it went.
    pub status: SyncStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// Failures in a row, this one included.
    pub failures: u32,
    /// Validators for the next fetch (kept from before on a 304 or a failure).
    pub etag: Option<String>,
    /// See `etag`.
    pub last_modified: Option<String>,
    /// When to fetch next.
    pub next_fetch_at: DateTime<Utc>,
}

impl SyncReport {
    /// The report of `outcome` for `sync`, fetched until `at`.
    pub fn new(sync: &CalendarSync, outcome: SyncOutcome, at: DateTime<Utc>) -> Self {
        let interval = sync.interval.duration();
        let (etag, last_modified) = (sync.etag.clone(), sync.last_modified.clone());
        match outcome {
            SyncOutcome::Imported {
                etag,
                last_modified,
                ..
            } => Self {
                id: sync.id,
                at,
                status: SyncStatus::Imported,
                error: None,
                failures: 0,
                etag,
                last_modified,
                next_fetch_at: at + interval,
            },
            SyncOutcome::NotModified => Self {
                id: sync.id,
                at,
                status: SyncStatus::NotModified,
                error: None,
                failures: 0,
                etag,
                last_modified,
                next_fetch_at: at + interval,
            },
            SyncOutcome::Failed(why) => {
                let failures = sync.failures.saturating_add(1);
                let doubling = 2_i32.saturating_pow(failures.saturating_sub(1).min(16));
                let retry = (FIRST_RETRY * doubling).min(interval);
                Self {
                    id: sync.id,
                    at,
                    status: SyncStatus::Failed,
                    error: Some(why.chars().take(MAX_ERROR_LEN).collect()),
                    failures,
                    etag,
                    last_modified,
                    next_fetch_at: at + retry,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_with_a_host_and_nothing_hidden() {
        for good in [
            "https://www.airbnb.com/calendar/ical/123.ics?s=abc",
            "http://127.0.0.1:8081/feed.ics",
            "https://[2001:db8::1]/x.ics",
            "HTTPS://Example.org/Cal.ics",
        ] {
            assert_eq!(good.parse::<SyncUrl>().unwrap().as_str(), good);
        }
        let url: SyncUrl = "https://www.airbnb.com/calendar/ical/1.ics?s=secret"
            .parse()
            .unwrap();
        assert_eq!(url.host(), "www.airbnb.com");
        let url: SyncUrl = "webcal://p12-caldav.icloud.com/published/2/abc"
            .parse()
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://p12-caldav.icloud.com/published/2/abc"
        );
        assert!("webcal:/x".parse::<SyncUrl>().is_err());
        let url: SyncUrl = "http://127.0.0.1:8081?s=x".parse().unwrap();
        assert_eq!(url.host(), "127.0.0.1:8081");
        for (bad, why) in [
            ("ftp://example.org/x.ics", "https://"),
            ("https://user:pw@example.org/x.ics", "credentials"),
            ("https:///x.ics", "no host"),
            ("https://:443/x.ics", "no host"),
            ("https://example.org/a b.ics", "ASCII"),
            ("https://example.org/x.ics#top", "fragment"),
        ] {
            let err = bad.parse::<SyncUrl>().unwrap_err();
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert!(long.parse::<SyncUrl>().is_err());
    }

    #[test]
    fn intervals_are_fifteen_minutes_to_a_day() {
        assert_eq!(SyncInterval::from_minutes(15).unwrap().minutes(), 15);
        assert_eq!(SyncInterval::from_minutes(1440).unwrap().minutes(), 1440);
        for bad in [0, 14, 1441, -60] {
            assert_eq!(
                SyncInterval::from_minutes(bad),
                Err(InvalidSyncInterval(bad))
            );
        }
    }

    fn sync(interval: u32, failures: u32) -> CalendarSync {
        let at: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        CalendarSync {
            id: CalendarSyncId::new(),
            tenant_id: TenantId::new(),
            unit_id: UnitId::new(),
            source: "airbnb".parse().unwrap(),
            url: "https://example.org/x.ics".parse().unwrap(),
            interval: SyncInterval::from_minutes(i64::from(interval)).unwrap(),
            created_at: at,
            next_fetch_at: at,
            last_attempt_at: None,
            last_success_at: None,
            last_status: None,
            last_error: None,
            failures,
            etag: Some("\"v1\"".into()),
            last_modified: None,
        }
    }

    #[test]
    fn success_waits_an_interval_and_failures_back_off_up_to_it() {
        let at: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        let ok = SyncReport::new(
            &sync(60, 3),
            SyncOutcome::Imported {
                blocks: 2,
                removed: 1,
                conflicts: 0,
                etag: Some("\"v2\"".into()),
                last_modified: None,
            },
            at,
        );
        assert_eq!(ok.next_fetch_at, at + Duration::minutes(60));
        assert_eq!((ok.failures, ok.etag.as_deref()), (0, Some("\"v2\"")));

        let unchanged = SyncReport::new(&sync(60, 1), SyncOutcome::NotModified, at);
        assert_eq!(unchanged.etag.as_deref(), Some("\"v1\""), "validators kept");
        assert_eq!(unchanged.status, SyncStatus::NotModified);

        let retries: Vec<i64> = (0..6)
            .map(|failures| {
                let r = SyncReport::new(&sync(60, failures), SyncOutcome::Failed("x".into()), at);
                assert_eq!(r.failures, failures + 1);
                (r.next_fetch_at - at).num_minutes()
            })
            .collect();
        assert_eq!(retries, [5, 10, 20, 40, 60, 60]);
        let long = SyncReport::new(&sync(15, 0), SyncOutcome::Failed("é".repeat(900)), at);
        assert_eq!(long.error.unwrap().chars().count(), 500);
        let huge = SyncReport::new(&sync(1440, u32::MAX), SyncOutcome::Failed("x".into()), at);
        assert_eq!(huge.next_fetch_at, at + Duration::minutes(1440));
    }
}
