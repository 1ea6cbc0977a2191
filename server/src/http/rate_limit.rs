//! A per-address rate limit for public (unauthenticated) requests, so one client
//! cannot monopolise the quote and availability queries anyone may call. It
//! counts cost, not requests (docs/decisions/0174-cost-budget.md): a request
//! costs [`REQUEST_POINTS`] (a page of the public site, a GraphQL request
//! however small), and a GraphQL request its points beyond that, as GraphQL
//! prices it (`berth_graphql::cost`); a rate of `N` is `N` requests' worth of
//! points per minute.
//!
//! The algorithm is GCRA (the "generic cell rate algorithm", a token bucket kept as
//! one timestamp per address): with a rate of `N` requests per minute, each point
//! moves the address's *theoretical arrival time* (TAT) forward by the emission
//! interval `T = 60 s / (N × 100)`; a charge is allowed while the new TAT is at
//! most `burst × 100 × T` ahead of now. An address that stays quiet refills at
//! `N` requests' worth per minute up to `burst` requests' worth at once.
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
use berth_graphql::cost::{Payer, REQUEST_POINTS, RetryAfter};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// The most addresses remembered at once (a few MiB of memory).
pub const MAX_TRACKED_ADDRESSES: usize = 65_536;

/// Limits the cost of requests per client address, `per_minute` requests'
/// worth on average with a burst.
#[derive(Debug)]
pub struct RateLimiter {
    clock: Arc<dyn Clock>,
    /// The time one point "costs": a minute divided by the rate's points.
    emission_interval: Duration,
    /// How far ahead of now an address's TAT may run: the burst's points ×
    /// `emission_interval`.
    tolerance: Duration,
    /// How many addresses may be remembered before new ones are refused.
    capacity: usize,
    /// Which limit it is, in metrics (`public`, `booking_requests`).
    name: &'static str,
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
        let mut limiter = Self::new(3_600, per_hour, per_hour, MAX_TRACKED_ADDRESSES, clock);
        limiter.name = "booking_requests";
        limiter
    }

    /// A limiter with an explicit burst and table size.
    pub fn with_capacity(
        per_minute: u32,
        burst: u32,
        capacity: usize,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::new(60, per_minute, burst, capacity, clock)
    }

    /// `requests` requests' worth of points per `seconds`, `burst` of them at
    /// once, `capacity` addresses remembered.
    fn new(
        seconds: i64,
        requests: u32,
        burst: u32,
        capacity: usize,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let points = i64::from(requests.max(1)) * REQUEST_POINTS as i64;
        let emission_nanos = (seconds * 1_000_000_000 / points).max(1);
        let burst_points = i64::from(burst.max(1)) * REQUEST_POINTS as i64;
        Self {
            clock,
            emission_interval: Duration::nanoseconds(emission_nanos),
            tolerance: Duration::nanoseconds(emission_nanos.saturating_mul(burst_points)),
            capacity: capacity.max(1),
            name: "public",
            state: Mutex::new(Table::default()),
        }
    }

    /// Counts one request from `addr` ([`REQUEST_POINTS`]) and says whether to
    /// serve it.
    pub fn check(&self, addr: IpAddr) -> Decision {
        self.charge(addr, REQUEST_POINTS)
    }

    /// Takes `points` from `addr`'s allowance if it holds them now; a refused
    /// charge takes nothing.
    pub fn charge(&self, addr: IpAddr, points: usize) -> Decision {
        self.charge_rest(addr, points, 0)
    }

    /// [`Self::charge`] for the rest of a request whose first `paid` points
    /// were charged already (the transport's [`REQUEST_POINTS`]): a request
    /// larger than the whole burst passes when the bucket was full before
    /// the request (the address was quiet long enough) and leaves it in debt;
    /// otherwise it could never pass, whatever Retry-After said.
    pub fn charge_rest(&self, addr: IpAddr, points: usize, paid: usize) -> Decision {
        let now = self.clock.now();
        let key = address_key(addr);
        let mut table = self.table();
        if !self.make_room(&mut table, &key, now) {
            return Decision::Refuse {
                retry_after_secs: 1,
            };
        }
        let tat = table.tat.get(&key).copied().unwrap_or(now).max(now);
        let next_tat = tat + self.cost(points);
        let ahead = next_tat - now;
        let full_before = (tat - self.cost(paid)).max(now);
        if ahead <= self.tolerance || full_before == now {
            table.tat.insert(key, next_tat);
            self.record_size(&table);
            Decision::Allow
        } else {
            let wait = (ahead - self.tolerance).min(full_before - now);
            let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
            Decision::Refuse {
                retry_after_secs: millis.div_ceil(1000).max(1),
            }
        }
    }

    /// Publishes how many addresses the table holds
    /// (`berth_rate_limit_addresses{limit}` in /metrics).
    fn record_size(&self, table: &Table) {
        metrics::gauge!("berth_rate_limit_addresses", "limit" => self.name)
            .set(table.tat.len() as f64);
    }

    /// Takes `points` from `addr`'s allowance whatever it holds (work already
    /// admitted): the address's later requests wait for them. Nothing is
    /// recorded when the table is full of other active addresses.
    pub fn debit(&self, addr: IpAddr, points: usize) {
        let now = self.clock.now();
        let key = address_key(addr);
        let mut table = self.table();
        if self.make_room(&mut table, &key, now) {
            let tat = table.tat.get(&key).copied().unwrap_or(now).max(now);
            table.tat.insert(key, tat + self.cost(points));
            self.record_size(&table);
        }
    }

    /// The time `points` move a TAT forward.
    fn cost(&self, points: usize) -> Duration {
        let points = i32::try_from(points).unwrap_or(i32::MAX);
        self.emission_interval * points
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `key` is remembered or there is room for it, dropping idle
    /// addresses (at most once a second) when the table is full.
    fn make_room(&self, table: &mut Table, key: &IpAddr, now: DateTime<Utc>) -> bool {
        if table.tat.contains_key(key) || table.tat.len() < self.capacity {
            return true;
        }
        let swept_recently = table
            .last_sweep
            .is_some_and(|at| now - at < Duration::seconds(1));
        if !swept_recently {
            table.tat.retain(|_, tat| *tat > now);
            table.last_sweep = Some(now);
        }
        table.tat.len() < self.capacity
    }

    /// How many addresses are remembered now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.table().tat.len()
    }
}

/// One client address's allowance, as GraphQL charges it (`berth_graphql::cost`).
#[derive(Debug)]
pub struct AddressBudget {
    /// The public limit.
    pub limiter: Arc<RateLimiter>,
    /// The client's address.
    pub addr: IpAddr,
}

impl Payer for AddressBudget {
    fn charge(&self, points: usize) -> Result<(), RetryAfter> {
        // The transport charged the request's first points already.
        match self.limiter.charge_rest(self.addr, points, REQUEST_POINTS) {
            Decision::Allow => Ok(()),
            Decision::Refuse { retry_after_secs } => Err(RetryAfter(retry_after_secs)),
        }
    }

    fn debit(&self, points: usize) {
        self.limiter.debit(self.addr, points);
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
            "extensions": {
                "code": ErrorCode::RateLimited.as_str(),
                "retryAfter": retry_after_secs,
            },
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
    berth_graphql::cost::rate_limited_message(RetryAfter(retry_after_secs))
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

    #[test]
    fn cost_is_charged_in_points_and_a_refused_charge_takes_nothing() {
        let clock = clock();
        // 60 requests per minute, bursts of 10: 1,000 points at once, 100 a second.
        let limiter = RateLimiter::per_minute(60, clock.clone());
        let client = ip("192.0.2.20");
        assert_eq!(limiter.charge(client, 950), Decision::Allow);
        // 50 points are left: a request (100) waits half a second, said as 1 s.
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 1
            }
        );
        // A request of 2,000 points is larger than the whole burst: it waits
        // until the bucket is full again (9.5 s).
        assert_eq!(
            limiter.charge(client, 2_000),
            Decision::Refuse {
                retry_after_secs: 10
            }
        );
        clock.advance(Duration::milliseconds(500));
        assert_eq!(limiter.check(client), Decision::Allow);
        assert!(matches!(limiter.check(client), Decision::Refuse { .. }));
        // Full again after 10 s: the large request passes and leaves the
        // address 20 s in debt, 11 s before the next request.
        clock.advance(Duration::seconds(10));
        assert_eq!(limiter.charge(client, 2_000), Decision::Allow);
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 11
            }
        );
    }

    #[test]
    fn the_rest_of_a_request_larger_than_the_burst_passes_from_a_quiet_address() {
        let clock = clock();
        let limiter = RateLimiter::per_minute(60, clock.clone());
        let quiet = ip("192.0.2.30");
        assert_eq!(limiter.check(quiet), Decision::Allow);
        assert_eq!(
            limiter.charge_rest(quiet, 1_900, REQUEST_POINTS),
            Decision::Allow
        );
        let busy = ip("192.0.2.31");
        assert_eq!(limiter.check(busy), Decision::Allow);
        assert_eq!(limiter.check(busy), Decision::Allow);
        // Its bucket was not full before this request: it waits 1 s for that.
        assert_eq!(
            limiter.charge_rest(busy, 1_900, REQUEST_POINTS),
            Decision::Refuse {
                retry_after_secs: 1
            }
        );
    }

    #[test]
    fn a_debit_is_taken_whatever_the_allowance_and_later_requests_wait_for_it() {
        let clock = clock();
        let limiter = RateLimiter::per_minute(60, clock.clone());
        let client = ip("192.0.2.21");
        assert_eq!(limiter.check(client), Decision::Allow);
        // Work admitted while running: 3,000 points, beyond the burst.
        limiter.debit(client, 3_000);
        // With the next request 3,200 points (32 s) ahead and 1,000 (10 s)
        // tolerated, it waits 22 s.
        assert_eq!(
            limiter.check(client),
            Decision::Refuse {
                retry_after_secs: 22
            }
        );
        clock.advance(Duration::seconds(22));
        assert_eq!(limiter.check(client), Decision::Allow);
    }

    /// Issue 24: a burst from many addresses with bounded memory. 100,000
    /// distinct addresses send at once, at the default rate and table size:
    /// the table never holds more than its capacity, a heavy hitter stays
    /// refused throughout, and once the flood is idle its addresses are
    /// forgotten and the limits hold as before.
    #[test]
    fn a_burst_from_100_000_addresses_keeps_the_table_bounded_and_heavy_hitters_limited() {
        let clock = clock();
        let limiter = RateLimiter::per_minute(600, clock.clone());
        let heavy = ip("198.51.100.1");
        let mut allowed = 0;
        while limiter.check(heavy) == Decision::Allow {
            allowed += 1;
        }
        assert_eq!(allowed, 100, "the default burst");
        let mut served = 0_usize;
        let mut refused = 0_usize;
        for n in 0..100_000_u32 {
            // 10.0.0.0/8: distinct IPv4 addresses.
            let addr = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 | n));
            match limiter.check(addr) {
                Decision::Allow => served += 1,
                Decision::Refuse { retry_after_secs } => {
                    assert_eq!(retry_after_secs, 1);
                    refused += 1;
                }
            }
            if n % 10_000 == 0 {
                assert!(
                    limiter.check(heavy) != Decision::Allow,
                    "heavy hitter at {n}"
                );
            }
            assert!(limiter.tracked() <= MAX_TRACKED_ADDRESSES);
        }
        // The table filled (the heavy hitter holds one place), then new
        // addresses were refused rather than remembered.
        assert_eq!(served, MAX_TRACKED_ADDRESSES - 1);
        assert_eq!(refused, 100_000 - served);
        assert_eq!(limiter.tracked(), MAX_TRACKED_ADDRESSES);
        // The same flood from one IPv6 /64 is one client.
        let mut from_one_prefix = 0;
        for n in 0..100_000_u128 {
            let addr = IpAddr::V6(((0x2001_0db8_0000_0001_u128 << 64) | n).into());
            if limiter.check(addr) == Decision::Allow {
                from_one_prefix += 1;
            }
        }
        assert_eq!(from_one_prefix, 0, "the table is full of active addresses");
        // A second later every flood address is idle (one request refills in
        // 0.1 s): the next new address sweeps them out.
        clock.advance(Duration::seconds(1));
        assert_eq!(limiter.check(ip("192.0.2.99")), Decision::Allow);
        assert_eq!(limiter.tracked(), 2, "the heavy hitter and the newcomer");
        // The heavy hitter got a second's worth back (10 requests), no more.
        let mut again = 0;
        while limiter.check(heavy) == Decision::Allow {
            again += 1;
        }
        assert_eq!(again, 10);
        let mut from_one_prefix = 0;
        for n in 0..100_000_u128 {
            let addr = IpAddr::V6(((0x2001_0db8_0000_0001_u128 << 64) | n).into());
            if limiter.check(addr) == Decision::Allow {
                from_one_prefix += 1;
            }
        }
        assert_eq!(from_one_prefix, 100, "one /64 gets one burst");
        assert_eq!(limiter.tracked(), 3);
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
        assert_eq!(body["errors"][0]["extensions"]["retryAfter"], 7);
        assert_eq!(
            body["errors"][0]["message"],
            "too many requests from this address; retry in 7 s"
        );
    }
}
