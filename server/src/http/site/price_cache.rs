//! The catalog's "from" prices kept per tenant and language (docs/decisions/0180),
//! so that a page view of a large tenant does not run `prices.rs`'s dozens of
//! availability calls over every unit each time.
//!
//! An entry is kept under a [`Stamp`] of everything its prices depend on: the
//! tenant's latest event (every booking, change, cancellation, staff block,
//! calendar import, unit or tenant edit and policy publication writes one, on
//! any instance sharing the database), the live policy's version on this
//! instance (which follows a publication up to a poll later than its event),
//! the tenant's today, and the units priced. A view whose stamp differs
//! computes the prices again; so does one after [`MAX_AGE`], for what no event
//! marks: rules that depend on the time of day, such as a minimum notice in
//! hours. Views that miss together wait for one computation rather than each
//! running their own. One entry per tenant and language: the memory is bounded
//! by the tenants served.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use berth_core::event::EventCursor;
use berth_core::ids::{TenantId, UnitId};
use chrono::{DateTime, NaiveDate, Utc};

use super::prices::FromPrice;
use crate::locale::Lang;

/// How long prices are kept when nothing else changes.
pub const MAX_AGE: chrono::Duration = chrono::Duration::minutes(5);

/// What one tenant's "from" prices depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The tenant's latest event.
    pub events: EventCursor,
    /// The live policy's version on this instance (0: none).
    pub policy: u64,
    /// The tenant's today (the first arrival priced is tomorrow).
    pub today: NaiveDate,
    /// The units priced, in the order asked.
    pub units: Vec<UnitId>,
}

/// Prices computed under a stamp.
#[derive(Debug)]
struct Entry {
    stamp: Stamp,
    at: DateTime<Utc>,
    prices: HashMap<UnitId, FromPrice>,
}

/// Where a lookup's prices came from (for the metric and the tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Kept from an earlier view.
    Hit,
    /// Computed by this view.
    Miss,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
        }
    }
}

/// One tenant's entry in one language, locked while it is computed.
type Slot = Arc<tokio::sync::Mutex<Option<Entry>>>;

/// The cache (one per server, shared by its requests).
#[derive(Debug, Default)]
pub struct PriceCache {
    slots: Mutex<HashMap<(TenantId, Lang), Slot>>,
}

impl PriceCache {
    /// The prices of `tenant` in `lang`: kept ones when computed under
    /// `stamp` less than [`MAX_AGE`] before `now`, else `compute`'s (kept for
    /// the next view). Read the stamp before the prices' data, so that a
    /// change made while they are computed leaves a newer stamp behind it.
    pub async fn get_or_compute<F, Fut>(
        &self,
        tenant: TenantId,
        lang: Lang,
        stamp: Stamp,
        now: DateTime<Utc>,
        compute: F,
    ) -> (HashMap<UnitId, FromPrice>, Outcome)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = HashMap<UnitId, FromPrice>>,
    {
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((tenant, lang))
            .or_default()
            .clone();
        let mut entry = slot.lock().await;
        if let Some(kept) = entry.as_ref()
            && kept.stamp == stamp
            && now >= kept.at
            && now - kept.at < MAX_AGE
        {
            return (kept.prices.clone(), Outcome::Hit);
        }
        let prices = compute().await;
        *entry = Some(Entry {
            stamp,
            at: now,
            prices: prices.clone(),
        });
        (prices, Outcome::Miss)
    }
}

/// Counts a lookup in `berth_site_price_cache_total{outcome}`.
pub fn record(outcome: Outcome) {
    metrics::counter!("berth_site_price_cache_total", "outcome" => outcome.label()).increment(1);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn price(amount: &str) -> HashMap<UnitId, FromPrice> {
        HashMap::from([(
            UnitId::new(),
            FromPrice {
                amount: amount.into(),
                basis: "1 night, 2 guests".into(),
                query: String::new(),
                money: None,
            },
        )])
    }

    fn stamp(seq: i64) -> Stamp {
        Stamp {
            events: EventCursor { txid: 0, seq },
            policy: 1,
            today: "2026-12-07".parse().unwrap(),
            units: vec![],
        }
    }

    async fn look(
        cache: &PriceCache,
        tenant: TenantId,
        stamp: Stamp,
        now: DateTime<Utc>,
        amount: &str,
    ) -> (String, Outcome) {
        let (prices, outcome) = cache
            .get_or_compute(tenant, Lang::En, stamp, now, || async { price(amount) })
            .await;
        (prices.into_values().next().unwrap().amount, outcome)
    }

    #[tokio::test]
    async fn kept_under_the_same_stamp_and_computed_again_when_anything_changes() {
        let cache = PriceCache::default();
        let tenant = TenantId::new();
        let now: DateTime<Utc> = "2026-12-07T09:00:00Z".parse().unwrap();
        assert_eq!(
            look(&cache, tenant, stamp(1), now, "CHF 100").await,
            ("CHF 100".into(), Outcome::Miss)
        );
        assert_eq!(
            look(&cache, tenant, stamp(1), now, "CHF 999").await,
            ("CHF 100".into(), Outcome::Hit),
            "the same stamp: kept"
        );
        // A booking (a later event), another policy, another day, other units.
        let changes = [
            stamp(2),
            Stamp {
                policy: 2,
                ..stamp(2)
            },
            Stamp {
                today: "2026-12-08".parse().unwrap(),
                policy: 2,
                ..stamp(2)
            },
            Stamp {
                today: "2026-12-08".parse().unwrap(),
                policy: 2,
                units: vec![UnitId::new()],
                ..stamp(2)
            },
        ];
        for (i, changed) in changes.into_iter().enumerate() {
            let amount = format!("CHF {i}");
            assert_eq!(
                look(&cache, tenant, changed.clone(), now, &amount).await,
                (amount.clone(), Outcome::Miss),
                "{changed:?}"
            );
            assert_eq!(
                look(&cache, tenant, changed, now, "CHF 999").await,
                (amount, Outcome::Hit)
            );
        }
    }

    #[tokio::test]
    async fn kept_at_most_max_age_and_per_tenant_and_language() {
        let cache = PriceCache::default();
        let (a, b) = (TenantId::new(), TenantId::new());
        let now: DateTime<Utc> = "2026-12-07T09:00:00Z".parse().unwrap();
        look(&cache, a, stamp(1), now, "CHF 100").await;
        let almost = now + MAX_AGE - chrono::Duration::seconds(1);
        assert_eq!(
            look(&cache, a, stamp(1), almost, "CHF 200").await.1,
            Outcome::Hit
        );
        assert_eq!(
            look(&cache, a, stamp(1), now + MAX_AGE, "CHF 200").await,
            ("CHF 200".into(), Outcome::Miss),
            "too old"
        );
        assert_eq!(
            look(&cache, b, stamp(1), now, "EUR 5").await,
            ("EUR 5".into(), Outcome::Miss),
            "another tenant's prices are its own"
        );
        let (spanish, outcome) = cache
            .get_or_compute(a, Lang::Es, stamp(1), now, || async { price("5 CHF") })
            .await;
        assert_eq!(outcome, Outcome::Miss, "another language is its own entry");
        assert_eq!(spanish.into_values().next().unwrap().amount, "5 CHF");
    }

    #[tokio::test]
    async fn views_that_miss_together_compute_once() {
        let cache = Arc::new(PriceCache::default());
        let tenant = TenantId::new();
        let now: DateTime<Utc> = "2026-12-07T09:00:00Z".parse().unwrap();
        let computed = Arc::new(AtomicUsize::new(0));
        let views = (0..8).map(|_| {
            let (cache, computed) = (cache.clone(), computed.clone());
            tokio::spawn(async move {
                cache
                    .get_or_compute(tenant, Lang::En, stamp(1), now, || async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        price("CHF 100")
                    })
                    .await
                    .1
            })
        });
        let outcomes: Vec<Outcome> = futures_util::future::join_all(views)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Miss).count(), 1);
    }
}
