//! What a request costs, in points, and who pays (docs/decisions/0174-cost-budget.md).
//!
//! - **Before running**: async-graphql prices the operation during
//!   validation. A field weighs 1 plus its selection; the expensive public
//!   fields (`quote`, `availability`, `slots`, `unitCalendar`) weigh
//!   [`EXPENSIVE_FIELD_COST`]; a field returning a page or a list whose size
//!   the caller asks (`first`, `limit`) weighs its selection times that size
//!   ([`page`], [`history`], [`ranked`]). Aliases count each time. Over
//!   [`crate::MAX_COMPLEXITY`] the request is refused whole with INVALID_INPUT.
//! - **While running**: what depends on the tenant is charged by the field
//!   before it does the work ([`charge`]): `availability` costs
//!   [`POINTS_PER_UNIT`] per unit of the tenant beyond the
//!   [`EXPENSIVE_FIELD_COST`] it already paid. A request whose total would pass
//!   the same limit gets INVALID_INPUT on that field, before the policy runs.
//! - **Who pays**: a transport that limits a caller (the server's public rate
//!   limit, per client address) hands GraphQL a [`Budget`] in the request's
//!   data. The transport charged [`REQUEST_POINTS`] for the request itself; the
//!   validated points beyond that are charged before anything runs, and a
//!   refusal is RATE_LIMITED with the seconds to wait ([`RetryAfter`] in the
//!   error's extensions); points charged while running are taken from the
//!   budget whatever it holds (the work was admitted), so the next request
//!   waits for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextValidation,
};
use async_graphql::{
    Context, ErrorExtensions, Pos, Request, Result, ServerError, ServerResult, ValidationResult,
};
use berth_core::ErrorCode;

use crate::MAX_COMPLEXITY;
use crate::error::coded;

/// The weight of one expensive field — `quote`, `availability`, `slots`,
/// `unitCalendar` — on top of its selection: each runs the tenant's policy
/// (for `availability` over every unit, for a calendar over each day), where
/// other fields read a row. A request holds at most 19 of them.
pub const EXPENSIVE_FIELD_COST: usize = 100;

/// What `availability` costs per unit of the tenant: the field's
/// [`EXPENSIVE_FIELD_COST`] covers the first 100 units, each further unit
/// adds this. One search over 1,000 units costs about 1,000 points (it takes
/// 6–20 ms, BENCHMARKS.md), so a request holds one of them, and no request
/// searches more than about 1,900 units.
pub const POINTS_PER_UNIT: usize = 1;

/// A request's worth of points: what a transport charges for any request
/// before reading it (a page of the public site, a GraphQL request however
/// small), and the unit the public rate limit is configured in.
pub const REQUEST_POINTS: usize = 100;

/// The price of a page of `first` items (1 to `page::MAX_PAGE`; other values
/// are refused by the field, and priced as one) each costing `child`.
pub fn page(first: i32, child: usize) -> usize {
    let first = first.clamp(1, crate::page::MAX_PAGE);
    usize::try_from(first)
        .unwrap_or(1)
        .saturating_mul(child)
        .max(1)
}

/// The price of `policyVersions(first)`: up to 100 versions (the field's
/// default and most) each costing `child`.
pub fn history(first: Option<i32>, child: usize) -> usize {
    let limit = berth_core::policy_versions::HISTORY_LIMIT;
    let first = first.map_or(limit, |n| u32::try_from(n).unwrap_or(0).min(limit));
    usize::try_from(first.max(1))
        .unwrap_or(1)
        .saturating_mul(child)
        .max(1)
}

/// The price of a ranking of `limit` rows (1–200) each costing `child`.
pub fn ranked(limit: i32, child: usize) -> usize {
    page(limit, child)
}

/// What a caller's budget answers for a charge.
pub trait Payer: Send + Sync {
    /// Takes `points` if the budget holds them now; otherwise takes nothing
    /// and says how many whole seconds until it would.
    fn charge(&self, points: usize) -> std::result::Result<(), RetryAfter>;
    /// Takes `points` whatever the budget holds (work already admitted).
    fn debit(&self, points: usize);
}

/// Seconds until a refused charge would pass (at least 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// The budget a request is charged against, put in the request's data by
/// the transport. Without one (a signed-in request, an in-process call) the
/// request pays nothing but still has its limit.
#[derive(Clone)]
pub struct Budget(pub Arc<dyn Payer>);

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Budget")
    }
}

/// The points of one request so far: validation's, then what fields charged.
#[derive(Debug, Default)]
pub struct Meter {
    points: AtomicUsize,
}

impl Meter {
    /// The request's points so far.
    pub fn points(&self) -> usize {
        self.points.load(Ordering::SeqCst)
    }
}

/// Charges `points` to the running request for work its field is about to do
/// (`what` names it in the refusal): INVALID_INPUT when the request's total
/// would pass [`MAX_COMPLEXITY`]; otherwise the caller's budget, if any, is
/// debited.
pub fn charge(ctx: &Context<'_>, points: usize, what: &str) -> Result<()> {
    if points == 0 {
        return Ok(());
    }
    if let Some(meter) = ctx.data_opt::<Arc<Meter>>() {
        let before = meter.points.fetch_add(points, Ordering::SeqCst);
        let total = before.saturating_add(points);
        if total > MAX_COMPLEXITY {
            meter.points.fetch_sub(points, Ordering::SeqCst);
            return Err(coded(
                ErrorCode::InvalidInput,
                format!(
                    "{what} costs {points} points more; with the {before} this request has spent \
                     it would pass its limit of {MAX_COMPLEXITY}: ask for less in one request"
                ),
            ));
        }
    }
    if let Some(Budget(payer)) = ctx.data_opt::<Budget>() {
        payer.debit(points);
    }
    Ok(())
}

/// The message of a RATE_LIMITED refusal.
pub fn rate_limited_message(retry_after: RetryAfter) -> String {
    format!(
        "too many requests from this address; retry in {} s",
        retry_after.0
    )
}

/// The extension factory to register on the schema: gives every request a
/// [`Meter`], records the validated points and charges them to the
/// request's [`Budget`].
#[derive(Debug, Default)]
pub struct CostExtension;

impl ExtensionFactory for CostExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostExtension)
    }
}

#[async_trait::async_trait]
impl Extension for CostExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(Arc::new(Meter::default())))
            .await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> std::result::Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(meter) = ctx.data_opt::<Arc<Meter>>() {
            meter.points.store(result.complexity, Ordering::SeqCst);
        }
        if let Some(Budget(payer)) = ctx.data_opt::<Budget>() {
            let beyond = result.complexity.saturating_sub(REQUEST_POINTS);
            if let Err(wait) = payer.charge(beyond) {
                let error = coded(ErrorCode::RateLimited, rate_limited_message(wait))
                    .extend_with(|_, e| e.set("retryAfter", wait.0));
                return Err(vec![error.into_server_error(Pos::default())]);
            }
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_multiply_their_selection_by_the_size_asked() {
        assert_eq!(page(50, 4), 200);
        assert_eq!(
            page(1_000, 4),
            800,
            "more than the most is refused; priced as the most"
        );
        assert_eq!(page(0, 4), 4);
        assert_eq!(page(-5, 4), 4);
        assert_eq!(page(10, 0), 1);
        assert_eq!(history(None, 3), 300);
        assert_eq!(history(Some(5), 3), 15);
        assert_eq!(history(Some(1_000), 3), 300);
        assert_eq!(ranked(10, 5), 50);
    }
}
