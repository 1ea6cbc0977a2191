//! A per-address rate limit for public (unauthenticated) requests, so one client
//! cannot monopolise the quote and availability queries anyone may call.
//!
//! The algorithm is GCRA (the "generic cell rate algorithm", a token bucket kept as
//! one timestamp per address): with a rate of `N` requests per minute, each request
//! moves the address's *theoretical arrival time* (TAT) forward by the emission
//! interval `T = 60 s / N`; a request is allowed while the new TAT is at most
//! `burst × T` ahead of now. An address that stays quiet refills at `N` per minute
//! up to `burst` requests that may arrive at once.
//!
//! The burst is ten seconds' allowance (`N / 6`), but at least 10 so that a page
//! opening several queries at once is never refused, and never more than `N`: the
//! default of 600 per minute allows 100 at once; 12 per minute allows 10.
//!
//! Time comes from the injected [`Clock`], so tests move time instead of sleeping.
//! Memory is bounded: at most [`MAX_TRACKED_ADDRESSES`] addresses are remembered.
//! An address whose TAT has passed is idle (its bucket is full again) and is the
//! same as an unknown one, so it is dropped whenever the table fills up. If the
//! table is still full of active addresses, a new address is refused until the
//! next sweep frees room: many distinct addresses sending at full speed at once is
//! an attack, and failing closed then keeps memory bounded and known clients served.
//!
//! IPv6 clients usually control a whole /64, so IPv6 addresses are limited per /64
//! prefix; IPv4-mapped IPv6 addresses count as their IPv4 address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use berth_core::ErrorCode;
use berth_core::clock::Clock;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// The most addresses remembered at once (a few MiB of memory).
pub const MAX_TRACKED_ADDRESSES: usize = 65_536;

/// Limits requests per client address, `per_minute` on average with a burst.
#[derive(Debug)]
pub struct RateLimiter {
    clock: Arc<dyn Clock>,
    /// The time one request "costs": a minute divided by the rate.
    emission_interval: Duration,
    /// How far ahead of now an address's TAT may run: `burst × emission_interval`.
    tolerance: Duration,
    /// How many addresses may be remembered before new ones are refused.
    capacity: usize,
    state: Mutex<Table>,
}

/// The limiter's answer for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Serve it.
    Allow,
    /// Refuse it; a request after this many whole seconds would be allowed.
    Refuse {
        /// Seconds until the address may try again (at least 1).
        retry_after_secs: u64,
    },
}

#[derive(Debug, Default)]
struct Table {
    /// Theoretical arrival time per address key.
    tat: HashMap<IpAddr, DateTime<Utc>>,
    /// When idle entries were last dropped, so that a table full of active
    /// addresses is not scanned again on every request.
    last_sweep: Option<DateTime<Utc>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per address (more than 0), with
    /// the burst described in the module docs, reading time from `clock`.
    pub fn per_minute(per_minute: u32, clock: Arc<dyn Clock>) -> Self {
        Self::with_capacity(
            per_minute,
            burst_for(per_minute),
            MAX_TRACKED_ADDRESSES,
            clock,
        )
    }

    /// A limiter allowing `per_hour` requests per address (more than 0), all
    /// of them at once when the address was quiet for an hour (the public
    /// site's booking requests: a person sends a few, a script many).
    pub fn per_hour(per_hour: u32, clock: Arc<dyn Clock>) -> Self {
        let per_hour = per_hour.max(1);
        let emission_micros = 3_600_000_000 / i64::from(per_hour);
        Self {
            clock,
            emission_interval: Duration::microseconds(emission_micros),
            tolerance: Duration::microseconds(emission_micros.saturating_mul(i64::from(per_hour))),
            capacity: MAX_TRACKED_ADDRESSES,
            state: Mutex::new(Table::default()),
        }
    }

    /// A limiter with an explicit burst and table size.
    pub fn with_capacity(
        per_minute: u32,
        burst: u32,
        capacity: usize,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let emission_micros = 60_000_000 / i64::from(per_minute.max(1));
        Self {
            clock,
            emission_interval: Duration::microseconds(emission_micros),
            tolerance: Duration::microseconds(
                emission_micros.saturating_mul(i64::from(burst.max(1))),
            ),
            capacity: capacity.max(1),
            state: Mutex::new(Table::default()),
        }
    }

    /// Counts one request from `addr` and says whether to serve it.
    pub fn check(&self, addr: IpAddr) -> Decision {
        let now = self.clock.now();
        let key = address_key(addr);
        let mut table = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !table.tat.contains_key(&key) && table.tat.len() >= self.capacity {
            let swept_recently = table
                .last_sweep
                .is_some_and(|at| now - at < Duration::seconds(1));
            if !swept_recently {
                table.tat.retain(|_, tat| *tat > now);
                table.last_sweep = Some(now);
            }
            if table.tat.len() >= self.capacity {
                return Decision::Refuse {
                    retry_after_secs: 1,
                };
            }
        }
        let tat = table.tat.get(&key).copied().unwrap_or(now).max(now);
        let next_tat = tat + self.emission_interval;
        let ahead = next_tat - now;
        if ahead <= self.tolerance {
            table.tat.insert(key, next_tat);
            Decision::Allow
        } else {
            let wait = ahead - self.tolerance;
            let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
            Decision::Refuse {
                retry_after_secs: millis.div_ceil(1000).max(1),
            }
        }
    }

    /// How many addresses are remembered now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .tat
            .len()
    }
}

/// The burst for a rate of `per_minute`: `N / 6`, at least 10, at most `N`.
pub fn burst_for(per_minute: u32) -> u32 {
    (per_minute / 6).max(per_minute.min(10))
}

/// The 429 answer: a `Retry-After` header and a GraphQL-shaped body with the
/// RATE_LIMITED code, so GraphQL clients can handle it like any other error.
pub fn refusal(retry_after_secs: u64) -> Response {
    let body = json!({
        "errors": [{
            "message": refusal_message(retry_after_secs),
            "extensions": { "code": ErrorCode::RateLimited.as_str() },
        }]
    });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from(retry_after_secs))],
        axum::Json(body),
    )
        .into_response()
}

/// The client-facing explanation of a refusal.
pub fn refusal_message(retry_after_secs: u64) -> String {
    format!("too many requests from this address; retry in {retry_after_secs} s")
}

/// What requests are counted under: the IPv4 address, or the IPv6 /64 prefix.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_core::clock::ManualClock;
    use chrono::TimeZone;

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap(),
        ))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn burst_is_ten_seconds_worth_but_at_least_ten_and_at_most_the_rate() {
        assert_eq!(burst_for(600), 100);
        assert_eq!(burst_for(60), 10);
        assert_eq!(burst_for(12), 10);
        assert_eq!(burst_for(5), 5);
        assert_eq!(burst_for(1), 1);
    }

    #[test]
    fn a_burst_is_allowed_then_refused_until_time_refills_it() {
        let clock = clock();
        // 60 per minute: one request per second, bursts of 10.
        let limiter = RateLimiter::per_minute(60, clock.clone());
        let client = ip("192.0.2.7");
        for n in 0..10 {
            assert_eq!(limiter.check(client), Decision::Allow, "request {n}");
        }
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 1
            }
        );
        // Refused requests cost nothing: the wait does not grow.
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 1
            }
        );
        clock.advance(Duration::seconds(1));
        assert_eq!(limiter.check(client), Decision::Allow);
        assert!(matches!(limiter.check(client), Decision::Refuse { .. }));
        // A quiet minute refills the whole burst, and no more.
        clock.advance(Duration::minutes(1));
        for _ in 0..10 {
            assert_eq!(limiter.check(client), Decision::Allow);
        }
        assert!(matches!(limiter.check(client), Decision::Refuse { .. }));
    }

    #[test]
    fn an_hourly_limit_allows_its_whole_allowance_then_one_per_share_of_the_hour() {
        let clock = clock();
        let limiter = RateLimiter::per_hour(10, clock.clone());
        let client = ip("192.0.2.9");
        for n in 0..10 {
            assert_eq!(limiter.check(client), Decision::Allow, "request {n}");
        }
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 360
            }
        );
        clock.advance(Duration::minutes(6));
        assert_eq!(limiter.check(client), Decision::Allow);
        assert!(matches!(limiter.check(client), Decision::Refuse { .. }));
    }

    #[test]
    fn retry_after_says_when_the_next_request_passes() {
        let clock = clock();
        // 6 per minute: one every 10 s, bursts of 6.
        let limiter = RateLimiter::per_minute(6, clock.clone());
        let client = ip("192.0.2.8");
        for _ in 0..6 {
            assert_eq!(limiter.check(client), Decision::Allow);
        }
        clock.advance(Duration::seconds(3));
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 7
            }
        );
        clock.advance(Duration::seconds(7));
        assert_eq!(limiter.check(client), Decision::Allow);
    }

    #[test]
    fn addresses_are_limited_separately_and_ipv6_per_64_prefix() {
        let clock = clock();
        let limiter = RateLimiter::with_capacity(60, 1, 100, clock);
        assert_eq!(limiter.check(ip("192.0.2.1")), Decision::Allow);
        assert!(matches!(
            limiter.check(ip("192.0.2.1")),
            Decision::Refuse { .. }
        ));
        assert_eq!(limiter.check(ip("192.0.2.2")), Decision::Allow);
        // The mapped form is the same client as the IPv4 address.
        assert!(matches!(
            limiter.check(ip("::ffff:192.0.2.2")),
            Decision::Refuse { .. }
        ));
        assert_eq!(limiter.check(ip("2001:db8:1:2::1")), Decision::Allow);
        assert!(matches!(
            limiter.check(ip("2001:db8:1:2:ffff::9")),
            Decision::Refuse { .. }
        ));
        assert_eq!(limiter.check(ip("2001:db8:1:3::1")), Decision::Allow);
    }

    #[test]
    fn memory_is_bounded_and_idle_addresses_make_room() {
        let clock = clock();
        let limiter = RateLimiter::with_capacity(60, 10, 3, clock.clone());
        for last in 1..=3 {
            assert_eq!(
                limiter.check(ip(&format!("192.0.2.{last}"))),
                Decision::Allow
            );
        }
        // The table is full of addresses that sent within the last second.
        assert_eq!(
            limiter.check(ip("192.0.2.4")),
            Decision::Refuse {
                retry_after_secs: 1
            }
        );
        // Known addresses are still served.
        assert_eq!(limiter.check(ip("192.0.2.1")), Decision::Allow);
        assert_eq!(limiter.tracked(), 3);
        // Once they are idle (their buckets refilled), they are forgotten.
        clock.advance(Duration::seconds(3));
        assert_eq!(limiter.check(ip("192.0.2.4")), Decision::Allow);
        assert_eq!(limiter.tracked(), 1);
    }

    #[tokio::test]
    async fn the_refusal_is_a_graphql_error_with_retry_after() {
        let response = refusal(7);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        assert_eq!(
            body["errors"][0]["message"],
            "too many requests from this address; retry in 7 s"
        );
    }
}
